# call: (2.25, 7)
# expect: (1.5, 2, 3, False, 6.283185307179586, 2.0, (2, 1), 9, [1, 2, 7], True, False)
import math
from typing import List


def f(a: float, n: int):
    xs: List[int] = [n, 2, 1]
    return (math.sqrt(a), math.floor(a), math.ceil(a), math.isnan(a), math.pi * 2, round(a),
            divmod(n, 3), abs(-n) + 2, sorted(xs), any([v > 5 for v in xs]), all([v > 5 for v in xs]))
