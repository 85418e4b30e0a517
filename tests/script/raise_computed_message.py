# call: (3,)
# expect raise: RuntimeError: bad 3
# call: (12,)
# expect raise: RuntimeError: AssertionError: too big: 12
# call: (7,)
# expect: 7
def f(n: int):
    if n == 3:
        raise ValueError("bad " + str(n))
    assert n < 10, f"too big: {n}"
    return n
