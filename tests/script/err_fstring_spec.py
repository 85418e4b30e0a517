# expect error: 3:12 Don't support formatting in JoinedStr
def f(x: float):
    return f"{x:.2f}"
