# expect error: 4:5 append(): expected a value of type str but found int
def f(x):
    names = ["a"]
    names.append(3)
    return x
