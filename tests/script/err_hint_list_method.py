# expect error: 5:5 'List[int]' object has no attribute or method 'appnd'.
# expect hint: Did you mean 'append'?
def f(x):
    l = [1, 2]
    l.appnd(3)
    return l
