# expect error: 5:12 undefined value wieght
# expect hint: Did you mean 'weight'?
def f(x):
    weight = x * 2
    return wieght
