# call: (7, 2, 1.5)
# expect: (9, 5, 14, 3.5, 3, 1, 49.0, -7, 8.5, 10.5)
# call: (-7, 2, -0.5)
# expect: (-5, -9, -14, -3.5, -4, 1, 49.0, 7, -7.5, 3.5)
def f(a: int, b: int, x: float):
    return a + b, a - b, a * b, a / b, a // b, a % b, a ** b, -a, a + x, a * x
