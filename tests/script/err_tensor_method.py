# expect error: 3:12 'Tensor (inferred)' object has no attribute or method 'frobnicate'.
def f(x):
    return x.frobnicate()
