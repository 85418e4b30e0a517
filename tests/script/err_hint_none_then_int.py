# expect error: 6:9 Variable 'y' previously had type NoneType but is now being assigned to a value of type int
# expect hint: hint: annotate it where it is first assigned, `y: Optional[int] = None`
def f(x: int):
    y = None
    if x > 0:
        y = x
    return y
