"""Script classes and NamedTuples in pyts.jit.script, against torch.jit.script of the same source:
construction, fields and attributes, methods calling each other, classes naming each other,
objects and NamedTuples crossing into and out of compiled code, printed graphs and code, archives
both ways (pyts.jit.save -> torch.jit.load and torch.jit.save -> pyts.jit.load), and the
compile errors with their positions."""
import collections
import io
import typing
from typing import Dict, List, NamedTuple, Optional, Tuple

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
from torch import Tensor  # noqa: E402  (annotations: torch resolves it, pyts knows the name)

CompileError = pyts.jit.CompileError
LIBS = [pyts, torch]


def T(L, a):
    return L.tensor(np.asarray(a, dtype=np.float32))


def same(a, b):
    """pyts and torch results equal: tensors by value, tuples (NamedTuples) field by field."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, pyts.Tensor)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)
    elif isinstance(b, (tuple, list)):
        assert isinstance(a, (tuple, list)) and len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b)
        for k in b:
            same(a[k], b[k])
    else:
        assert a == b


# ---- sources (module level: both libraries compile the same Python objects) ----
class Point(NamedTuple):
    x: Tensor
    y: int


class Segment(NamedTuple):
    a: Point
    b: Point
    w: List[float]


class Pair:
    def __init__(self, a: Tensor, b: Tensor):
        self.first = a
        self.second = b
        self.n: int = 0

    def swap(self) -> "Pair":
        self.n += 1
        return Pair(self.second, self.first)

    def total(self) -> Tensor:
        return self.first + self.second * self.scale()

    def scale(self) -> float:
        return 2.0 + self.n


class Box:
    def __init__(self, p: Pair, tag: int):
        self.pair = p
        self.tag = tag
        self.extra = p.first * 0

    def value(self) -> Tensor:
        t = self.pair.total() * self.tag
        if self.tag > 3:
            t = t + self.extra
        return t

    def grow(self, x: Tensor) -> int:
        self.extra = x
        self.tag = self.tag + 1
        return self.tag


def nt_ops(a: Tensor, p: Point) -> Point:
    q = Point(a + p.x, p.y + 1)
    r = Point(y=3, x=a)
    u, v = q
    return Point(q[0] * r.x + u, v + r[1])


def nt_nested(a: Tensor, b: Tensor) -> Segment:
    s = Segment(Point(a, 1), Point(b, 2), [0.5, 1.5])
    return Segment(s.b, s.a, [s.w[1], float(s.a.y)])


def nt_field_sum(s: Segment) -> Tensor:
    return s.a.x * s.w[0] + s.b.x * float(s.b.y)


def cls_ops(a: Tensor, b: Tensor) -> Tensor:
    p = Pair(a, b)
    q = p.swap()
    q.first = q.first * 3
    return q.total() + p.first + float(p.n)


def cls_make(a: Tensor) -> Pair:
    return Pair(a, a + 1)


def cls_take(p: Pair) -> Tensor:
    q = p.swap()
    return p.total() - q.total() + float(p.n)


def box_ops(a: Tensor) -> Tensor:
    b = Box(Pair(a, a * 2), 3)
    v0 = b.value()
    k = b.grow(a + 10)
    b.pair.first = b.pair.first - 1
    return v0 + b.value() + float(k)


def cls_in_loop(a: Tensor, n: int) -> Tensor:
    p = Pair(a, a)
    for i in range(n):
        p = p.swap()
        p.second = p.second + i
    return p.total()


# ---- NamedTuple ----
def test_namedtuple_ops_against_torch():
    args = ([1.0, 2.0], [[0.5, -1.0], 4])
    res = []
    for L in LIBS:
        f = L.jit.script(nt_ops)
        res.append(f(T(L, args[0]), Point(T(L, args[1][0]), args[1][1])))
    same(*res)
    assert type(res[0]) is Point and res[0].y == 8
    assert res[1].y == 8


def test_namedtuple_nested_and_list_fields():
    for fn, mk in [(nt_nested, lambda L: (T(L, [1.0, 2.0]), T(L, [3.0]))),
                   (nt_field_sum, lambda L: (Segment(Point(T(L, [1.0, 2.0]), 2), Point(T(L, [3.0, 1.0]), 5), [0.5, 2.0]),))]:
        res = [L.jit.script(fn)(*mk(L)) for L in LIBS]
        same(*res)
    out = pyts.jit.script(nt_nested)(T(pyts, [1.0]), T(pyts, [2.0]))
    assert type(out) is Segment and type(out.a) is Point and out.w == [1.5, 1.0]


def test_namedtuple_graph_and_code_as_torch():
    g = {L: str(L.jit.script(nt_ops).graph) for L in LIBS}
    for L in LIBS:
        assert "%p : NamedTuple(x : Tensor, y : int)" in g[L].replace("%p.1", "%p")
        assert "prim::TupleIndex(%p" in g[L]
        assert g[L].count("prim::TupleConstruct") >= 1
    code = {L: L.jit.script(nt_ops).code for L in LIBS}
    name = "__torch__." + __name__ + ".Point"
    for L in LIBS:
        assert f"p: {name}) -> {name}:" in code[L]
        assert "(p)[0]" in code[L] and f"{name}(" in code[L]


class WithDefaults(NamedTuple):
    x: Tensor
    y: int = 5
    z: float = 2.0


def nt_defaults(a: Tensor) -> WithDefaults:
    p = WithDefaults(a)
    q = WithDefaults(a, z=0.5)
    return WithDefaults(p.x * p.z + q.x * q.z, p.y + q.y)


def test_namedtuple_field_defaults():
    res = [L.jit.script(nt_defaults)(T(L, [1.0, 2.0])) for L in LIBS]
    same(*res)
    assert type(res[0]) is WithDefaults and res[0].z == 2.0
    # the fields of constructed NamedTuples fold through (p.y + q.y is 10), as torch folds them
    assert pyts.jit.script(nt_defaults).code == torch.jit.script(nt_defaults).code


CPair = collections.namedtuple("CPair", ["a", "b"])


def cnt_ops(x: Tensor) -> CPair:
    p = CPair(x, x * 2)
    return CPair(p.b, p.a + 1)


def test_collections_namedtuple_fields_are_tensors():
    res = [L.jit.script(cnt_ops)(T(L, [1.0, 3.0])) for L in LIBS]
    same(*res)
    assert type(res[0]) is CPair
    assert "NamedTuple(a : Tensor, b : Tensor) = prim::TupleConstruct" in str(pyts.jit.script(cnt_ops).graph)


# ---- script classes ----
def test_script_class_ops_against_torch():
    res = [L.jit.script(cls_ops)(T(L, [1.0, 2.0]), T(L, [0.0, 1.0])) for L in LIBS]
    same(*res)
    res = [L.jit.script(box_ops)(T(L, [1.0, -2.0])) for L in LIBS]
    same(*res)
    res = [L.jit.script(cls_in_loop)(T(L, [1.0, 2.0]), 5) for L in LIBS]
    same(*res)


def test_script_class_graph_and_code_as_torch():
    g = str(pyts.jit.script(cls_ops).graph)
    for line in ['%p.1 : __torch__.{m}.Pair = prim::CreateObject()', 'prim::CallMethod[name="__init__"](%p.1, %a.1, %b.1)',
                 'prim::CallMethod[name="swap"](%p.1)', 'prim::SetAttr[name="first"](%q.1, %',
                 '%n : int = prim::GetAttr[name="n"](%p.1)']:   # torch's value names
        assert line.format(m=__name__) in g
    code = {L: L.jit.script(cls_ops).code for L in LIBS}
    assert code[pyts] == code[torch]


def test_script_objects_cross_into_python():
    outs = [L.jit.script(cls_make)(T(L, [1.0, 2.0])) for L in LIBS]
    for o in outs:
        assert o.n == 0
        assert sorted(x for x in dir(o) if not x.startswith("__")) == ["first", "n", "scale", "second", "swap", "total"]
    same(outs[0].first, outs[1].first)
    same(outs[0].total(), outs[1].total())
    same(outs[0].swap().first, outs[1].swap().first)
    assert outs[0].n == outs[1].n == 1
    # objects from compiled code and Python instances of the class go back in
    for L, o in zip(LIBS, outs):
        take = L.jit.script(cls_take)
        r1 = take(o)
        r2 = take(Pair(T(L, [1.0, 2.0]), T(L, [3.0, 5.0])))
        if L is pyts:
            p1, p2 = r1, r2
        else:
            same(p1, r1)
            same(p2, r2)
    o = outs[0]
    o.first = T(pyts, [7.0, 7.0])
    same(o.first, torch.tensor([7.0, 7.0]))


def test_script_decorator_on_class():
    @pyts.jit.script
    class Acc:
        def __init__(self, start: int):
            self.total = start
            self.hist: List[int] = []

        def add(self, k: int) -> int:
            self.total += k
            self.hist.append(k)
            return self.total

    assert isinstance(Acc, type)

    def use(n: int) -> List[int]:
        a = Acc(n)
        a.add(2)
        a.add(3)
        return [a.total, len(a.hist)]

    assert pyts.jit.script(use)(10) == [15, 2]


def opt_cls(a: Tensor, p: Optional[Pair] = None) -> Tensor:
    if p is None:
        return a
    return p.total() + a


def nt_containers(a: Tensor, n: int) -> Tuple[List[Point], Dict[str, Point]]:
    xs: List[Point] = []
    d: Dict[str, Point] = {}
    for i in range(n):
        pt = Point(a * i, i)
        xs.append(pt)
        d[str(i)] = pt
    return xs, d


def cls_list(a: Tensor) -> Tensor:
    ps = [Pair(a, a), Pair(a * 2, a)]
    t = a * 0
    for p in ps:
        t = t + p.swap().total()
    return t


def cls_in_tuple(a: Tensor) -> Tuple[Pair, int]:
    return Pair(a, a + 1), 3


def test_classes_in_optionals_and_containers():
    res = []
    for L in LIBS:
        a = T(L, [1.0, 2.0])
        r = [L.jit.script(opt_cls)(a), L.jit.script(opt_cls)(a, Pair(a, a)), L.jit.script(nt_containers)(a, 3),
             L.jit.script(cls_list)(a)]
        p, k = L.jit.script(cls_in_tuple)(a)
        res.append(r + [p.second, p.total(), k])
    same(*res)
    xs, d = res[0][2]
    assert all(type(x) is Point for x in xs) and type(d["2"]) is Point


# ---- modules and archives ----
def make_module(L):
    class UsesClasses(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.k = 2

        def forward(self, a: Tensor) -> Point:
            p = Pair(a, a * self.k)
            b = Box(p.swap(), 3)
            return Point(b.value() + p.total(), b.grow(a))

    return UsesClasses()


def test_module_with_classes_against_torch():
    res = [L.jit.script(make_module(L))(T(L, [1.0, 3.0])) for L in LIBS]
    same(*res)
    assert type(res[0]) is Point


def make_attr_module(L):
    class HoldsObject(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = Pair(L.ones(2), L.arange(2.0))

        def forward(self, a: Tensor) -> Tensor:
            q = self.p.swap()
            return self.p.total() + a * q.first + float(self.p.n)

    return HoldsObject()


def test_script_object_as_module_attribute():
    x = [1.0, 2.0]
    ms = {L: L.jit.script(make_attr_module(L)) for L in LIBS}
    same(ms[pyts](T(pyts, x)), ms[torch](T(torch, x)))
    same(ms[pyts](T(pyts, x)), ms[torch](T(torch, x)))   # n counts calls in both
    assert ms[pyts].p.n == 2
    # archives both ways keep the object's state
    tl = torch.jit.load(_save(pyts, ms[pyts]))
    pl = pyts.jit.load(_save(torch, ms[torch]))
    same(pl(T(pyts, x)), tl(T(torch, x)))


def _save(L, m):
    b = io.BytesIO()
    L.jit.save(m, b)
    b.seek(0)
    return b


def test_archive_pyts_to_torch():
    sm = pyts.jit.script(make_module(pyts))
    b = _save(pyts, sm)
    import zipfile
    z = zipfile.ZipFile(io.BytesIO(b.getvalue()))
    names = [n for n in z.namelist() if n.endswith(".py")]
    code = "".join(z.read(n).decode() for n in names)
    assert "class Pair:\n  first : Tensor\n  second : Tensor\n  n : int\n" in code
    assert "class Point(NamedTuple):\n  x : Tensor\n  y : int\n" in code
    assert "class Box:\n  pair : __torch__." in code
    loaded = torch.jit.load(b)
    x = [1.0, 3.0]
    same(sm(T(pyts, x)), loaded(T(torch, x)))
    # and back: the pyts archive loads in pyts
    again = pyts.jit.load(_save(pyts, sm))
    same(again(T(pyts, x)), loaded(T(torch, x)))


def test_archive_torch_to_pyts():
    tm = torch.jit.script(make_module(torch))
    loaded = pyts.jit.load(_save(torch, tm))
    x = [2.0, -1.0]
    same(loaded(T(pyts, x)), tm(T(torch, x)))
    assert "__torch__." in loaded.code


def test_archive_function_with_classes_roundtrip():
    for fn, args in [(cls_ops, ([1.0, 2.0], [0.5, 0.25])), (box_ops, ([3.0],))]:
        sf = pyts.jit.script(fn)
        tf = torch.jit.load(_save(pyts, sf))
        same(sf(*[T(pyts, a) for a in args]), tf(*[T(torch, a) for a in args]))
        pf = pyts.jit.load(_save(torch, torch.jit.script(fn)))
        same(pf(*[T(pyts, a) for a in args]), tf(*[T(torch, a) for a in args]))


# ---- errors ----
def bad_attr(a: Tensor) -> Tensor:
    p = Pair(a, a)
    return p.third


def bad_arity(a: Tensor) -> Tensor:
    p = Pair(a)
    return p.first


def bad_set(a: Tensor) -> Tensor:
    p = Pair(a, a)
    p.zzz = a
    return a


def bad_field(a: Tensor) -> Tensor:
    p = Point(a, 1)
    return p.z


def bad_nt_missing(a: Tensor) -> Tensor:
    p = Point(a)
    return p.x


def bad_nt_type(a: Tensor) -> Tensor:
    p = Point(a, 1.5)
    return p.x


def bad_method(a: Tensor) -> Tensor:
    p = Pair(a, a)
    return p.nomethod()


def bad_init_type(a: Tensor) -> Tensor:
    p = Pair(a, 3)
    return p.first


@pytest.mark.parametrize("fn, msg, line_off, col", [
    (bad_attr, "object has no attribute or method 'third'. Did you forget to initialize an attribute in __init__()?", 2, 12),
    (bad_arity, "missing value for argument 'b'", 1, 9),
    (bad_set, "Tried to set nonexistent attribute: zzz. Did you forget to initialize it in __init__()?", 2, 5),
    (bad_field, "Point' object has no attribute or method 'z'", 2, 12),
    (bad_nt_missing, "Argument y not provided.", 1, 9),
    (bad_nt_type, "Expected a value of type 'int' for argument 'y' but instead found type 'float'.", 1, 9),
    (bad_method, "object has no attribute or method 'nomethod'", 2, 12),
    (bad_init_type, "Expected a value of type 'Tensor' for argument 'b' but instead found type 'int'.", 1, 9),
])
def test_compile_errors(fn, msg, line_off, col):
    with pytest.raises(CompileError) as ei:
        pyts.jit.script(fn)
    e = ei.value
    assert msg in str(e)
    assert e.lineno == fn.__code__.co_firstlineno + line_off and e.column == col
    assert "^" in str(e) and __file__.rsplit("/", 1)[-1] in str(e)
    with pytest.raises(Exception):   # torch rejects the same source
        torch.jit.script(fn)


def test_attributes_only_from_init():
    class Late:
        def __init__(self, a: int):
            self.a = a

        def later(self) -> int:
            self.b = 3
            return self.a

    def use(x: int) -> int:
        return Late(x).later()

    with pytest.raises(CompileError, match="Tried to set nonexistent attribute: b"):
        pyts.jit.script(use)
