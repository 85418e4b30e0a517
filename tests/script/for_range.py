# call: (torch.tensor([1., 2.]), 3)
# expect: tensor([  1., 256.])
# call: (torch.tensor([1., 2.]), 0)
# expect: tensor([1., 2.])
def f(x, n: int):
    for i in range(n):
        x = x * x
    return x
