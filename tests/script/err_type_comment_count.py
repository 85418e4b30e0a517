# expect error: 2:1 Number of type annotations (1) did not match the number of function parameters (2)
def f(x, y):
    # type: (Tensor) -> Tensor
    return x
