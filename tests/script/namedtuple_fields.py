# A NamedTuple: built by position and keyword, fields read by name and index, unpacked,
# nested in another NamedTuple.
# call: (torch.tensor([1.0, 2.0]), 2)
# expect: (tensor([ 5., 10.]), 5)
from typing import NamedTuple


class Pt(NamedTuple):
    v: torch.Tensor
    n: int


class Two(NamedTuple):
    a: Pt
    b: Pt


def f(x: torch.Tensor, k: int):
    p = Pt(x, k)
    q = Pt(n=k + 1, v=x * 2)
    t = Two(p, q)
    v, n = t.b
    return (t.a.v * t[1].n + v, n + t.a[1])
