# call: (torch.tensor([[0., 0.]] * 5),)
# expect: 10
def f(x):
    n = len(x)
    return n * 2
