# call: (torch.tensor([2.]), 3)
# expect: tensor([2.])
# call: (torch.tensor([2.]), 0)
# expect: tensor([-2.])
def f(x, n: int):
    for i in range(n):
        return x
    return -x
