# call: (torch.tensor([1.5]), 5)
# expect: tensor([12.])
# call: (torch.tensor([1.5]), 2)
# expect: tensor([6.])
# call: (torch.tensor([1.5]), 0)
# expect: tensor([1.5000])
def f(x, n: int):
    for i in range(n):
        if i > 2:
            break
        x = x + x
    return x
