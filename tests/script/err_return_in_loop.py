# expect error: 4:9 return statements inside loops are not supported yet
def f(x, n: int):
    for i in range(n):
        return x
    return x
