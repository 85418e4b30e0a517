# call: (torch.tensor([1.0]),)
# expect: tensor([4.5000])
def f(x):
    for v in (1, 2.5):
        x = x + v
    return x
