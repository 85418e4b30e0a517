# call: (1, 2, 3)
# expect: (True, False, True)
# call: (3, 2, 1)
# expect: (False, True, False)
def f(a: int, b: int, c: int):
    return a < b < c, a > b > c or a == b, 0 < a <= b < c
