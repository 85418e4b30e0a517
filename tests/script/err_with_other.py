# expect error: 3:10 builtin function 'open' is not supported yet
def f(x):
    with open("f") as h:
        pass
    return x
