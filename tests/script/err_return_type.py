# expect error: 3:12 Return value was annotated as having type int but is actually of type Tensor
def f(x) -> int:
    return x
