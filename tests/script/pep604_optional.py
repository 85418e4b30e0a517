# call: (torch.tensor([1.0]), None)
# expect: tensor([1.])
# call: (torch.tensor([1.0]), 2)
# expect: tensor([3.])
def f(x, n: int | None = None):
    if n is None:
        return x
    return x + n
