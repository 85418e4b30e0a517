# call: (torch.tensor([1.]), torch.tensor([5.]))
# expect: tensor([4.])
def f(x, h):
    a, b = x, h
    a, b = b, a
    p = (a, b)
    c, d = p
    return c - d
