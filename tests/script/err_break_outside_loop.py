# expect error: 4:9 'break' outside loop
def f(x, n: int):
    if n > 2:
        break
    return x
