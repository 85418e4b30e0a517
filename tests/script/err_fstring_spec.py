# expect error: 3:12 f-string conversions and format specifications (:...) are not supported in TorchScript
def f(x: float):
    return f"{x:.2f}"
