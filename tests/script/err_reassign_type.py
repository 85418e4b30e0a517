# expect error: 5:9 Variable 'y' previously had type Tensor but is now being assigned to a value of type int
def f(x, n: int):
    y = x
    for i in range(n):
        y = n
    return y
