# expect error: 5:13 break statements are not supported yet
def f(x, n: int):
    for i in range(n):
        if i > 2:
            break
    return x
