# call: (30,)
# expect: (21, 3)
# call: (5,)
# expect: (2, 1)
# call: (0,)
# expect: (0, 0)
def f(n: int):
    s = 0
    taken = 0
    for i in range(2, n, 3):
        if i % 5 == 0:
            continue
        s = s + i
        taken += 1
        if s > 20:
            break
    return s, taken
