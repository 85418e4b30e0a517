# call: (5,)
# expect: 5
# call: (0,)
# expect: 1
def f(n: int):
    s = 0
    while True:
        s += 1
        if s >= n:
            break
    return s
