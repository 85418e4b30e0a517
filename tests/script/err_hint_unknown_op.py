# expect error: 4:12 module 'torch' has no attribute 'sigmod'
# expect hint: Did you mean 'sigmoid'?
def f(x):
    return torch.sigmod(x)
