# expect error: 5:12 Unknown builtin op: aten::sigmod.
# expect hint: Here are some suggestions: 
# expect hint: 	aten::sigmoid
def f(x):
    return torch.sigmod(x)
