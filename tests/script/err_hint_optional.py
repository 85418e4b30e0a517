# expect error: 4:12 Return value was annotated as having type int but is actually of type Optional[int]
# expect hint: hint: refine it first: `assert n is not None` or `if n is not None:`
def f(n: Optional[int]) -> int:
    return n
