# call: (torch.tensor([3.]),)
# expect: tensor([-3.])
def f(x):
    """A docstring is not code."""
    if float(x) > 100.0:
        pass
    else:
        x = -x
    return x
