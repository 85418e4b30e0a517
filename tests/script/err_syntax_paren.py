# expect error: 4:5 expected ')' to close '(' at 3:18 but found 'return'
def f(x):
    y = torch.neg(x
    return y
