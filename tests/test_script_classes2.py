"""Script classes, part 2, against torch.jit.script of the same source: @staticmethod (Cls.f is a
free function), @property on classes and modules (__x_getter/__x_setter), subclasses (compiled
from their own body only, as torch), NamedTuple p[k] as prim::TupleIndex, NamedTuples returned
by loaded archives, and the class types' lifetime (loading archives with classes does not leak)."""
import io
import typing
from typing import List, NamedTuple, Optional

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
from torch import Tensor  # noqa: E402  (annotations: torch resolves it, pyts knows the name)

from test_script_classes import T, same  # noqa: E402

CompileError = pyts.jit.CompileError
LIBS = [pyts, torch]
MOD = "__torch__." + __name__


def _save(L, m):
    b = io.BytesIO()
    L.jit.save(m, b)
    b.seek(0)
    return b


def _errors_like_torch(fn, msg, line_off, col):
    """pyts raises CompileError with msg at (first line + line_off, col) and a caret; torch rejects
    the same source."""
    with pytest.raises(CompileError) as ei:
        pyts.jit.script(fn)
    e = ei.value
    assert msg in str(e), str(e)
    assert (e.lineno, e.column) == (fn.__code__.co_firstlineno + line_off, col)
    assert "^" in str(e)
    with pytest.raises(Exception) as te:
        torch.jit.script(fn)
    return str(te.value)


# ---- @staticmethod ----
class WithStatic:
    def __init__(self, a: int):
        self.a = a

    @staticmethod
    def twice(x: int) -> int:
        return x * 2

    @staticmethod
    def scale(t: Tensor, k: float) -> Tensor:
        return t * k

    def use(self) -> int:
        return WithStatic.twice(self.a) + 1


class OnlyStatic:
    @staticmethod
    def inc(x: int) -> int:
        return x + 1


def st_calls(x: int, t: Tensor) -> Tensor:
    s = WithStatic(x)
    return WithStatic.scale(t, float(s.use() + WithStatic.twice(x) + OnlyStatic.inc(x)))


def st_via_self(x: int) -> int:
    s = WithStatic(x)
    return s.twice(x)


def st_construct_holder(x: int) -> int:
    return OnlyStatic().inc(x)


def test_staticmethod_as_torch():
    res = [L.jit.script(st_calls)(3, T(L, [1.0, -2.0])) for L in LIBS]
    same(*res)
    g = str(pyts.jit.script(st_calls).graph)
    # a static method is a free function of the module (torch names it by __name__ alone)
    assert f'prim::CallFunction[fn=<IValue>, qualname="{MOD}.twice"](%x.1)' in g
    assert f'qualname="{MOD}.inc"' in g and f'qualname="{MOD}.scale"' in g
    # the same code as torch's: the long function names hoisted (`_0 = <function>`), called `_0(x, )`
    code = pyts.jit.script(st_calls).code
    tcode = torch.jit.script(st_calls).code
    assert code == tcode
    assert f"= {MOD}.scale\n" in tcode and f"= {MOD}.twice\n" in tcode


def test_staticmethod_errors_as_torch():
    # torch: a static method is not a method of the object
    t = _errors_like_torch(st_via_self, "WithStatic' object has no attribute or method 'twice'", 2, 12)
    assert "has no attribute or method 'twice'" in t
    t = _errors_like_torch(st_construct_holder, "Class OnlyStatic does not have an __init__ function defined", 1, 12)
    assert "Class OnlyStatic does not have an __init__ function defined" in t


def test_staticmethod_archives_both_ways():
    x = [1.0, 2.0]

    def mk(L):
        class UsesStatic(L.nn.Module):
            def forward(self, t: Tensor) -> Tensor:
                return st_calls(2, t)
        return L.jit.script(UsesStatic())

    tl = torch.jit.load(_save(pyts, mk(pyts)))
    pl = pyts.jit.load(_save(torch, mk(torch)))
    same(pl(T(pyts, x)), tl(T(torch, x)))
    same(pl(T(pyts, x)), mk(torch)(T(torch, x)))


# ---- @property ----
class Prop:
    def __init__(self, a: int):
        self.a = a

    @property
    def dbl(self) -> int:
        return self.a * 2

    @dbl.setter
    def dbl(self, v: int):
        self.a = v // 2

    @property
    def half(self) -> float:
        return self.a / 2

    def plus(self) -> int:
        return self.dbl + 1


def prop_ops(x: int) -> float:
    p = Prop(x)
    k = p.dbl + p.plus()
    p.dbl = 10
    return float(k + p.a + p.dbl) + p.half


def prop_make(x: int) -> Prop:
    return Prop(x)


def prop_read_only(x: int) -> int:
    p = Prop(x)
    p.half = 3.0
    return p.a


def test_class_property_as_torch():
    assert pyts.jit.script(prop_ops)(3) == torch.jit.script(prop_ops)(3)
    assert pyts.jit.script(prop_ops)(7) == torch.jit.script(prop_ops)(7)
    g = str(pyts.jit.script(prop_ops).graph)
    for line in ['%k.1 : int = aten::add(', 'prim::CallMethod[name="__dbl_setter"](%p.1, %',   # torch's names
                 '%2 = prim::CallMethod[name="__dbl_getter"](%p.1)'.replace("%2 = ", ""),
                 'prim::CallMethod[name="__half_getter"](%p.1)']:
        assert line in g
    assert pyts.jit.script(prop_ops).code == torch.jit.script(prop_ops).code
    # objects returned to Python read (and write) their properties through the compiled methods
    objs = [L.jit.script(prop_make)(5) for L in LIBS]
    assert objs[0].dbl == objs[1].dbl == 10 and objs[0].half == objs[1].half == 2.5
    objs[0].dbl = 8
    assert objs[0].a == 4 and "dbl" in dir(objs[0])


def test_class_property_read_only_as_torch():
    t = _errors_like_torch(prop_read_only, "Tried to set read-only attribute: half", 2, 5)
    assert "Tried to set read-only attribute: half" in t


def make_prop_module(L):
    class PropModule(L.nn.Module):
        __jit_unused_properties__ = ["not_script"]

        def __init__(self):
            super().__init__()
            self.k = 3

        @property
        def triple(self) -> int:
            return self.k * 3

        @property
        def not_script(self):
            return {1, 2}   # a set: not TorchScript, skipped as listed

        def forward(self, t: Tensor) -> Tensor:
            return t * self.triple + Prop(self.k).dbl

    return PropModule()


def test_module_property_as_torch():
    ms = {L: L.jit.script(make_prop_module(L)) for L in LIBS}
    x = [1.0, -1.0]
    same(ms[pyts](T(pyts, x)), ms[torch](T(torch, x)))
    assert ms[pyts].code == ms[torch].code
    assert "__triple_getter" in ms[pyts]._c._methods() and "__not_script_getter" not in ms[pyts]._c._methods()
    assert ms[pyts].triple == 9   # (torch returns its property object here)
    tl = torch.jit.load(_save(pyts, ms[pyts]))
    pl = pyts.jit.load(_save(torch, ms[torch]))
    same(pl(T(pyts, x)), tl(T(torch, x)))
    assert tl._c._method_names() == ["__triple_getter", "forward"]
    assert pl.triple == 9 and pyts.jit.load(_save(pyts, ms[pyts])).triple == 9


# ---- classmethod: torch fails on the call (an internal assert); pyts refuses it ----
class WithClassMethod:
    def __init__(self, a: int):
        self.a = a

    @classmethod
    def make(cls, a: int) -> int:
        return a + 1


def cm_call(x: int) -> int:
    return WithClassMethod.make(x)


def test_classmethod_refused_as_torch():
    _errors_like_torch(cm_call, "object has no attribute or method 'make'", 1, 12)


# ---- inheritance: a subclass compiles from its own body only (torch's get_jit_class_def) ----
class Base:
    def __init__(self, a: int):
        self.a = a

    def base_only(self) -> int:
        return self.a


class Derived(Base):
    def __init__(self, a: int):
        self.a = a
        self.b = a * 10

    def both(self) -> int:
        return self.a + self.b


class NoInit(Base):
    def g(self) -> int:
        return 1


class UsesInherited(Base):
    def __init__(self, a: int):
        self.a = a

    def h(self) -> int:
        return self.base_only()


class P2(NamedTuple):
    x: int
    y: int


class P2Sub(P2):
    def total(self) -> int:
        return self.x + self.y


def inh_ok(x: int) -> int:
    return Derived(x).both() + Base(x).base_only()


def inh_inherited_method(x: int) -> int:
    return Derived(x).base_only()


def inh_inherited_in_body(x: int) -> int:
    return UsesInherited(x).h()


def inh_no_init(x: int) -> int:
    return NoInit(x).g()


def nt_sub(x: int) -> int:
    p = P2Sub(x, 2)
    return p.x * 10 + p[1]


class CallsSuper(Base):
    def __init__(self, a: int):
        super().__init__(a)


class SelfStatic:
    def __init__(self, a: int):
        self.a = a

    @staticmethod
    def k(x: int) -> int:
        return x

    def m(self) -> int:
        return self.k(self.a)


def inh_super(x: int) -> int:
    return CallsSuper(x).a


def st_self_in_method(x: int) -> int:
    return SelfStatic(x).m()


def test_super_and_static_through_self_refused_as_torch():
    for fn, cls, method, msg, col in [(inh_super, CallsSuper, "__init__", "'super' is not supported", 9),
                                      (st_self_in_method, SelfStatic, "m", "object has no attribute or method 'k'", 16)]:
        with pytest.raises(CompileError) as ei:
            pyts.jit.script(fn)
        e = ei.value
        assert msg in str(e) and "^" in str(e)
        assert (e.lineno, e.column) == (getattr(cls, method).__code__.co_firstlineno + 1, col)
        with pytest.raises(Exception):
            torch.jit.script(fn)


def test_subclass_compiles_from_its_body_as_torch():
    assert pyts.jit.script(inh_ok)(4) == torch.jit.script(inh_ok)(4) == 48
    assert pyts.jit.script(nt_sub)(3) == torch.jit.script(nt_sub)(3) == 32
    assert pyts.jit.script(inh_ok).code == torch.jit.script(inh_ok).code


def test_subclass_errors_as_torch():
    _errors_like_torch(inh_inherited_method, "Derived' object has no attribute or method 'base_only'", 1, 12)
    # a method calling an inherited one: the error is in the subclass's method
    with pytest.raises(CompileError) as ei:
        pyts.jit.script(inh_inherited_in_body)
    assert "object has no attribute or method 'base_only'" in str(ei.value)
    assert ei.value.lineno == UsesInherited.h.__code__.co_firstlineno + 1
    with pytest.raises(Exception, match="base_only"):
        torch.jit.script(inh_inherited_in_body)
    t = _errors_like_torch(inh_no_init, "Class NoInit does not have an __init__ function defined", 1, 12)
    assert "Class NoInit does not have an __init__ function defined" in t


def test_script_decorator_refuses_subclasses_as_torch():
    msg = "TorchScript classes does not support inheritance yet. Please directly inherit from 'object'."
    for L in LIBS:
        with pytest.raises(RuntimeError) as ei:
            class Sub(Base):
                def __init__(self, a: int):
                    self.a = a
            L.jit.script(Sub)
        assert msg in str(ei.value)


# ---- NamedTuple indexing ----
class NTI(NamedTuple):
    x: Tensor
    y: int
    z: List[float]


def nt_index(p: NTI) -> Tensor:
    return p[0] * p[-1][0] + float(p[1] + p[-2]) + p.x


def nt_index_range(p: NTI) -> int:
    return p[3]


def test_namedtuple_index_as_torch():
    mk = {L: NTI(T(L, [1.0, 2.0]), 3, [0.5, 4.0]) for L in LIBS}
    res = [L.jit.script(nt_index)(mk[L]) for L in LIBS]
    same(*res)
    g = {L: str(L.jit.script(nt_index).graph) for L in LIBS}
    for L in LIBS:
        assert "TupleUnpack" not in g[L]
        assert g[L].count("prim::TupleIndex(%p") == 5
    # the index as written, no source position on the TupleIndex itself (as torch)
    assert "prim::Constant[value=-1]()" in g[pyts] and "prim::Constant[value=-2]()" in g[pyts]
    assert [ln for ln in g[pyts].splitlines() if "TupleIndex" in ln and "#" in ln] == []
    assert pyts.jit.script(nt_index).code == torch.jit.script(nt_index).code
    assert "(p)[-1]" in pyts.jit.script(nt_index).code


def test_namedtuple_index_out_of_range():
    with pytest.raises(CompileError, match="Tuple index out of range. Tuple is length 3 and index is 3"):
        pyts.jit.script(nt_index_range)
    with pytest.raises(Exception, match="out of range"):
        torch.jit.script(nt_index_range)


def test_namedtuple_index_archives():
    mk = {L: NTI(T(L, [1.0, 2.0]), 3, [0.5, 4.0]) for L in LIBS}
    tf = torch.jit.load(_save(pyts, pyts.jit.script(nt_index)))
    same(pyts.jit.script(nt_index)(mk[pyts]), tf(mk[torch]))


# ---- NamedTuples returned by loaded archives ----
class Out(NamedTuple):
    val: Tensor
    n: int


def make_nt_module(L):
    class ReturnsNT(L.nn.Module):
        def forward(self, t: Tensor) -> Out:
            return Out(t * 2, 3)

        @L.jit.export
        def many(self, t: Tensor, k: int) -> List[Out]:
            return [Out(t + i, i) for i in range(k)]

        @L.jit.export
        def pair(self, t: Tensor) -> typing.Tuple[Out, int]:
            return Out(t, 1), 2

    return ReturnsNT()


def test_loaded_module_returns_namedtuples_as_torch():
    x = [1.0, 2.0]
    for src in LIBS:
        sm = src.jit.script(make_nt_module(src))
        tl = torch.jit.load(_save(src, sm))
        pl = pyts.jit.load(_save(src, sm))
        r, t = pl(T(pyts, x)), tl(T(torch, x))
        assert type(r).__name__ == type(t).__name__ == "Out"
        assert r._fields == t._fields == ("val", "n")
        assert repr(r) == repr(t)
        same(r, t)
        assert type(pl(T(pyts, x))) is type(r)   # one type for every call
        rs, ts = pl.many(T(pyts, x), 3), tl.many(T(torch, x), 3)
        assert [type(o).__name__ for o in rs] == [type(o).__name__ for o in ts] == ["Out"] * 3
        same(rs, ts)
        rp, tp = pl.pair(T(pyts, x)), tl.pair(T(torch, x))
        assert type(rp) is tuple and type(rp[0]).__name__ == "Out" and rp[1] == tp[1] == 2
    # a scripted (not loaded) module returns the Python class itself
    assert type(pyts.jit.script(make_nt_module(pyts))(T(pyts, x))) is Out


# ---- lifetime: loading archives with script classes does not leak the class types ----
class Node:
    # methods returning and making their own class: the graphs name the class they belong to
    def __init__(self, v: int):
        self.v = v
        self.hist: List[int] = [v]

    def push(self, v: int) -> "Node":
        n = Node(v + self.v)
        n.hist = self.hist + [v]
        return n

    def total(self) -> int:
        return sum(self.hist) + self.v


class Chain:
    def __init__(self, n: Node):
        self.head = n

    def grow(self, k: int) -> Node:
        self.head = self.head.push(k)
        return self.head


def make_leak_module(L):
    class Holds(L.nn.Module):
        def forward(self, t: Tensor) -> Out:
            c = Chain(Node(1).push(2))
            n = c.grow(3)
            return Out(t * float(n.total()), n.v)
    return Holds()


def _rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_loading_classes_does_not_leak():
    data = {L: _save(L, L.jit.script(make_leak_module(L))).getvalue() for L in LIBS}
    x = T(pyts, [1.0, 2.0])
    for L in LIBS:
        r = pyts.jit.load(io.BytesIO(data[L]))(x)
        same(r, torch.jit.load(io.BytesIO(data[L]))(T(torch, [1.0, 2.0])))
    for i in range(20):    # warm up the allocator
        pyts.jit.load(io.BytesIO(data[pyts if i % 2 else torch]))(x)
    r0 = _rss()
    for i in range(200):
        pyts.jit.load(io.BytesIO(data[pyts if i % 2 else torch]))(x)
    # each load compiled three classes' methods (~40 KB of graphs and code): kept, that was > 8 MB
    assert _rss() - r0 < 3 * 2**20


def nt_inferred(t: Tensor):
    return [Out(t, 1)], Out(t * 2, 2)


def make_inferred_module(L):
    class Inferred(L.nn.Module):
        def forward(self, t: Tensor):
            return Out(t + 1, 5)
    return Inferred()


def test_inferred_namedtuple_results_as_torch():
    """No return annotation: the compiled return type says where NamedTuples are (torch returns
    namedtuples there too); pyts gives the Python class itself."""
    x = [1.0, 2.0]
    (pl, pn), (tl, tn) = [L.jit.script(nt_inferred)(T(L, x)) for L in LIBS]
    assert type(pl[0]) is Out and type(pn) is Out and type(tn).__name__ == "Out"
    same((pl, pn), (tl, tn))
    r, t = [L.jit.script(make_inferred_module(L))(T(L, x)) for L in LIBS]
    assert type(r) is Out and r._fields == t._fields
    same(r, t)


def test_loaded_object_attributes_have_methods_as_torch():
    from test_script_classes import make_attr_module
    x = [1.0, 2.0]
    for src in LIBS:
        sm = src.jit.script(make_attr_module(src))
        pl, tl = pyts.jit.load(_save(src, sm)), torch.jit.load(_save(src, sm))
        # (torch's loaded module cannot hand the object to Python: "classType INTERNAL ASSERT";
        # its scripted module can, with the same state)
        tm = torch.jit.script(make_attr_module(torch))
        same(pl.p.total(), tm.p.total())
        q = pl.p.swap()
        same(q.second, tm.p.first)
        same(q.first, tm.p.second)
        assert pl.p.n == 1 and tm.p.n == 0
        pl.p.n = 0
        same(pl(T(pyts, x)), tl(T(torch, x)))


MAIN_SRC = """
from typing import NamedTuple
class S:
    def __init__(self, a: int):
        self.a = a

    @staticmethod
    def twice(x: int) -> int:
        return x * 2

def f(x: int) -> int:
    return S.twice(S(x).a)
"""


def test_names_in_main_as_torch(tmp_path):
    """Code of __main__ is __torch__ itself: classes and (static) functions are __torch__.<name>,
    as torch.jit.script names them in a script run as __main__ (torch cannot read the source of a
    class exec'd here, so its names are spelled out)."""
    path = tmp_path / "main_like.py"
    path.write_text(MAIN_SRC)
    ns = {"__name__": "__main__"}
    exec(compile(MAIN_SRC, str(path), "exec"), ns)
    sf = pyts.jit.script(ns["f"])
    assert sf(4) == 8
    assert "__torch__.S.__new__(__torch__.S)" in sf.code and "__torch__.twice(" in sf.code
    assert 'qualname="__torch__.twice"' in str(sf.graph)


class Factory:
    def __init__(self, a: int):
        self.a = a

    @staticmethod
    def make(a: int) -> "Factory":
        return Factory(a)

    def again(self) -> "Factory":
        return Factory.make(self.a + 1)


def make_factory_module(L):
    class UsesFactory(L.nn.Module):
        def forward(self, t: Tensor) -> Tensor:
            return t * float(Factory.make(2).again().a)
    return UsesFactory()


def test_static_factory_recursion_refused_on_load_as_torch():
    """A class whose method calls a static factory of the class: torch.jit.script recurses without
    end on it (RecursionError), pyts compiles it; loading the archive, torch refuses the cycle
    ("function 'make' is called recursively") and so does pyts (the method that closes it)."""
    x = [1.0, 2.0]
    sm = pyts.jit.script(make_factory_module(pyts))
    same(sm(T(pyts, x)), torch.tensor([3.0, 6.0]))
    with pytest.raises(RuntimeError, match="function 'make' is called recursively"):
        torch.jit.load(_save(pyts, sm))
    pl = pyts.jit.load(_save(pyts, sm))
    with pytest.raises(NotImplementedError, match="object has no attribute or method 'again'"):
        pl(T(pyts, x))
    assert "calls itself" in pl._archive.issues[(f"{MOD}.Factory", "again")]


# ---- printing an object: `<__torch__.Cls object at 0x...>` from print() and f-strings ----
class Printed:
    def __init__(self, a: int):
        self.a = a


def print_object(a: int) -> str:
    p = Printed(a)
    print(p)
    return f"{p}!"


def test_object_prints_as_torch(capsys):
    import re
    outs = {}
    for L in LIBS:
        r = L.jit.script(print_object)(3)
        out = capsys.readouterr().out
        outs[L] = (re.sub(r"0x[0-9a-f]+", "0x?", out), re.sub(r"0x[0-9a-f]+", "0x?", r))
        # the address printed is the object's own: the same in print() and the f-string
        assert re.search(r"0x[0-9a-f]+", r).group(0) == re.search(r"0x[0-9a-f]+", out).group(0)
    assert outs[pyts] == outs[torch] == (f"<{MOD}.Printed object at 0x?>\n", f"<{MOD}.Printed object at 0x?>!")
