"""Tensor attributes in scripted code and their eager faces, checked against torch.jit.script:
x.element_size(), x.nbytes, x.itemsize, x.is_leaf, x.layout / torch.strided, x.type(),
x.get_device(), x.is_signed(), x.is_sparse / is_quantized / is_meta / is_mkldnn / is_cuda,
x.is_complex(), x.is_floating_point() (values over dtypes, torch's ops in the graph, `.code`
equal to torch's and compiled back by torch, archives both ways)."""
import io
import re

import numpy as np
import pytest
import torch

import pyts
from script_diff import define, outcome, same_outcomes, same_value, script_both

DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_,
          np.complex64, np.complex128]
ARRAYS = [np.arange(6).reshape(2, 3).astype(d) for d in DTYPES] + [np.zeros((0, 4), np.float32),
                                                                  np.array(2.5, np.float64)]

# name: (source of def <name>, calls)
CASES = {
    "sizes": ("def sizes(x: Tensor):\n    return x.element_size(), x.nbytes, x.itemsize\n",
              [(a,) for a in ARRAYS]),
    "predicates": ("def predicates(x: Tensor):\n"
                   "    return (x.is_signed(), x.is_complex(), x.is_floating_point(), x.is_sparse, x.is_quantized,\n"
                   "            x.is_meta, x.is_mkldnn, x.is_cuda, x.is_leaf)\n", [(a,) for a in ARRAYS]),
    "device_layout": ("def device_layout(x: Tensor):\n"
                      "    return x.get_device(), x.layout, torch.strided, x.layout == torch.strided\n",
                      [(a,) for a in ARRAYS[:3]]),
    "type_conv": ("def type_conv(x: Tensor):\n"
                  "    return x.type(), x.type(torch.float64), x.type(dtype=torch.int32, non_blocking=True)\n",
                  [(a,) for a in ARRAYS[:3] + ARRAYS[7:9]]),
    "in_control_flow": ("def in_control_flow(x: Tensor) -> int:\n"
                        "    if x.is_floating_point() and x.element_size() >= 4:\n"
                        "        return x.nbytes\n"
                        "    return -x.itemsize\n", [(a,) for a in ARRAYS]),
}


def _define(tmp_path, name, src, lib):
    return define(tmp_path, name, src, lib, "attrs")[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_and_code_as_torch(tmp_path, name):
    src, calls = CASES[name]
    fp, ft, recompiled = script_both(_define, tmp_path, name, src)   # recompiled: pyts's .code in torch
    same_outcomes(fp, ft, recompiled, name, calls, lambda f, lib, args: outcome(f, lib, args))
    assert fp.code == ft.code


def test_graph_ops_like_torch(tmp_path):
    """each attribute is the op torch's graph holds (the prim:: ones are properties)"""
    src = CASES["predicates"][0] + CASES["sizes"][0].replace("sizes", "sizes2") + \
        "def lay(x: Tensor):\n    return x.layout, x.get_device(), x.type()\n"
    want = ["aten::is_signed", "aten::is_complex", "aten::is_floating_point", "prim::is_sparse", "prim::is_quantized",
            "prim::is_meta", "prim::is_mkldnn", "prim::is_cuda", "aten::is_leaf", "aten::element_size",
            "prim::nbytes", "prim::itemsize", "prim::layout", "aten::get_device", "aten::to"]
    for lib in (pyts, torch):
        ns = define(tmp_path, "graph", src, lib, "attrsg")
        text = "".join(str(lib.jit.script(ns[f]).graph) for f in ("predicates", "sizes2", "lay"))
        for op in want:
            assert f"= {op}(%x" in text, (lib.__name__, op)


def test_is_leaf_follows_autograd(tmp_path):
    src = ("def leafs(x: Tensor):\n    y = x * 2\n    z = y.detach()\n"
           "    return x.is_leaf, y.is_leaf, z.is_leaf, x.requires_grad, y.requires_grad\n")
    for rg in (False, True):
        want = torch.jit.script(_define(tmp_path, "leafs", src, torch))(torch.ones(2, requires_grad=rg))
        got = pyts.jit.script(_define(tmp_path, "leafs", src, pyts))(pyts.ones(2, requires_grad=rg))
        assert got == want and got[1] == (not rg)
    with torch.no_grad(), pyts.no_grad():
        want = torch.jit.script(_define(tmp_path, "leafs", src, torch))(torch.ones(2, requires_grad=True))
        got = pyts.jit.script(_define(tmp_path, "leafs", src, pyts))(pyts.ones(2, requires_grad=True))
        assert got == want == (True, True, True, True, False)


def test_eager_attributes_like_torch():
    for a in ARRAYS:
        p, t = pyts.tensor(a), torch.tensor(a)
        for attr in ("nbytes", "itemsize", "is_leaf", "is_sparse", "is_quantized", "is_meta", "is_mkldnn", "is_cuda"):
            assert getattr(p, attr) == getattr(t, attr), attr
        for meth in ("element_size", "get_device", "is_signed", "is_complex", "is_floating_point", "type"):
            assert getattr(p, meth)() == getattr(t, meth)(), meth
        assert repr(p.layout) == repr(t.layout) == "torch.strided" and p.layout is pyts.strided
    assert str(pyts.strided) == "torch.strided"
    x = pyts.tensor(np.arange(3, dtype=np.float32))
    for arg in (pyts.float64, "torch.IntTensor", "torch.BoolTensor"):
        targ = torch.float64 if arg is pyts.float64 else arg
        got, want = x.type(arg), torch.arange(3, dtype=torch.float32).type(targ)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert x.type(pyts.float32) is x   # already that dtype: the tensor itself, as torch's to()
    with pytest.raises(ValueError, match="invalid type: 'torch.Foo'"):
        x.type("torch.Foo")
    with pytest.raises(TypeError):
        x.type(3)


def test_names_refused_like_torch(tmp_path):
    src = "def names(x: Tensor):\n    return x.names\n"
    with pytest.raises(RuntimeError):
        torch.jit.script(_define(tmp_path, "names", src, torch))
    with pytest.raises(pyts.jit.CompileError):
        pyts.jit.script(_define(tmp_path, "names", src, pyts))


MODULE = ("class M(nn.Module):\n"
          "    def forward(self, x: Tensor) -> Tuple[int, int, bool, int, int, bool, bool, Tensor]:\n"
          "        y = x.type(torch.float64)\n"
          "        return (x.element_size() + y.itemsize, x.nbytes, x.is_leaf, x.layout, x.get_device(),\n"
          "                x.is_signed(), x.is_sparse or x.is_quantized or x.is_meta or x.is_mkldnn, y * 2)\n")


def _save(m, lib):
    buf = io.BytesIO()
    lib.jit.save(m, buf)
    return io.BytesIO(buf.getvalue())


def test_archives_both_ways(tmp_path):
    mods = {lib: lib.jit.script(define(tmp_path, "mod", MODULE, lib, "attrsm", nn=lib.nn)["M"]())
            for lib in (pyts, torch)}
    assert mods[pyts].code == mods[torch].code
    from_torch = pyts.jit.load(_save(mods[torch], torch))
    from_pyts = torch.jit.load(_save(mods[pyts], pyts))
    assert from_torch.code == from_pyts.code == mods[torch].code
    for a in ARRAYS[:9]:
        want = mods[torch](torch.tensor(a))
        for m, lib in ((mods[pyts], pyts), (from_torch, pyts), (from_pyts, torch)):
            got = m(lib.tensor(a))
            same_value(got if lib is pyts else tuple(got[:-1]) + (pyts.tensor(got[-1].numpy()),), want)


# ---- torch.functional's compiled functions: unique, unique_consecutive ----
UNIQ = [np.array([3, 1, 2, 3, 1, 1], np.int64), np.array([[1.5, 2.0], [1.5, 2.0], [0.5, -1.0]], np.float32),
        np.array([True, False, True]), np.zeros((0,), np.float64), np.array(7, np.int32)]
UNIQ_DIM = [np.array([[1, 2], [1, 2], [0, 5]], np.int64), np.array([[1.5, 2.0, 1.5], [0.5, -1.0, 0.5]], np.float32)]

_rng = np.random.default_rng(5)
CD = [_rng.standard_normal((4, 3)).astype(np.float32), _rng.standard_normal((5, 3)).astype(np.float32),
      _rng.standard_normal((2, 4, 3)), _rng.standard_normal((2, 1, 3))]

TD = [_rng.standard_normal((2, 3, 4)).astype(np.float32), _rng.standard_normal((4, 3, 5)).astype(np.float32),
      np.array([[1, 2], [1, 0]]), np.array([[2], [0]]), np.array(1), np.array([[2, 1, 0], [0, 1, 2]]), np.array(-1)]

FUNCTIONAL = {
    "unique_forms": ("def unique_forms(x: Tensor):\n"
                     "    return (torch.unique(x), torch.unique(x, return_inverse=True), torch.unique(x, return_counts=True),\n"
                     "            torch.unique(x, sorted=False, return_inverse=True, return_counts=True),\n"
                     "            torch.unique(x, True, False, True))\n", [(a,) for a in UNIQ]),
    "unique_dim": ("def unique_dim(x: Tensor, d: int):\n"
                   "    return torch.unique(x, dim=d), torch.unique(x, return_inverse=True, return_counts=True, dim=d)\n",
                   [(a, d) for a in UNIQ_DIM for d in (0, 1, -1)]),
    "unique_consecutive_forms": ("def unique_consecutive_forms(x: Tensor):\n"
                                 "    return (torch.unique_consecutive(x), torch.unique_consecutive(x, return_inverse=True),\n"
                                 "            torch.unique_consecutive(x, return_counts=True),\n"
                                 "            torch.unique_consecutive(x, return_inverse=True, return_counts=True),\n"
                                 "            torch.unique_consecutive(x, False, True, 0), torch.unique_consecutive(x, True))\n",
                                 [(a,) for a in UNIQ[:3] + UNIQ_DIM]),
    "unique_in_loop": ("def unique_in_loop(x: Tensor, n: int) -> List[int]:\n"
                       "    out: List[int] = []\n"
                       "    for i in range(n):\n"
                       "        u, c = torch.unique(x + i // 2, return_counts=True)\n"
                       "        out.append(int(c.sum()) + u.numel())\n"
                       "    return out\n", [(UNIQ[0], 4), (UNIQ[1], 0)]),
    "cdist_forms": ("def cdist_forms(a: Tensor, b: Tensor, p: float, mode: str):\n"
                    "    return torch.cdist(a, b), torch.cdist(a, b, p), torch.cdist(a, b, p, mode), "
                    "torch.cdist(a, b, compute_mode=mode)\n",
                    [(CD[0], CD[1], p, m) for p in (2.0, 1.0, 0.0, 3.5, float("inf"))
                     for m in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                               "donot_use_mm_for_euclid_dist")] +
                    [(CD[0], CD[1], 2.0, "bad_mode"), (CD[2], CD[3], 2.0, "use_mm_for_euclid_dist"),
                     (CD[0], CD[1], -1.0, "use_mm_for_euclid_dist"), (CD[0], CD[3], 2.0, "use_mm_for_euclid_dist")]),
}

# tensordot's Tuple/List/Tensor overloads are torch-mangled names (___torch_mangle_k), which torch
# resolves in archives but not in code compiled on its own: checked without the recompile
TENSORDOT = {
    "tensordot_forms": ("def tensordot_forms(a: Tensor, b: Tensor, n: int, da: List[int], db: List[int], d: Tensor):\n"
                        "    return (torch.tensordot(a, b), torch.tensordot(a, b, n), torch.tensordot(a, b, (da, db)),\n"
                        "            torch.tensordot(a, b, [da, db]), torch.tensordot(a, b, d), torch.tensordot(a, b, dims=1))\n",
                        [(TD[0], TD[1], n, da, db, d) for n in (0, 1, 2)
                         for (da, db, d) in (([1, 2], [1, 0], TD[2]), ([2], [0], TD[3]), ([], [], TD[4]))] +
                        [(TD[0], TD[1], -1, [2], [0], TD[3]), (TD[0], TD[1], 4, [2], [0], TD[3]),
                         (TD[0], TD[1], 1, [2], [1], TD[3]), (TD[0], TD[1], 1, [2], [0], TD[5]),
                         (TD[0], TD[1], 1, [2], [0], TD[6])]),
    "tensordot_out": ("def tensordot_out(a: Tensor, b: Tensor, o: Tensor):\n"
                      "    r = torch.tensordot(a, b, ([1, 2], [1, 0]), out=o)\n"
                      "    return r, o\n", [(TD[0], TD[1], np.zeros((2, 5), np.float32)),
                                           (TD[0], TD[1], np.zeros((2, 5), np.float64))]),
}


def _unmangled(code):
    # torch numbers mangled names by its process-wide compile history (the overload used first
    # keeps the plain name there); pyts numbers overloads by declaration order
    return re.sub(r"___torch_mangle_\d+\.", "___torch_mangle_N.", code).replace("functional.tensordot", "functional.___torch_mangle_N.tensordot")


@pytest.mark.parametrize("name", sorted(TENSORDOT))
def test_tensordot_like_torch(tmp_path, name):
    src, calls = TENSORDOT[name]
    fp, ft = (lib.jit.script(_define(tmp_path, name, src, lib)) for lib in (pyts, torch))
    assert _unmangled(fp.code) == _unmangled(ft.code)
    run = lambda f, lib, args: outcome(f, lib, args)   # noqa: E731
    for args in calls:
        kind, want = run(ft, torch, args)
        k, got = run(fp, pyts, args)
        assert k == kind, (args, got, want)
        if kind == "raise":
            assert issubclass(got, want) or issubclass(got, RuntimeError), (args, got, want)
        else:
            same_value(got, want, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(FUNCTIONAL))
def test_functional_like_torch(tmp_path, name):
    src, calls = FUNCTIONAL[name]
    fp, ft, recompiled = script_both(_define, tmp_path, name, src)
    same_outcomes(fp, ft, recompiled, name, calls, lambda f, lib, args: outcome(f, lib, args))
    assert fp.code == ft.code


def test_unique_calls_torch_functional(tmp_path):
    """torch.unique is a call of torch.functional's _return_* function chosen by return_inverse,
    then return_counts (torch's positions, also unique_consecutive's), in pyts's graph as in torch's"""
    src = ("def g(x: Tensor):\n    return (torch.unique(x), torch.unique(x, return_inverse=True),\n"
           "            torch.unique(x, return_counts=True), torch.unique(x, return_inverse=True, return_counts=True),\n"
           "            torch.unique_consecutive(x, False, True), torch.unique_consecutive(x, True))\n")
    names = ["_return_output", "_return_inverse", "_return_counts", "_return_inverse_and_counts",
             "_consecutive_return_inverse", "_consecutive_return_counts"]
    for lib in (pyts, torch):
        f = lib.jit.script(_define(tmp_path, "g", src, lib))
        prefix = "__torch__.torch.functional."
        called = [line.split(" = ")[1] for line in f.code.splitlines() if f" = {prefix}" in line]
        assert sorted(called) == sorted(prefix + n for n in names), called
        assert str(f.graph).count("prim::CallFunction") == len(names)


def test_unique_dispatch_needs_constant(tmp_path):
    src = "def h(x: Tensor, b: bool):\n    return torch.unique(x, return_inverse=b)\n"
    with pytest.raises(RuntimeError, match="boolean dispatch"):
        torch.jit.script(_define(tmp_path, "h", src, torch))
    with pytest.raises(pyts.jit.CompileError, match="boolean dispatch"):
        pyts.jit.script(_define(tmp_path, "h", src, pyts))


UMODULE = ("class U(nn.Module):\n"
           "    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:\n"
           "        u, inv, cnt = torch.unique(x, sorted=True, return_inverse=True, return_counts=True)\n"
           "        v, c2 = torch.unique_consecutive(x.flatten(), return_counts=True)\n"
           "        d = torch.cdist(x.view(-1, 1).double(), x.view(-1, 1).double(), 1.0, 'donot_use_mm_for_euclid_dist')\n"
           "        t = torch.tensordot(d, d, ([0], [1])) + torch.tensordot(d, d, 1)\n"
           "        return u, inv, cnt, v, c2 + torch.unique(x.view(-1, 1), dim=0).numel() + t.sum().long()\n")


def test_unique_archives_both_ways(tmp_path):
    mods = {lib: lib.jit.script(define(tmp_path, "umod", UMODULE, lib, "attrsu", nn=lib.nn)["U"]())
            for lib in (pyts, torch)}
    # (the code texts differ only in tensordot's overload names: see _unmangled)
    from_torch = pyts.jit.load(_save(mods[torch], torch))
    from_pyts = torch.jit.load(_save(mods[pyts], pyts))
    assert _unmangled(from_torch.code).count("torch.functional.") == _unmangled(mods[torch].code).count("torch.functional.")
    for a in UNIQ[:3]:
        want = mods[torch](torch.tensor(a))
        for m, lib in ((mods[pyts], pyts), (from_torch, pyts), (from_pyts, torch)):
            got = m(lib.tensor(a))
            same_value(got if lib is pyts else tuple(pyts.tensor(t.numpy()) for t in got), want)
    # pyts's archive holds torch.functional's functions, compiled back by torch with torch's text
    from_pyts_again = pyts.jit.load(_save(from_pyts, torch))
    same_value(from_pyts_again(pyts.tensor(UNIQ[0])), mods[torch](torch.tensor(UNIQ[0])))
