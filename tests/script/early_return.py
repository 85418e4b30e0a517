# call: (torch.tensor([1., 2.]), 5)
# expect: tensor([1., 2.])
# call: (torch.tensor([1., 2.]), 2)
# expect: tensor([2., 8.])
# call: (torch.tensor([1., 2.]), 0)
# expect: tensor([2., 4.])
def f(x, n: int):
    if n > 3:
        return x
    y = x + x
    if n > 1:
        y = y * x
    return y
