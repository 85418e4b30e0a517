# expect error: 3:5 Type mismatch: y is set to type Tensor in the true branch and type int in the false branch
def f(x, n: int):
    if n > 0:
        y = x
    else:
        y = n
    return y
