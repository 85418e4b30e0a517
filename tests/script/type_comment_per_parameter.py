# call: (torch.tensor([1.]), [2, 3])
# expect: tensor([6.])
from typing import List


def f(x,  # type: Tensor
      ns,  # type: List[int]
      ):
    # type: (...) -> Tensor
    return x + sum(ns)
