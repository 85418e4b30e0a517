# call: (3, 4)
# expect: (3, True, False, True)
# call: (5, 4)
# expect: (4, False, False, True)
def f(a: int, b: int):
    m = a if a < b else b
    return m, a < b and b > 0, not b, a > 0 or b < 0
