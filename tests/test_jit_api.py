"""The rest of torch.jit's public API in pyts.jit, against torch 2.13.

freeze: the frozen graph and code as torch prints them (same models built with torch.nn and
pyts.nn, same weights; source comments and torch's ___torch_mangle_N stripped), outputs, archives
both ways, the C runtime, preserved attributes and methods, mutated attributes, torch's errors;
run_frozen_optimizations / optimize_for_inference. annotate, isinstance, script_if_tracing,
CompilationUnit, export_opnames, fusion settings, TopLevelTracedModule."""
import gc
import io
import re
import subprocess
import warnings
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pytest

import pyts
import pyts.config
import pyts.jit

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
warnings.filterwarnings("ignore", message=".*TorchScript.*")


def norm_graph(s):
    """Graph text without source comments, class names without module path and mangling."""
    s = re.sub(r"__torch__\.(?:[\w]+\.)*(\w+)", r"__torch__.\1", str(s))
    return "\n".join(re.sub(r" # .*$", "", line).rstrip() for line in str(s).split("\n"))


def pt(x):
    return pyts.tensor(np.asarray(x))


def both(make):
    """make(lib) built with torch and with pyts, parameters of the pyts one copied from torch's."""
    tm, pm = make(torch), make(pyts)
    for (n, tp) in tm.named_parameters():
        obj, name = pm, n
        while "." in name:
            head, name = name.split(".", 1)
            obj = getattr(obj, head)
        setattr(obj, name, pyts.nn.Parameter(pt(tp.detach().numpy())))
    for (n, tb) in tm.named_buffers():
        obj, name = pm, n
        while "." in name:
            head, name = name.split(".", 1)
            obj = getattr(obj, head)
        setattr(obj, name, pt(tb.detach().numpy()))
    return tm, pm


def weights(lib):
    lib.manual_seed(0)


# ------------------------------------------------------------------ models
def make_basic(lib):
    class Sub(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.nn.Linear(3, 2)

        def forward(self, x):
            return self.lin(x).relu()

    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = lib.nn.Parameter(lib.tensor([0.5, -1.25, 2.0]))
            self.sub = Sub()
            self.k = 2
            self.scale = 0.5

        def forward(self, x):
            y = x * self.w + self.k
            return self.sub(y) * self.scale

        @lib.jit.export
        def other(self, x):
            return x + self.w

    m = M()
    with lib.no_grad():
        m.sub.lin.weight.copy_(lib.tensor([[0.25, -0.5, 0.75], [1.0, 0.125, -0.375]]))
        m.sub.lin.bias.copy_(lib.tensor([0.5, -0.25]))
    return m


def make_mutating(lib):
    class Sub(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("cnt", lib.zeros(1))
            self.lin = lib.nn.Linear(2, 2)

        def forward(self, x):
            self.cnt += 1
            return self.lin(x) + self.cnt

    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.sub = Sub()
            self.t = lib.ones(2)
            self.n = 3

        def forward(self, x):
            self.t.add_(1)
            return self.sub(x) * self.t + self.n

    m = M()
    with lib.no_grad():
        m.sub.lin.weight.copy_(lib.tensor([[0.25, -0.5], [1.0, 0.125]]))
        m.sub.lin.bias.copy_(lib.tensor([0.5, -0.25]))
    return m


def make_control(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.nn.Linear(4, 3)
            self.drop = lib.nn.Dropout(0.5)
            self.flag = True
            self.count = 0
            self.name = "abc"

        def forward(self, x):
            y = self.drop(self.lin(x))
            if self.flag:
                y = y * 3
            else:
                y = y - 1
            self.count += 1
            return y + self.count

    m = M()
    with lib.no_grad():
        m.lin.weight.copy_(lib.arange(12.).reshape(3, 4) / 8)
        m.lin.bias.copy_(lib.tensor([0.5, -0.25, 1.0]))
    return m


def freeze_both(make, **kw):
    tm, pm = make(torch), make(pyts)
    tf = torch.jit.freeze(torch.jit.script(tm).eval(), **kw)
    pf = pyts.jit.freeze(pyts.jit.script(pm).eval(), **kw)
    return tm, pm, tf, pf


X3 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)


# ------------------------------------------------------------------ freeze
def test_freeze_graph_and_code_are_torchs():
    tm, pm, tf, pf = freeze_both(make_basic)
    assert norm_graph(pf.graph) == norm_graph(tf.graph)
    assert pf.code == tf.code
    assert "GetAttr" not in str(pf.graph) and "CallMethod" not in str(pf.graph)
    src, consts = pf.code_with_constants
    tsrc, tconsts = tf.code_with_constants
    assert src == tsrc and sorted(consts.const_mapping) == sorted(tconsts.const_mapping) == ["c0", "c1", "c2"]
    for k in tconsts.const_mapping:
        np.testing.assert_array_equal(consts.const_mapping[k].numpy(), tconsts.const_mapping[k].numpy())
    want = tf(torch.tensor(X3)).numpy()
    np.testing.assert_allclose(pf(pt(X3)).numpy(), want, rtol=1e-6)
    # the constants are detached: the frozen module's output needs no grad
    assert not pf(pt(X3)).requires_grad
    assert list(pf.named_parameters()) == [] and list(pf.named_buffers()) == []
    assert pf._c._methods() == ["forward"]   # an exported method not preserved is gone, as torch
    with pytest.raises(AttributeError):
        pf.other


def test_freeze_keeps_the_original_module_intact():
    pm = pyts.jit.script(make_basic(pyts)).eval()
    before = str(pm.graph)
    pf = pyts.jit.freeze(pm)
    assert str(pm.graph) == before
    np.testing.assert_allclose(pm(pt(X3)).detach().numpy(), pf(pt(X3)).numpy(), rtol=1e-6)
    assert [n for n, _ in pm.named_parameters()] == ["w", "sub.lin.weight", "sub.lin.bias"]
    del pm
    gc.collect()
    np.testing.assert_allclose(pf(pt(X3)).numpy(), pf(pt(X3)).numpy())


def test_freeze_preserved_attribute_and_method():
    tm, pm, tf, pf = freeze_both(make_basic, preserved_attrs=["k"])
    assert norm_graph(pf.graph) == norm_graph(tf.graph)
    assert 'prim::GetAttr[name="k"](%self)' in str(pf.graph)
    assert pf.k == tf.k == 2
    pf.k = 5
    tf.k = 5
    np.testing.assert_allclose(pf(pt(X3)).numpy(), tf(torch.tensor(X3)).numpy(), rtol=1e-6)
    tm, pm, tf, pf = freeze_both(make_basic, preserved_attrs=["other"])
    assert norm_graph(pf.other.graph if hasattr(pf.other, "graph") else pf._c._method("other").graph_str()) == \
        norm_graph(tf.other.graph)
    assert norm_graph(pf.graph) == norm_graph(tf.graph)
    np.testing.assert_allclose(pf.other(pt(X3[0])).numpy(), tf.other(torch.tensor(X3[0])).numpy())


def test_freeze_mutated_attributes_stay():
    tm, pm, tf, pf = freeze_both(make_mutating)
    assert norm_graph(pf.graph) == norm_graph(tf.graph)
    assert pf.code == tf.code
    x = X3[:, :2]
    for _ in range(3):
        np.testing.assert_allclose(pf(pt(x)).numpy(), tf(torch.tensor(x)).numpy(), rtol=1e-6)
    assert pf.t.tolist() == tf.t.tolist() == [4.0, 4.0]
    assert sorted(n for n, _ in pf._c._attrs()) == ["sub", "t"]


def test_freeze_control_flow_and_scalars():
    tm, pm, tf, pf = freeze_both(make_control)
    assert norm_graph(pf.graph) == norm_graph(tf.graph)
    assert pf.code == tf.code
    x = np.arange(8, dtype=np.float32).reshape(2, 4) / 3
    for _ in range(2):
        np.testing.assert_allclose(pf(pt(x)).numpy(), tf(torch.tensor(x)).numpy(), rtol=1e-6)
    assert "dropout" not in str(pf.graph) and "prim::If" not in str(pf.graph)


def test_freeze_errors_are_torchs():
    pm = make_basic(pyts)
    with pytest.raises(RuntimeError, match=re.escape("Freezing expects a ScriptModule as input. Please use "
                                                     "torch.jit.script or torch.jit.trace to script your 'nn.Module'.")):
        pyts.jit.freeze(pm.eval())
    with pytest.raises(RuntimeError, match=re.escape("Freezing is currently only implemented for modules in eval mode. "
                                                     "Please call .eval() on your module before freezing.")):
        pyts.jit.freeze(pyts.jit.script(pm).train())
    sm = pyts.jit.script(pm).eval()
    for bad in ["nope", "sub.nope", "nope.k"]:
        with pytest.raises(RuntimeError, match=re.escape(f"Unknown name: {bad}")):
            pyts.jit.freeze(sm, preserved_attrs=[bad])
        with pytest.raises(RuntimeError, match=re.escape(f"Unknown name: {bad}")):
            torch.jit.freeze(torch.jit.script(make_basic(torch)).eval(), preserved_attrs=[bad])

    def make_self(lib):
        class R(lib.nn.Module):
            def forward(self):
                return self
        return R()
    with pytest.raises(RuntimeError, match="attempted to freeze a module that return itself"):
        pyts.jit.freeze(pyts.jit.script(make_self(pyts)).eval())
    with pytest.raises(RuntimeError, match="attempted to freeze a module that return itself"):
        torch.jit.freeze(torch.jit.script(make_self(torch)).eval())
    with pytest.warns(DeprecationWarning, match="torch.jit.freeze` is deprecated"):
        pyts.jit.freeze(sm)


def test_freeze_submodule_attribute_preserved():
    tm, pm, tf, pf = freeze_both(make_basic, preserved_attrs=["sub.lin.bias"])
    assert norm_graph(pf.graph) == norm_graph(tf.graph)
    assert pf(pt(X3)).requires_grad and tf(torch.tensor(X3)).requires_grad   # the bias stays a parameter
    np.testing.assert_allclose(pf(pt(X3)).detach().numpy(), tf(torch.tensor(X3)).detach().numpy(), rtol=1e-6)


def test_frozen_archives_both_ways(tmp_path):
    tm, pm, tf, pf = freeze_both(make_basic)
    want = tf(torch.tensor(X3)).numpy()
    p = tmp_path / "pf.pt"
    pyts.jit.save(pf, str(p))
    t2 = torch.jit.load(str(p))
    assert t2.code == tf.code
    np.testing.assert_allclose(t2(torch.tensor(X3)).numpy(), want, rtol=1e-6)
    import zipfile
    names = zipfile.ZipFile(p).namelist()
    assert any(n.endswith("constants.pkl") for n in names)
    b = io.BytesIO()
    torch.jit.save(tf, b)
    b.seek(0)
    p2 = pyts.jit.load(b)
    assert p2.code == tf.code
    np.testing.assert_allclose(p2(pt(X3)).numpy(), want, rtol=1e-6)
    # the C runtime runs the archive pyts wrote
    np.save(tmp_path / "x.npy", X3)
    r = subprocess.run([pyts.config.get_cli(), str(p), str(tmp_path / "x.npy"), "-o", str(tmp_path / "res")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    np.testing.assert_allclose(np.load(tmp_path / "res0.npy"), want, rtol=1e-6)


def test_freeze_mutating_archive_roundtrip(tmp_path):
    tm, pm, tf, pf = freeze_both(make_mutating)
    p = tmp_path / "m.pt"
    pyts.jit.save(pf, str(p))
    t2 = torch.jit.load(str(p))
    x = X3[:, :2]
    t3 = torch.jit.freeze(torch.jit.script(make_mutating(torch)).eval())
    for _ in range(2):
        np.testing.assert_allclose(t2(torch.tensor(x)).numpy(), t3(torch.tensor(x)).numpy(), rtol=1e-6)


def test_freeze_traced_module():
    tm, pm = make_basic(torch).eval(), make_basic(pyts).eval()
    tt = torch.jit.trace(tm, torch.tensor(X3))
    ptr = pyts.jit.trace(pm, pt(X3))
    tf, pf = torch.jit.freeze(tt), pyts.jit.freeze(ptr)
    assert "GetAttr" not in str(pf.graph)
    # the traced shapes are erased, as torch's: the graphs differ only by a name pyts's tracer
    # does not give (torch names the submodule's argument %input)
    assert norm_graph(pf.graph).replace("%7", "%input") == norm_graph(tf.graph)
    np.testing.assert_allclose(pf(pt(X3)).numpy(), tf(torch.tensor(X3)).numpy(), rtol=1e-6)


def test_run_frozen_optimizations_and_optimize_for_inference():
    pm = pyts.jit.script(make_control(pyts)).eval()
    x = pt(np.arange(8, dtype=np.float32).reshape(2, 4))
    pf = pyts.jit.freeze(pm, optimize_numerics=False)
    assert "dropout" not in str(pf.graph)
    assert pyts.jit.run_frozen_optimizations(pf) is None
    opt = pyts.jit.optimize_for_inference(pyts.jit.script(make_control(pyts)))
    ref = pyts.jit.script(make_control(pyts)).eval()
    np.testing.assert_allclose(opt(x).numpy(), ref(x).detach().numpy(), rtol=1e-6)
    assert "dropout" not in str(opt.graph)
    with pytest.raises(RuntimeError, match="optimize_for_inference expects a ScriptModule as input"):
        pyts.jit.optimize_for_inference(make_control(pyts))


def test_freeze_frees_what_it_made():
    pm = pyts.jit.script(make_basic(pyts)).eval()
    pyts.jit.freeze(pm)(pt(X3))
    gc.collect()
    before = pyts._C._ir_live()
    for _ in range(3):
        pf = pyts.jit.freeze(pm)
        pf(pt(X3))
        del pf
    gc.collect()
    assert pyts._C._ir_live() == before


# ------------------------------------------------------------------ annotate, isinstance
def test_annotate_returns_its_value_and_types_scripted_code():
    v = [1, 2]
    assert pyts.jit.annotate(List[int], v) is v
    assert pyts.jit.annotate(Optional[int], None) is None

    def f(x: int):
        l = pyts.jit.annotate(List[int], [])
        l.append(x)
        d = pyts.jit.annotate(Dict[str, int], {"b": 1})
        d["a"] = x
        return l, d

    def tf(x: int):
        l = torch.jit.annotate(List[int], [])
        l.append(x)
        d = torch.jit.annotate(Dict[str, int], {"b": 1})
        d["a"] = x
        return l, d
    assert pyts.jit.script(f)(3) == torch.jit.script(tf)(3) == ([3], {"b": 1, "a": 3})
    assert f(3) == ([3], {"b": 1, "a": 3})


ISINSTANCE_CASES = [
    ([1, 2], List[int]), ([1, "a"], List[int]), ([1.5], List[int]), ([[1], [2, 3]], List[List[int]]),
    ([[1], ["x"]], List[List[int]]), ({"a": 1}, Dict[str, int]), ({1: 1}, Dict[str, int]),
    ({"a": [1]}, Dict[str, List[int]]), ((1, "a"), Tuple[int, str]), ((1, 2), Tuple[int, str]),
    ((1,), Tuple[int, str]), (None, Optional[int]), (3, Optional[int]), ("x", Optional[int]),
    ([1], Optional[List[int]]), (1, int), (True, int), (1.0, int), ("s", str), ([1], list),
    ((1, 2), (int, Tuple[int, int])), (3, (str, float)),
]


@pytest.mark.parametrize("obj,tp", ISINSTANCE_CASES)
def test_isinstance_eager_is_torchs(obj, tp):
    if tp is list:
        with pytest.raises(RuntimeError, match=re.escape("Attempted to use list without a contained type. Please add "
                                                         "a contained type, e.g. list[int]")):
            pyts.jit.isinstance(obj, tp)
        with pytest.raises(RuntimeError, match="Attempted to use list without a contained type"):
            torch.jit.isinstance(obj, tp)
        return
    assert pyts.jit.isinstance(obj, tp) == torch.jit.isinstance(obj, tp)


def test_isinstance_eager_tensors_empty_containers_and_errors():
    t = pyts.ones(2)
    assert pyts.jit.isinstance({"a": t}, Dict[str, pyts.Tensor])
    assert not pyts.jit.isinstance({"a": 1}, Dict[str, pyts.Tensor])
    assert pyts.jit.isinstance([t, t], List[pyts.Tensor])
    with pytest.warns(UserWarning, match="The inner type of a container is lost"):
        assert pyts.jit.isinstance([], List[int])
    with pytest.warns(UserWarning, match="The inner type of a container is lost"):
        assert torch.jit.isinstance([], List[int])
    for bad in (Dict, List, Tuple, Optional):
        name = {Dict: "Dict", List: "List", Tuple: "Tuple", Optional: "Optional"}[bad]
        with pytest.raises(RuntimeError, match=f"Attempted to use {name} without"):
            pyts.jit.isinstance(1, bad)
    with pytest.raises(RuntimeError, match=re.escape("Attempted to use Dict without contained types. Please add "
                                                     "contained type, e.g. Dict[int, int]")):
        pyts.jit.isinstance({}, Dict)
    with pytest.raises(RuntimeError, match="must be a type or a tuple of types"):
        pyts.jit.isinstance(1, [int])
    with pytest.raises(RuntimeError, match="must be a type or a tuple of types"):
        torch.jit.isinstance(1, [int])


def test_isinstance_scripted_graph_is_torchs():
    def pf(x: Any):
        if pyts.jit.isinstance(x, List[int]):
            return 1
        if pyts.jit.isinstance(x, Dict[str, pyts.Tensor]):
            return 2
        if pyts.jit.isinstance(x, Optional[int]):
            return 3
        return 0

    def tf(x: Any):
        if torch.jit.isinstance(x, List[int]):
            return 1
        if torch.jit.isinstance(x, Dict[str, torch.Tensor]):
            return 2
        if torch.jit.isinstance(x, Optional[int]):
            return 3
        return 0
    ps, ts = pyts.jit.script(pf), torch.jit.script(tf)
    kinds = lambda g: re.findall(r"prim::isinstance\[types=\[(.*)\]\]\(", str(g))
    assert kinds(ps.graph) == kinds(ts.graph) == ["int[]", "Dict(str, Tensor)", "int, NoneType"]
    assert [ps([1, 2]), ps({"a": pyts.ones(1)}), ps(None), ps(3), ps("x")] == \
        [ts([1, 2]), ts({"a": torch.ones(1)}), ts(None), ts(3), ts("x")] == [1, 2, 3, 3, 0]


# ------------------------------------------------------------------ script_if_tracing, tracing types
def test_script_if_tracing():
    @pyts.jit.script_if_tracing
    def sit(x):
        if pyts.jit.is_scripting():
            return x + 1
        return x - 1
    assert sit.__name__ == "sit" and sit.__wrapped__ is not None
    np.testing.assert_allclose(sit(pyts.ones(2)).numpy(), [0.0, 0.0])   # outside tracing: Python runs
    tr = pyts.jit.trace(lambda x: sit(x) * 2, pyts.ones(2), check_trace=False)
    np.testing.assert_allclose(tr(pyts.ones(2)).numpy(), [4.0, 4.0])    # while tracing: the compiled one
    # called from scripted code: the original function is compiled
    sc = pyts.jit.script(_calls_sit)
    np.testing.assert_allclose(sc(-pyts.ones(2)).numpy(), [-2.0, -2.0])
    np.testing.assert_allclose(sc(pyts.ones(2)).numpy(), [2.0, 2.0])


@pyts.jit.script_if_tracing
def _sit(x):
    if bool(x.sum() > 0):
        return x + 1
    return x - 1


def _calls_sit(x):
    return _sit(x)


def test_is_scripting_and_is_tracing():
    assert pyts.jit.is_scripting() is False and pyts.jit.is_tracing() is False
    seen = []

    def f(x):
        seen.append(pyts.jit.is_tracing())
        return x + 1
    pyts.jit.trace(f, pyts.ones(1), check_trace=False)
    assert seen == [True]

    def g(x):
        if pyts.jit.is_scripting():
            return x + 1
        return x - 1
    assert pyts.jit.script(g)(pyts.zeros(1)).item() == 1.0


def test_traced_module_types():
    m = make_mutating(pyts).eval()
    tr = pyts.jit.trace(m, pt(X3[:, :2]), check_trace=False)
    assert isinstance(tr, pyts.jit.TopLevelTracedModule)
    assert isinstance(tr, pyts.jit.TracedModule) and isinstance(tr, pyts.jit.ScriptModule)
    ttr = torch.jit.trace(make_mutating(torch).eval(), torch.tensor(X3[:, :2]), check_trace=False)
    assert [c.__name__ for c in type(tr).__mro__[:3]] == [c.__name__ for c in type(ttr).__mro__[:3]]
    assert not isinstance(pyts.jit.script(m), pyts.jit.TopLevelTracedModule)
    assert isinstance(pyts.jit.trace_module(m, {"forward": pt(X3[:, :2])}, check_trace=False),
                      pyts.jit.TopLevelTracedModule)


# ------------------------------------------------------------------ CompilationUnit
CU_SRC = '''
def g(x, y: int):
    return f(x) * y

def f(x):
    return x + 1
'''


def test_compilation_unit_functions():
    cu = pyts.jit.CompilationUnit(CU_SRC)
    tcu = torch.jit.CompilationUnit(CU_SRC)
    np.testing.assert_allclose(cu.g(pyts.ones(2), 3).numpy(), tcu.g(torch.ones(2), 3).numpy())
    assert cu.g.code == tcu.g.code
    assert cu.f.code == tcu.f.code
    assert cu.find_function("f") is cu.f and cu.find_function("zz") is None is tcu.find_function("zz")
    assert len(cu.get_functions()) == 2
    with pytest.raises(AttributeError, match=re.escape("'CompilationUnit' has no attribute 'zz'")):
        cu.zz
    with pytest.raises(AttributeError, match=re.escape("'CompilationUnit' has no attribute 'zz'")):
        tcu.zz
    cu2 = pyts.jit.CompilationUnit()
    cu2.define("def h(x):\n    return x * 2\n")
    cu2.define("def k(x):\n    return h(x) + 1\n")
    assert cu2.k(pyts.ones(1)).item() == 3.0
    def local_scope():
        scale = 5
        cu3 = pyts.jit.CompilationUnit("def s(x):\n    return x * scale\n")
        return cu3.s(pyts.ones(1)).item()
    assert local_scope() == 5.0


def test_compilation_unit_errors():
    with pytest.raises(pyts.jit.CompileError) as e:
        pyts.jit.CompilationUnit("def f(x):\n    return x +\n")
    assert (e.value.lineno, e.value.column) == (2, 15)
    assert isinstance(e.value, RuntimeError)
    with pytest.raises(pyts.jit.CompileError, match="undefined value undefined_name") as e:
        pyts.jit.CompilationUnit("def f(x):\n    return undefined_name(x)\n")
    with pytest.raises(RuntimeError, match="undefined value undefined_name"):
        torch.jit.CompilationUnit("def f(x):\n    return undefined_name(x)\n")
    assert 'File "<string>", line 2' in str(e.value)
    with pytest.raises(pyts.jit.CompileError, match="may only define functions"):
        pyts.jit.CompilationUnit("x = 1\n")


# ------------------------------------------------------------------ export_opnames, fuser settings
def make_ops(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.l = lib.nn.Linear(2, 2)

        def forward(self, x):
            y = lib.cat([self.l(x), x.relu()], 0).sum(dim=0) + 1
            if bool(y.sum() > 0):
                y = y.exp()
            return y
    return M()


def test_export_opnames_are_torchs():
    want = torch.jit.export_opnames(torch.jit.script(make_ops(torch)))
    got = pyts.jit.export_opnames(pyts.jit.script(make_ops(pyts)))
    assert got == want
    assert "aten::add.Scalar" in got and got == sorted(got)
    x = np.ones((1, 2), np.float32)
    want = torch.jit.export_opnames(torch.jit.trace(make_basic(torch), torch.tensor(X3)))
    got = pyts.jit.export_opnames(pyts.jit.trace(make_basic(pyts), pt(X3)))
    assert got == want


def test_fusion_settings_are_accepted():
    old = pyts.jit.set_fusion_strategy([("STATIC", 2), ("DYNAMIC", 10)])
    assert old == [("STATIC", 2), ("DYNAMIC", 10)]
    assert pyts.jit.set_fusion_strategy([("DYNAMIC", 3)]) == [("STATIC", 2), ("DYNAMIC", 10)]
    assert pyts.jit.set_fusion_strategy([]) == [("DYNAMIC", 3)]
    assert pyts.jit.set_fusion_strategy(old) == []
    with pytest.raises(ValueError, match="FusionBehavior only supported 'STATIC' or 'DYNAMIC', got: X"):
        pyts.jit.set_fusion_strategy([("X", 2)])
    with pytest.raises(TypeError, match="incompatible function arguments"):
        pyts.jit.set_fusion_strategy("x")
    with pytest.warns(DeprecationWarning, match="set_fusion_strategy` is deprecated"):
        pyts.jit.set_fusion_strategy(old)
    assert pyts.jit.enable_onednn_fusion(True) is None
    assert pyts.jit.onednn_fusion_enabled() is True
    pyts.jit.enable_onednn_fusion(False)
    assert pyts.jit.onednn_fusion_enabled() is False
    assert pyts.jit._set_fusion_strategy is pyts.jit.set_fusion_strategy


# ------------------------------------------------------------------ freeze: more shapes
def make_containers(lib):
    class L(lib.nn.Module):
        e: List[int]

        def __init__(self):
            super().__init__()
            self.l = [1, 2]
            self.t = (1, 2.5, "a", None)
            self.o = None
            self.e = []

        def forward(self, x):
            y = x * self.l[1] + self.t[1]
            if self.o is not None:
                y = y + 1
            return y + len(self.e), self.t

    return L()


def test_freeze_lists_tuples_and_none_fold_as_torch():
    tm, pm, tf, pf = freeze_both(make_containers)
    assert norm_graph(pf.graph) == norm_graph(tf.graph)
    assert pf.code == tf.code
    assert "GetAttr" not in str(pf.graph)
    got, want = pf(pt(X3)), tf(torch.tensor(X3))
    np.testing.assert_allclose(got[0].numpy(), want[0].numpy())
    assert got[1] == want[1] == (1, 2.5, "a", None)
    b = io.BytesIO()
    pyts.jit.save(pf, b)
    b.seek(0)
    assert torch.jit.load(b)(torch.tensor(X3))[1] == (1, 2.5, "a", None)


def test_freeze_a_loaded_module_and_a_frozen_one():
    tm = torch.jit.script(make_basic(torch)).eval()
    b = io.BytesIO()
    torch.jit.save(tm, b)
    b.seek(0)
    lm = pyts.jit.load(b).eval()
    lf = pyts.jit.freeze(lm)
    assert lf.code == torch.jit.freeze(tm).code
    del lm
    gc.collect()
    want = tm(torch.tensor(X3)).detach().numpy()
    np.testing.assert_allclose(lf(pt(X3)).numpy(), want, rtol=1e-6)
    pf = pyts.jit.freeze(pyts.jit.script(make_mutating(pyts)).eval())
    pf2 = pyts.jit.freeze(pf)
    del pf
    gc.collect()
    tf = torch.jit.freeze(torch.jit.script(make_mutating(torch)).eval())
    x = X3[:, :2]
    for _ in range(2):
        np.testing.assert_allclose(pf2(pt(x)).numpy(), tf(torch.tensor(x)).numpy(), rtol=1e-6)


def test_freeze_interface_attribute_and_fork():
    @pyts.jit.interface
    class I(pyts.nn.Module):
        def forward(self, x: pyts.Tensor) -> pyts.Tensor:
            pass

    class A(pyts.nn.Module):
        def forward(self, x):
            return x + 1

    class H(pyts.nn.Module):
        impl: I

        def __init__(self):
            super().__init__()
            self.impl = A()

        def forward(self, x):
            return self.impl.forward(x) * 2
    hf = pyts.jit.freeze(pyts.jit.script(H()).eval())
    assert hf(pyts.ones(2)).tolist() == [4.0, 4.0]   # the interface call stays a call (torch inlines it)

    class F(pyts.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = pyts.ones(2) * 3

        def helper(self, x):
            return x * self.w

        def forward(self, x):
            fut = pyts.jit.fork(self.helper, x)
            return pyts.jit.wait(fut) + self.w
    with pytest.raises(NotImplementedError, match="cannot freeze method 'forward': it forks a call on a module"):
        pyts.jit.freeze(pyts.jit.script(F()).eval())


def test_freeze_bindings_refuse_bad_input():
    with pytest.raises(TypeError, match="expected a ScriptObject"):
        pyts._C._freeze_module(3, [])
    sm = pyts.jit.script(make_basic(pyts)).eval()
    with pytest.raises(TypeError, match="preserved_attrs must be a list of str"):
        pyts._C._freeze_module(sm._c, [3])
    with pytest.raises(TypeError, match="expected a compiled function"):
        pyts._C._optimize_frozen_graph(3, True)
    with pytest.raises(TypeError, match="expected a ScriptObject"):
        pyts._C._export_opnames(None)
    with pytest.raises(RuntimeError, match="Unknown name: w.x"):
        pyts.jit.freeze(sm, preserved_attrs=["w.x"])
    # a method of a submodule is not preserved by pyts (torch's freeze keeps it)
    with pytest.raises(RuntimeError, match="freezing preserves methods of the module itself only"):
        pyts.jit.freeze(sm, preserved_attrs=["sub.forward"])
