# expect error: 4:12 undefined value z
def f(x):
    y = x
    return z
