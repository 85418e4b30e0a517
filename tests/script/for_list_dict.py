# call: ([1, 2, 3], {"a": 10, "bb": 20})
# expect: (15, ['a', 'bb'], 30)
from typing import Dict, List


def f(xs: List[int], d: Dict[str, int]):
    t = 0
    for v in xs:
        t += v
    for i, v in enumerate(xs):
        t += i
    for a, b in zip(xs, xs):
        t += a - b
    ks = [k for k in d]
    s = 0
    for k, v in d.items():
        s += v
    return t + len(ks) * 2 + 2, ks, s
