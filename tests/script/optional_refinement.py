# call: (torch.tensor([2.]), None)
# expect: tensor([2.])
# call: (torch.tensor([2.]), 3)
# expect: tensor([6.])
# call: (torch.tensor([2.]), -1)
# expect: tensor([-2.])
from typing import Optional


def f(x, n: Optional[int]):
    if n is None:
        return x
    y = x
    if n is not None and n > 0:
        for i in range(n - 1):
            y = y + x
        return y
    return -x
