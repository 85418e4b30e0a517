# call: (torch.tensor([1.]), 2)
# expect: tensor([2.])
# call: (torch.tensor([1.]), -1)
# expect raise: RuntimeError: negative
def f(x, n: int):
    if n < 0:
        raise ValueError("negative")
    else:
        y = x + x
    return y
