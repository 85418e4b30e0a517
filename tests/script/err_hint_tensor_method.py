# expect error: 4:12 'Tensor (inferred)' object has no attribute or method 'tahn'.
# expect hint: Did you mean 'tanh'?
def f(x):
    return x.tahn()
