# expect error: 3:12 Arguments for call are not valid.
def f(x):
    return torch.tanh("a")
