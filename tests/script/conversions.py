# call: (torch.tensor(2.7), 3, 0.0)
# expect: (2, 3.0, False, True, 2.700000047683716)
def f(t, n: int, z: float):
    return int(t), float(n), bool(z), bool(t), float(t)
