# call: (torch.tensor([1., 2.]),)
# expect: tensor([3., 6.])
# call: (torch.tensor([1., 2.]), 1)
# expect: tensor([2., 4.])
def f(x, n: int = 2, scale: float = 1.0):
    y = x
    for i in range(n):
        y = y + x
    return y
