# expect error: 4:5 Variable 'y' previously had type Tensor but is now being assigned to a value of type int
def f(x, n: int):
    y = x
    y = n
    return y
