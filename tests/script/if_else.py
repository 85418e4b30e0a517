# call: (torch.tensor(2.), 1.0)
# expect: tensor(2.)
# call: (torch.tensor(2.), 3.0)
# expect: tensor(-2.)
def f(x, c: float):
    if float(x) > c:
        y = x
    else:
        y = -x
    return y
