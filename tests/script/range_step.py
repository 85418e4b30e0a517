# call: (2, 11, 3)
# expect: (3, 15)
# call: (10, 0, -4)
# expect: (3, 18)
# call: (5, 5, 1)
# expect: (0, 0)
def f(a: int, b: int, s: int):
    count = 0
    total = 0
    for i in range(a, b, s):
        count += 1
        total = total + i
    return count, total
