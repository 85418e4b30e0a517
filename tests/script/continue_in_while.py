# call: (torch.tensor([1.5]), 5)
# expect: tensor([25.6289])
def f(x, n: int):
    i = 0
    while i < n:
        i += 1
        if i % 2 == 0:
            continue
        x = x * x
    return x
