# call: (4,)
# expect: (8, 4, 4)
def f(n: int):
    a = b = n
    a += b
    c = b
    return a, b, c
