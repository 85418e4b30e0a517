# expect error: 3:12 module 'torch' has no attribute 'not_an_op'
def f(x):
    return torch.not_an_op(x)
