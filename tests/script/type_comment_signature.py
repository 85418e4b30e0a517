# call: (torch.tensor([1., 2.]), 3)
# expect: tensor([4., 5.])
# call: (torch.tensor([1.]), None)
# expect: tensor([1.])
from typing import Optional


def f(x, n):
    # type: (Tensor, Optional[int]) -> Tensor
    if n is None:
        return x
    return x + n
