# call: ([1, 2, 3],)
# expect: ([2, 4, 6], {1: 1, 2: 4, 3: 9}, [[1], [1, 2], [1, 2, 3]])
from typing import List


def f(xs: List[int]):
    doubled = [v * 2 for v in xs]
    squares = {v: v * v for v in xs}
    prefixes = [[w for w in range(1, v + 1)] for v in xs]
    return doubled, squares, prefixes
