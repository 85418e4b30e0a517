# call: ("a,b", 3, 2.5)
# expect: ('a,b has 3 / 2.5', ['a', 'b'], 'a-b', True, 'A,B', 1)
def f(s: str, n: int, x: float):
    msg = f"{s} has {n} / {x}"
    parts = s.split(",")
    return msg, parts, "-".join(parts), "b" in s, s.upper(), s.find(",")
