# call: (100,)
# expect: (7, 128)
def f(limit: int):
    steps = 0
    v = 1
    while v < limit:
        v = v * 2
        steps += 1
    return steps, v
