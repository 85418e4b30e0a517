"""Tensor printing against PyTorch 2.13: repr(pyts tensor) must equal repr(torch tensor) with
"torch." read as "pyts.", for the same NumPy data, under default and changed print options."""
import math

import numpy as np
import pytest

import pyts
from pyts import _C

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def f32(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def both(a, conv=None):
    """The pyts and torch tensors over the same array, optionally converted (e.g. "bfloat16")."""
    a = np.asarray(a)
    p = pyts.from_numpy(a)
    t = torch.from_numpy(a if a.flags.writeable else a.copy())
    if conv:
        p, t = getattr(p, conv)(), getattr(t, conv)()
    return p, t


_torch_add_suffixes = torch._tensor_str._add_suffixes


def _add_pyts_suffixes(tensor_str, suffixes, indent, force_newline):
    # "pyts." is one character shorter than "torch.", which moves the line-wrap point of a
    # suffix: lay out the suffixes under the names pyts prints
    return _torch_add_suffixes(tensor_str, [s.replace("torch.", "pyts.") for s in suffixes],
                               indent, force_newline)


def expect(t):
    """torch's repr of t as pyts prints it: every "torch." read as "pyts."."""
    orig = torch._tensor_str._add_suffixes
    torch._tensor_str._add_suffixes = _add_pyts_suffixes
    try:
        return repr(t).replace("torch.", "pyts.")
    finally:
        torch._tensor_str._add_suffixes = orig


# (name, array, conversion) built once; every case runs under each print-option setting below
CASES = [
    ("rand_3x4", RNG.random((3, 4)).astype(np.float32), None),
    ("randn_5x3", f32(5, 3), None),
    ("mixed_signs_big", f32(4, 4, scale=50), None),
    ("integral", np.array([[1, 2, 3], [-4, 50, 600]], np.float32), None),
    ("integral_1d", np.array([1.0, 2.0, 3.0], np.float32), None),
    ("all_zero", np.zeros((2, 3), np.float32), None),
    ("neg_zero_int_mode", np.array([-0.0, 1.0, 2.0], np.float32), None),
    ("neg_zero_float", np.array([-0.0, 1.5, -2.25], np.float32), None),
    ("tiny", np.array([1e-5, 2e-5, 3.5e-6], np.float32), None),
    ("huge", np.array([1e9, 2.5e9, -3e10], np.float32), None),
    ("wide_ratio", np.array([0.5, 1200.0, 3.0], np.float32), None),
    ("ratio_just_1000", np.array([1.5, 1500.0], np.float32), None),
    ("huge_integral", np.array([1e20, 1.0], np.float64), None),
    ("big_not_sci", np.array([12345.678, 99999.5], np.float32), None),
    ("nan_inf", np.array([np.nan, np.inf, -np.inf, 1.5, -2.0], np.float32), None),
    ("nan_inf_int_mode", np.array([np.nan, np.inf, -np.inf, 1.0, -20.0], np.float32), None),
    ("nan_inf_sci", np.array([np.nan, np.inf, 1e-7, 1.0], np.float32), None),
    ("only_nan", np.array([np.nan, np.nan], np.float32), None),
    ("neg_nan", -np.array([np.nan, 1.5], np.float32), None),
    ("int64", RNG.integers(-1000, 1000, (3, 5)), None),
    ("int64_extremes", np.array([np.iinfo(np.int64).min, 0, np.iinfo(np.int64).max]), None),
    ("int32", RNG.integers(-50, 50, (2, 6)).astype(np.int32), None),
    ("int16", np.array([-32768, 7, 32767], np.int16), None),
    ("int8", np.array([[-128, 0], [5, 127]], np.int8), None),
    ("uint8", np.array([0, 17, 255], np.uint8), None),
    ("bool", np.array([True, False, True]), None),
    ("bool_all_true", np.array([[True, True], [True, True]]), None),
    ("float64", RNG.standard_normal((2, 3)), None),
    ("float64_sci", np.array([1e-12, 3.0]), None),
    ("float16", f32(2, 4), "half"),
    ("float16_integral", np.array([1.0, 2048.0, -3.0], np.float32), "half"),
    ("bfloat16", f32(3, 3), "bfloat16"),
    ("bfloat16_sci", np.array([1e20, 1.0, -3e-3], np.float32), "bfloat16"),
    ("scalar", np.array(1.5, np.float32), None),
    ("scalar_neg", np.array(-0.123456, np.float32), None),
    ("scalar_int_mode", np.array(3.0, np.float32), None),
    ("scalar_neg_zero", np.array(-0.0, np.float32), None),
    ("scalar_nan", np.array(np.nan, np.float32), None),
    ("scalar_inf", np.array(-np.inf, np.float32), None),
    ("scalar_tiny", np.array(1e-6, np.float32), None),
    ("scalar_int64", np.array(42), None),
    ("scalar_int32", np.array(-7, np.int32), None),
    ("scalar_bool", np.array(False), None),
    ("scalar_float64", np.array(2.5), None),
    ("scalar_bf16", np.array(0.3, np.float32), "bfloat16"),
    ("empty_0", np.zeros((0,), np.float32), None),
    ("empty_0x3", np.zeros((0, 3), np.float32), None),
    ("empty_2x0x3", np.zeros((2, 0, 3), np.float32), None),
    ("empty_int64", np.zeros((0,), np.int64), None),
    ("empty_int32", np.zeros((0,), np.int32), None),
    ("empty_bool_3x0", np.zeros((3, 0), bool), None),
    ("empty_float64", np.zeros((0, 1)), None),
    ("empty_bf16", np.zeros((0,), np.float32), "bfloat16"),
    ("wrap_30", f32(30), None),
    ("wrap_100", f32(100), None),
    ("wrap_100_int", RNG.integers(-5, 100, 100), None),
    ("wrap_100_bool", RNG.random(100) < 0.5, None),
    ("wrap_2d_rows", f32(3, 25), None),
    ("wrap_float64_sci", np.logspace(-6, 6, 27), None),
    ("summary_1d", f32(2000), None),
    ("summary_1001", np.arange(1001, dtype=np.float32), None),
    ("not_summary_1000", np.arange(1000, dtype=np.float32) / 7, None),
    ("summary_2d", f32(50, 40), None),
    ("summary_2d_narrow", f32(600, 2), None),
    ("summary_2d_wide", f32(2, 600), None),
    ("summary_3d", f32(20, 10, 8), None),
    ("summary_int64", np.arange(4000).reshape(40, 100), None),
    ("summary_bool", RNG.random((30, 40)) < 0.5, None),
    ("summary_hidden_extremes", np.concatenate([np.ones(10), [1e10], np.ones(1500)]), None),
    ("summary_nan_edges", np.concatenate([[np.nan], f32(1200), [np.inf]]).astype(np.float32), None),
    ("summary_4d", f32(6, 7, 5, 6), None),
    ("4d_small", f32(2, 2, 2, 3), None),
    ("5d_small", np.arange(32, dtype=np.float32).reshape(2, 2, 2, 2, 2), None),
    ("transposed", f32(4, 3).T, None),
    ("strided", f32(6, 8)[::2, 1::3], None),
    ("broadcast_strides", np.broadcast_to(np.arange(3, dtype=np.float32), (4, 3)), None),
    ("column", f32(5, 1), None),
    ("precision_rounding", np.array([0.00005, 0.00015, 1.99995, 2.5e-4], np.float64), None),
]

OPTION_SETS = [
    {},
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"sci_mode": True},
    {"sci_mode": False},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 5, "edgeitems": 0},
    {"edgeitems": 0},
    {"linewidth": 40},
    {"linewidth": 3},
    {"linewidth": 200, "precision": 3},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "short", "precision": 5, "sci_mode": False},
]


@pytest.fixture
def restore_options():
    yield
    pyts.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    assert pyts.get_printoptions() == torch._tensor_str.get_printoptions()


def _opt_id(o):
    return ",".join(f"{k}={v}" for k, v in o.items()) or "defaults"


@pytest.mark.parametrize("name,arr,conv", CASES, ids=[c[0] for c in CASES])
def test_repr_defaults(name, arr, conv):
    p, t = both(arr, conv)
    assert repr(p) == expect(t)
    assert str(p) == repr(p)


@pytest.mark.parametrize("opts", OPTION_SETS[1:], ids=_opt_id)
def test_repr_with_options(opts, restore_options):
    pyts.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    assert pyts.get_printoptions() == torch._tensor_str.get_printoptions()
    for name, arr, conv in CASES:
        p, t = both(arr, conv)
        assert repr(p) == expect(t), f"{name} under {opts}"


def test_full_profile_prints_everything(restore_options):
    p, t = both(np.arange(1200, dtype=np.float32).reshape(30, 40))
    pyts.set_printoptions(profile="full")
    torch.set_printoptions(profile="full")
    assert "..." not in repr(p)
    assert repr(p) == expect(t)
    pyts.set_printoptions(profile="default")
    assert "..." in repr(p)


def test_printoptions_roundtrip_and_defaults(restore_options):
    assert pyts.get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                       "linewidth": 80, "sci_mode": None}
    pyts.set_printoptions(precision=6, sci_mode=True)
    saved = pyts.get_printoptions()
    pyts.set_printoptions(profile="default")   # also resets sci_mode to None, as torch
    assert pyts.get_printoptions()["sci_mode"] is None
    pyts.set_printoptions(**saved)
    assert pyts.get_printoptions() == saved
    assert _C._get_printoptions()["precision"] == 6
    with pyts._tensor_str.printoptions(precision=1):
        assert repr(pyts.tensor([1.25, 2.5])) == "tensor([1.2, 2.5])"
    assert pyts.get_printoptions() == saved
    pyts.set_printoptions(profile="full")
    assert math.isinf(pyts.get_printoptions()["threshold"])


@pytest.mark.parametrize("bad,exc", [
    ({"precision": -1}, ValueError),
    ({"precision": 1.5}, TypeError),
    ({"edgeitems": -2}, ValueError),
    ({"linewidth": "80"}, TypeError),
    ({"threshold": "x"}, TypeError),
    ({"threshold": float("nan")}, ValueError),
    ({"sci_mode": 1}, TypeError),
])
def test_bad_printoptions_change_nothing(bad, exc, restore_options):
    before = pyts.get_printoptions()
    with pytest.raises(exc):
        pyts.set_printoptions(**bad)
    assert pyts.get_printoptions() == before
    assert repr(pyts.tensor([1.5])) == "tensor([1.5000])"


SUFFIX_CASES = [
    ("requires_grad", f32(3, 4), lambda t: t.requires_grad_()),
    ("grad_fn", f32(3, 4), lambda t: torch.tanh(t.requires_grad_())),
    ("grad_fn_long_row", f32(30), lambda t: torch.tanh(t.requires_grad_())),
    ("grad_fn_exact_fit", f32(11), lambda t: torch.tanh(t.requires_grad_())),
    ("grad_fn_scalar", np.array(0.5, np.float32), lambda t: torch.tanh(t.requires_grad_())),
    ("float64_requires_grad", RNG.standard_normal(8), lambda t: t.requires_grad_()),
    ("float64_grad_fn_wrap", RNG.standard_normal(9) * 1e-7, lambda t: torch.tanh(t.requires_grad_())),
    ("empty_requires_grad", np.zeros((0, 3)), lambda t: t.requires_grad_()),
    ("summary_grad_fn", f32(40, 40), lambda t: torch.tanh(t.requires_grad_())),
]


def _torch_suffixes(t):
    if t.grad_fn is not None:
        return [f"grad_fn=<{type(t.grad_fn).__name__}>"]
    return ["requires_grad=True"] if t.requires_grad else []


@pytest.mark.parametrize("name,arr,make", SUFFIX_CASES, ids=[c[0] for c in SUFFIX_CASES])
@pytest.mark.parametrize("linewidth", [80, 60])
def test_autograd_suffixes_layout(name, arr, make, linewidth, restore_options):
    """The C layout of extra suffixes (after dtype=, wrapped onto their own line)."""
    pyts.set_printoptions(linewidth=linewidth)
    torch.set_printoptions(linewidth=linewidth)
    t = make(torch.from_numpy(arr.copy()))
    p = pyts.from_numpy(t.detach().numpy().copy())
    assert _C._format_tensor(p, _torch_suffixes(t)) == expect(t)


def test_repr_reads_autograd_attributes():
    """_repr builds grad_fn=/requires_grad= from whatever the tensor exposes."""
    class TanhBackward0:
        pass

    class NamedNode:
        def name(self):
            return "torch::autograd::AddBackward0"

    class WithGrad(pyts.Tensor):
        grad_fn = TanhBackward0()

    class Named(pyts.Tensor):
        grad_fn = NamedNode()

    class Leaf(pyts.Tensor):
        grad_fn = None
        requires_grad = True

    class Broken(pyts.Tensor):
        @property
        def grad_fn(self):
            raise RuntimeError("view modified in-place")

    base = pyts.tensor([1.0, 2.0])
    assert repr(pyts.Tensor._make_subclass(WithGrad, base)) == \
        "WithGrad([1., 2.], grad_fn=<TanhBackward0>)"
    assert repr(pyts.Tensor._make_subclass(Named, base)) == "Named([1., 2.], grad_fn=<AddBackward0>)"
    assert repr(pyts.Tensor._make_subclass(Leaf, base)) == "Leaf([1., 2.], requires_grad=True)"
    assert repr(pyts.Tensor._make_subclass(Broken, base)) == "Broken([1., 2.], grad_fn=<Invalid>)"


def test_subclass_prefix_matches_torch():
    class MyTensor(torch.Tensor):
        pass

    class MyPts(pyts.Tensor):
        pass

    arr = f32(3, 30)
    t = torch.Tensor._make_subclass(MyTensor, torch.from_numpy(arr))
    p = pyts.Tensor._make_subclass(MyPts, pyts.from_numpy(arr))
    assert repr(p) == expect(t).replace("MyTensor(", "MyPts(").replace(" " * 9, " " * 6)


def test_format_protocol():
    p, t = both(np.array(3.14159, np.float32))
    assert f"{p}" == f"{t}" == "3.141590118408203"   # a 0-dim tensor formats its item
    for spec in (".2f", ">10.3e", "", "g"):
        assert format(p, spec) == format(t, spec)
    pi, ti = both(np.array(12))
    assert format(pi, "05d") == format(ti, "05d")
    pb, tb = both(np.array(True))
    assert format(pb, "") == format(tb, "")
    v, tv = both(f32(3))
    assert f"{v}" == expect(tv)
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        format(v, ".2f")
    with pytest.raises(TypeError):
        format(tv, ".2f")


def test_format_tensor_argument_checks():
    p = pyts.tensor([1.0])
    with pytest.raises(TypeError):
        _C._format_tensor([1.0], [])
    with pytest.raises(TypeError):
        _C._format_tensor(p, [1])
    with pytest.raises(ValueError):
        _C._format_tensor(p, ["x"] * 100)
    assert _C._format_tensor(p) == "tensor([1.])"
    assert _C._format_tensor(p, [], "Foo(") == "Foo([1.])"


def test_default_dtype_changes_dtype_suffix():
    a = RNG.standard_normal(3)
    p, t = both(a)
    q, s = both(a.astype(np.float32))
    pyts.set_default_dtype(pyts.float64)
    torch.set_default_dtype(torch.float64)
    try:
        assert repr(p) == expect(t) and "dtype" not in repr(p)
        assert repr(q) == expect(s) and "dtype=pyts.float32" in repr(q)
    finally:
        pyts.set_default_dtype(pyts.float32)
        torch.set_default_dtype(torch.float32)
