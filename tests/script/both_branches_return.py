# call: (torch.tensor([1., -2.]), True)
# expect: tensor([ 1., -2.])
# call: (torch.tensor([1., -2.]), False)
# expect: tensor([-1.,  2.])
def f(x, keep: bool):
    if keep:
        return x
    else:
        return -x
