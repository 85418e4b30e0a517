# expect error: 2:1 Return type line '# type: (...) -> ...' not found on multiline type annotation
def f(x):
    z = []  # type: List[int]
    d = {}  # type: Dict[str, int]
    return x
