# expect error: 4:5 aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!):
def f(x):
    names = ["a"]
    names.append(3)
    return x
