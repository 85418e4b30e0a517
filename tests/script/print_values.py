# call: (torch.tensor([1.5, 2.0]), [1, 2])
# expect: 0
from typing import List


def f(x, xs: List[int]):
    print("values:", 1, 2.5, 1.0, True, None, xs, {"k": 1.5}, (1, "s"), x)
    return 0
