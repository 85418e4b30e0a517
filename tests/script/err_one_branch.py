# expect error: 5:12 y is not defined in the false branch
def f(x, n: int):
    if n > 0:
        y = x
    return y
