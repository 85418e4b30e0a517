# expect error: 3:12 Unknown builtin op: aten::not_an_op.
def f(x):
    return torch.not_an_op(x)
