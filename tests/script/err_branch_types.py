# expect error: 7:12 Type mismatch: y is set to type Tensor in the true branch and type int in the false branch
def f(x, n: int):
    if n > 0:
        y = x
    else:
        y = n
    return y
