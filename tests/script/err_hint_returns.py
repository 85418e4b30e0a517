# expect error: 6:5 Previous return statement returned a value of type int but this return statement returns a value of type str
# expect hint: hint: annotate the return type: `-> Union[int, str]`
def f(n: int):
    if n > 0:
        return n
    return "negative"
