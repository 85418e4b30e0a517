# expect error: 4:9 Variable 'x' previously had type Tensor but is now being assigned to a value of type int
def f(x, n: int):
    for i in range(n):
        x = i
    return x
