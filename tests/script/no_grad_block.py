# call: (torch.tensor([1.0, 2.0]),)
# expect: (tensor([2., 4.]), False, True)
def f(x):
    with torch.no_grad():
        y = x * 2
        inside = torch.is_grad_enabled()
    return y, inside, torch.is_grad_enabled()
