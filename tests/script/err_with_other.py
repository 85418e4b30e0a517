# expect error: 3:10 with statements are only supported over no_grad() and enable_grad() so far
def f(x):
    with open("f") as h:
        pass
    return x
