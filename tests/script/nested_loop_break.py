# call: (4,)
# expect: 10
def f(n: int):
    total = 0
    for i in range(n):
        for j in range(n):
            if j > i:
                break
            total += 1
    return total
