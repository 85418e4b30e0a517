# call: (torch.tensor([1.]), 1)
# expect: tensor([1.])
# call: (torch.tensor([1.]), 0)
# expect raise: RuntimeError: AssertionError: n must be positive
def f(x, n: int):
    assert n > 0, "n must be positive"
    return x
