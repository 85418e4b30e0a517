"""Tracing with containers under PyTorch's strict rules: tuple nesting, list/dict outputs with
strict=True/False, inconsistent lists, example_kwarg_inputs; checked against PyTorch 2.13."""
import re
import warnings

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", category=DeprecationWarning)


def _norm(text):
    return re.sub(r" # [^\n]*", "", re.sub(r"%(\d+)", "%N", text))


def both(fn_src, n=2, **kw):
    """Trace fn_src with pyts and torch; returns (pyts result or exception, torch's)."""
    out = []
    for lib in (pyts, torch):
        ns = {"torch": lib, "__name__": "traced_fns"}
        exec(compile(fn_src, __file__, "exec"), ns)
        xs = tuple(lib.tensor([1.0, 2.0]) * (i + 1) for i in range(n))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append((lib.jit.trace(ns["f"], xs, check_trace=False, **kw), xs))
        except Exception as e:   # noqa: BLE001 - compared below
            out.append((e, xs))
    return out


def same_error(p, t):
    assert type(p) is type(t), (p, t)
    assert str(p) == str(t)


def test_strict_rejects_dict_outputs_with_pytorchs_message():
    (p, _), (t, _) = both("def f(x, y):\n    return {'s': x + y}\n")
    assert isinstance(t, RuntimeError) and "Encountering a dict at the output" in str(t)
    same_error(p, t)


def test_strict_warns_on_a_list_of_tensors():
    for lib in (pyts, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            t = lib.jit.trace(lambda x: [x + 1, x * 2], (lib.ones(2),), check_trace=False)
        msgs = [str(m.message) for m in w if m.category is lib.jit.TracerWarning]
        assert len(msgs) == 1 and msgs[0].startswith("Encountering a list at the output of the tracer")
        assert [v.tolist() for v in t(lib.ones(2))] == [[2.0, 2.0], [2.0, 2.0]]


def test_list_of_lists_output_is_rejected_like_pytorch():
    for strict in (True, False):
        (p, _), (t, _) = both("def f(x, y):\n    return [[x + y], [y]]\n", strict=strict)
        same_error(p, t)


def test_inconsistent_list_output_is_rejected_like_pytorch():
    for strict in (True, False):
        (p, _), (t, _) = both("def f(x, y):\n    return [x + y, [y]]\n", strict=strict)
        same_error(p, t)


def test_list_output_with_strict_false():
    (p, xp), (t, xt) = both("def f(x, y):\n    return [x + y, x - y]\n", strict=False)
    assert _norm(str(p.graph)) == _norm(str(t.graph))
    got, want = p(*xp), t(*xt)
    assert isinstance(got, list) and len(got) == 2
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_nested_tuple_outputs():
    (p, xp), (t, xt) = both("def f(x, y):\n    return x + y, (y * 2, (x - y,))\n")
    assert _norm(str(p.graph)) == _norm(str(t.graph))
    got, want = p(*xp), t(*xt)
    assert got[1][1][0].tolist() == want[1][1][0].tolist() == [-1.0, -2.0]


def test_dict_output_without_strict_like_pytorch():
    (p, xp), (t, xt) = both("def f(x, y):\n    return {'s': x + y, 'd': x - y}\n", strict=False)
    assert _norm(str(p.graph)) == _norm(str(t.graph))
    assert p.code == t.code
    got, want = p(*xp), t(*xt)
    assert list(got) == list(want) == ["s", "d"]
    for k in want:
        np.testing.assert_array_equal(got[k].detach().numpy(), want[k].detach().numpy())


def test_dict_with_non_tensor_values_is_rejected():
    with pytest.raises(RuntimeError, match="Only tensors"):
        pyts.jit.trace(lambda x: {"a": [x]}, (pyts.ones(1),), strict=False, check_trace=False)


def test_example_kwarg_inputs_function_and_module():
    res = {}
    for lib in (pyts, torch):
        def k(x, y=None):
            return x * 2 + y

        class M(lib.nn.Module):
            def forward(self, a, b):
                return a - b

        x, y = lib.tensor([1.0, 2.0]), lib.tensor([3.0, 5.0])
        tk = lib.jit.trace(k, example_kwarg_inputs={"y": y, "x": x})
        tm = lib.jit.trace(M(), example_kwarg_inputs={"b": y, "a": x * 3})
        res[lib.__name__] = (str(tk.graph), tk(x, y).tolist(), str(tm.graph), tm(x, y).tolist())
    p, t = res["pyts"], res["torch"]
    assert _norm(p[0]) == _norm(t[0]) and p[1] == t[1]
    assert _norm(p[2]).replace("%self.1", "%self") == _norm(t[2]) and p[3] == t[3]


def test_example_kwarg_inputs_errors():
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        pyts.jit.trace(lambda x: x, example_kwarg_inputs={"z": pyts.ones(1)})
    with pytest.raises(RuntimeError, match="example_kwarg_inputs or example_inputs"):
        pyts.jit.trace(lambda x: x)


def _trace_inputs(make_inputs, fn_src):
    """Trace fn_src on container inputs with both libraries; (graph text, traced, lib) per lib."""
    out = []
    for lib in (pyts, torch):
        ns = {"torch": lib, "__name__": "traced_fns"}
        exec(compile(fn_src, __file__, "exec"), ns)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tr = lib.jit.trace(ns["f"], make_inputs(lib), check_trace=False)
        out.append((str(tr.graph), tr, lib))
    return out


@pytest.mark.parametrize("case", ["dict", "tuple", "nested_tuple", "list"])
def test_container_inputs_trace_like_pytorch(case, tmp_path):
    """Tuples unpack (prim::TupleUnpack), lists unpack (prim::ListUnpack) and str-keyed dicts are
    read key by key (aten::__getitem__), as PyTorch's tracer binds container inputs."""
    src, make, again = {
        "dict": ("def f(d):\n    return d['a'] * 2 + d['b']\n",
                 lambda L: ({"a": L.ones(2), "b": L.tensor([1.0, 2.0])},),
                 lambda L: ({"a": L.tensor([3.0, 4.0]), "b": L.tensor([0.5, 0.25])},)),
        "tuple": ("def f(t):\n    return t[0] - t[1]\n",
                  lambda L: ((L.ones(2), L.tensor([1.0, 2.0])),),
                  lambda L: ((L.tensor([5.0, 7.0]), L.tensor([1.0, 1.5])),)),
        "nested_tuple": ("def f(t, y):\n    return t[0] * t[1][1] + y\n",
                         lambda L: ((L.ones(2), (L.ones(2), L.tensor([2.0, 3.0]))), L.ones(2)),
                         lambda L: ((L.tensor([2.0, 2.0]), (L.ones(2), L.tensor([4.0, 5.0]))), L.ones(2))),
        "list": ("def f(xs):\n    return xs[0] + xs[1]\n",
                 lambda L: ([L.ones(2), L.tensor([1.0, 2.0])],),
                 lambda L: ([L.tensor([9.0, 8.0]), L.tensor([1.0, 2.0])],)),
    }[case]
    (gp, tp, _), (gt, tt, _) = _trace_inputs(make, src)
    assert _norm(gp) == _norm(gt)
    np.testing.assert_allclose(tp(*again(pyts)).detach().numpy(), tt(*again(torch)).detach().numpy())


def test_container_inputs_reject_what_pytorch_cannot_trace():
    with pytest.raises(TypeError, match="Only dicts with str keys and Tensor values"):
        pyts.jit.trace(lambda d: d[1], ({1: pyts.ones(2)},), check_trace=False)
    with pytest.raises(TypeError, match="Type 'int' cannot be traced"):
        pyts.jit.trace(lambda t: t[0], ((pyts.ones(2), 3),), check_trace=False)
