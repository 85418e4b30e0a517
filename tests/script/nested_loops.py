# call: (torch.tensor([1.]), 3)
# expect: tensor([5.])
def f(x, n: int):
    y = x
    for i in range(n):
        if i % 2 == 0:
            y = y + x
        else:
            y = y - x
        for j in range(i):
            y = y + x
    return y
