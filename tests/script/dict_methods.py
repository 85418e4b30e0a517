# call: ({"a": 1},)
# expect: ({'a': 11, 'b': 2, 'c': 3}, -1, 3, True)
# call: ({},)
# expect raise: RuntimeError: KeyError: a
from typing import Dict


def f(d: Dict[str, int]):
    d["a"] += 10
    d.update({"b": 2})
    g = d.get("zz", -1)
    c = d.setdefault("c", 3)
    return d, g, c, "b" in d
