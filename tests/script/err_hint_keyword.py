# expect error: 4:12 Arguments for call are not valid.
# expect hint: Did you mean 'dim'?
def f(x):
    return torch.sum(x, dimm=0)
