# expect error: 3:9 lambda is not supported in TorchScript
def f(x):
    g = lambda a: a
    return x
