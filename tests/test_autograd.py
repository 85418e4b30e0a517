"""Autograd against PyTorch 2.13: every registry row with a formula is checked by finite
differences (float64), against torch's gradients and grad_fn name, and through a second
(create_graph) backward; plus the engine's behaviour: accumulation, retain_graph, in-place rules,
version counters, grad mode, grad_fn objects and the error messages."""
import re
import threading

import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def arr(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape)


def P(a, requires_grad=True):
    """pyts float tensor from a numpy array (its own copy)."""
    t = pyts.from_numpy(np.array(a, copy=True))
    return t.requires_grad_() if requires_grad else t


def T(a, requires_grad=True):
    t = torch.from_numpy(np.array(a, copy=True))
    return t.requires_grad_() if requires_grad else t


def close(p, t, rtol=1e-6, atol=1e-7, msg=""):
    assert p is not None, msg + ": pyts gave None"
    tn = t.detach().numpy(force=True) if isinstance(t, torch.Tensor) else np.asarray(t)
    assert tuple(p.shape) == tn.shape, f"{msg}: shape {tuple(p.shape)} != {tn.shape}"
    assert str(p.dtype).split(".")[-1] == str(tn.dtype) or tn.dtype == np.float32 and p.dtype == pyts.float32, msg
    np.testing.assert_allclose(p.detach().numpy(), tn, rtol=rtol, atol=atol, err_msg=msg)


def name_of(fn):
    return None if fn is None else type(fn).__name__


# =====================================================================================
# the formula table: every differentiable row has one; every formula is right
# =====================================================================================
NODIFF = 8
FORMULAS = pyts._C._autograd_formulas()
ROWS = {r[1].split("(")[0]: r for r in pyts._C._ops()}   # "add.Tensor" -> (id, schema, name, flags)


def _schema_args(schema):
    inside = schema[schema.index("(") + 1: schema.rindex(") ->")]
    return [a.strip() for a in inside.split(",") if a.strip()]


def _needs_formula(schema, flags):
    if flags & NODIFF:
        return False
    args = _schema_args(schema)
    if any(a.startswith("Tensor(") and "!" in a and a.endswith(" out") for a in args):
        return False   # out= rows never record
    rets = schema[schema.rindex("->") + 2:]
    has_tensor_in = any(a.startswith("Tensor") for a in args)
    return has_tensor_in and "Tensor" in rets


# Differentiable rows whose backward formula is still to be written (issue: autograd and nn).
# Their forward runs; backward through them raises "derivative for aten::X is not implemented".
# The list must shrink, never grow: the test fails for any other row without a formula, and for a
# row listed here that has gained one.
FORMULAS_TO_WRITE = set()


def test_every_differentiable_row_has_formula():
    missing = {k for k, (_, schema, _, flags) in ROWS.items()
               if _needs_formula(schema, flags) and k not in FORMULAS}
    unexpected = sorted(missing - FORMULAS_TO_WRITE)
    assert not unexpected, ("differentiable registry rows without a line in csrc/autograd/derivatives.def "
                            f"(or mark them PTS_F_NODIFF): {unexpected}")
    done = sorted(FORMULAS_TO_WRITE - missing)
    assert not done, f"rows that now have formulas: remove them from FORMULAS_TO_WRITE: {done}"


def test_no_formula_for_nondifferentiable_rows():
    # in-place rows that overwrite values (fill_, zero_) are recorded with zero gradient, as torch
    bad = [k for k, (_, _, _, flags) in ROWS.items()
           if flags & NODIFF and k in FORMULAS and not k.split(".")[0].endswith("_")]
    assert not bad, f"rows flagged PTS_F_NODIFF that have a formula: {bad}"


# Inputs per row: a list of (args, kwargs). float64 arrays are leaves that require grad; other
# values are passed as they are. Rows not listed get elementwise defaults from their schema.
_mat = arr


class DT:
    """A sample dtype argument, named as in both libraries."""

    def __init__(self, name):
        self.name = name


class Const:
    """A sample argument passed as a tensor that does not require grad (masks, indices, ...)."""

    def __init__(self, a):
        self.a = np.asarray(a)




SAMPLES = {
    "add.Tensor": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {"alpha": 2.5}),
                   ((_mat(3, 1), _mat(1, 4)), {}), ((_mat(3, 4), 2.0), {}), ((_mat(), _mat(2, 3)), {})],
    "sub.Tensor": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(2, 3, 4), _mat(3, 1)), {"alpha": -0.5}),
                   ((1.5, _mat(3, 4)), {})],
    "mul.Tensor": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {}), ((_mat(4, 1), _mat(1, 3)), {}),
                   ((_mat(3, 4), 3.0), {})],
    "div.Tensor": [((_mat(3, 4), _mat(3, 4, low=0.5, high=2)), {}), ((_mat(3, 4), _mat(4, low=1, high=3)), {}),
                   ((2.0, _mat(3, 4, low=0.5, high=2)), {})],
    "add_.Tensor": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {"alpha": 3})],
    "sub_.Tensor": [((_mat(3, 4), _mat(1, 4)), {"alpha": 2})],
    "mul_.Tensor": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {})],
    "div_.Tensor": [((_mat(3, 4), _mat(3, 4, low=0.5, high=2)), {})],
    "log": [((_mat(3, 4, low=0.2, high=3),), {})],
    "log_": [((_mat(3, 4, low=0.2, high=3),), {})],
    "log1p": [((_mat(3, 4, low=-0.5, high=3),), {})],
    "log1p_": [((_mat(3, 4, low=-0.5, high=3),), {})],
    "log2": [((_mat(3, 4, low=0.2, high=3),), {})],
    "log2_": [((_mat(3, 4, low=0.2, high=3),), {})],
    "sqrt": [((_mat(3, 4, low=0.2, high=3),), {})],
    "sqrt_": [((_mat(3, 4, low=0.2, high=3),), {})],
    "rsqrt": [((_mat(3, 4, low=0.2, high=3),), {})],
    "rsqrt_": [((_mat(3, 4, low=0.2, high=3),), {})],
    "reciprocal": [((_mat(3, 4, low=0.5, high=3),), {})],
    "reciprocal_": [((_mat(3, 4, low=0.5, high=3),), {})],
    "gelu": [((_mat(3, 4),), {}), ((_mat(3, 4),), {"approximate": "tanh"})],
    "gelu_": [((_mat(3, 4),), {"approximate": "tanh"})],
    "round.decimals": [((_mat(3, 4),), {"decimals": 2})],
    "round_.decimals": [((_mat(3, 4),), {"decimals": 1})],
    "div.Tensor_mode": [((_mat(3, 4), _mat(3, 4, low=0.5, high=2)), {"rounding_mode": None}),
                        ((_mat(3, 4), _mat(4, low=0.5, high=2)), {"rounding_mode": "floor"})],
    "div_.Tensor_mode": [((_mat(3, 4), _mat(3, 4, low=0.5, high=2)), {"rounding_mode": "trunc"})],
    "div.Scalar_mode": [((_mat(3, 4), 2.5), {"rounding_mode": None}), ((_mat(3, 4), 2.5), {"rounding_mode": "floor"})],
    "div_.Scalar_mode": [((_mat(3, 4), 2.5), {"rounding_mode": "trunc"})],
    "remainder.Tensor": [((_mat(3, 4), _mat(3, 4, low=0.6, high=1.5)), {})],
    "remainder_.Tensor": [((_mat(3, 4), _mat(4, low=0.6, high=1.5)), {})],
    "fmod.Tensor": [((_mat(3, 4), _mat(3, 4, low=0.6, high=1.5)), {})],
    "fmod_.Tensor": [((_mat(3, 4), _mat(3, 4, low=0.6, high=1.5)), {})],
    "floor_divide": [((_mat(3, 4), _mat(3, 4, low=0.6, high=1.5)), {})],
    "floor_divide_.Tensor": [((_mat(3, 4), _mat(3, 4, low=0.6, high=1.5)), {})],
    "pow.Tensor_Scalar": [((_mat(3, 4, low=0.3, high=2), 2.5), {}), ((_mat(3, 4), 3), {}), ((_mat(3, 4), 0), {})],
    "pow_.Scalar": [((_mat(3, 4, low=0.3, high=2), -1.5), {})],
    "pow.Tensor_Tensor": [((_mat(3, 4, low=0.3, high=2), _mat(3, 4)), {}), ((_mat(3, 4, low=0.3, high=2), _mat(4)), {})],
    "pow_.Tensor": [((_mat(3, 4, low=0.3, high=2), _mat(3, 4)), {})],
    "pow.Scalar": [((2.5, _mat(3, 4)), {})],
    "maximum": [((_mat(3, 4), _mat(3, 4)), {}), ((np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 5.0])), {})],
    "minimum": [((_mat(3, 4), _mat(4)), {}), ((np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 5.0])), {})],
    "clamp": [((_mat(3, 4), -0.5, 0.8), {}), ((_mat(3, 4), None, 0.3), {})],
    "clamp_": [((_mat(3, 4), -0.5), {})],
    "clamp.Tensor": [((_mat(3, 4), _mat(3, 4, low=-1, high=-0.2), _mat(4, low=0.2, high=1)), {}),
                     ((_mat(3, 4), None, _mat(3, 4)), {})],
    "clamp_.Tensor": [((_mat(3, 4), _mat(3, 4, low=-1, high=-0.2), _mat(3, 4, low=0.2, high=1)), {})],
    "clamp_min": [((_mat(3, 4), 0.1), {})],
    "clamp_min_": [((_mat(3, 4), 0.1), {})],
    "clamp_min.Tensor": [((_mat(3, 4), _mat(3, 4)), {})],
    "clamp_min_.Tensor": [((_mat(3, 4), _mat(4)), {})],
    "clamp_max": [((_mat(3, 4), 0.1), {})],
    "clamp_max_": [((_mat(3, 4), 0.1), {})],
    "clamp_max.Tensor": [((_mat(3, 4), _mat(3, 4)), {})],
    "clamp_max_.Tensor": [((_mat(3, 4), _mat(3, 4)), {})],
    "where.self": [((Const(_mat(3, 4) > 0), _mat(3, 4), _mat(4)), {})],
    "where.ScalarSelf": [((Const(_mat(3, 4) > 0), 1.5, _mat(3, 4)), {})],
    "where.ScalarOther": [((Const(_mat(3, 4) > 0), _mat(3, 4), 1.5), {})],
    "masked_fill.Scalar": [((_mat(3, 4), Const(_mat(3, 4) > 0), 0.5), {}), ((_mat(3, 4), Const(_mat(4) > 0), 2), {})],
    "masked_fill_.Scalar": [((_mat(3, 4), Const(_mat(3, 4) > 0), 0.5), {})],
    "masked_fill.Tensor": [((_mat(3, 4), Const(_mat(3, 4) > 0), _mat()), {})],
    "masked_fill_.Tensor": [((_mat(3, 4), Const(_mat(3, 4) > 0), _mat()), {})],
    "addcmul": [((_mat(3, 4), _mat(3, 4), _mat(4)), {"value": 0.5})],
    "addcmul_": [((_mat(3, 4), _mat(3, 4), _mat(3, 4)), {})],
    "addcdiv": [((_mat(3, 4), _mat(3, 4), _mat(4, low=0.5, high=2)), {"value": 2})],
    "addcdiv_": [((_mat(3, 4), _mat(3, 4), _mat(3, 4, low=0.5, high=2)), {})],
    "lerp.Scalar": [((_mat(3, 4), _mat(3, 4), 0.3), {})],
    "lerp_.Scalar": [((_mat(3, 4), _mat(4), 0.3), {})],
    "lerp.Tensor": [((_mat(3, 4), _mat(3, 4), _mat(3, 4)), {})],
    "lerp_.Tensor": [((_mat(3, 4), _mat(3, 4), _mat(4)), {})],
    "sum.dim_IntList": [((_mat(3, 4), [1]), {}), ((_mat(2, 3, 4), [0, 2]), {"keepdim": True}),
                        ((_mat(3, 4), None), {})],
    "mean.dim": [((_mat(3, 4), [1]), {}), ((_mat(2, 3, 4), [-1]), {"keepdim": True})],
    "t": [((_mat(3, 4),), {}), ((_mat(5),), {})],
    "bmm": [((_mat(2, 3, 4), _mat(2, 4, 5)), {})],
    "mv": [((_mat(3, 4), _mat(4)), {})],
    "addmv": [((_mat(3), _mat(3, 4), _mat(4)), {}), ((_mat(1), _mat(3, 4), _mat(4)), {"beta": 0.5, "alpha": 2})],
    "addmv_": [((_mat(3), _mat(3, 4), _mat(4)), {"alpha": -1})],
    "addmm_": [((_mat(3, 5), _mat(3, 4), _mat(4, 5)), {"beta": 2})],
    "dot": [((_mat(4), _mat(4)), {})],
    "outer": [((_mat(3), _mat(4)), {})],
    "ger": [((_mat(3), _mat(4)), {})],
    "max": [((_mat(3, 4),), {}), ((np.array([[1.0, 3.0], [3.0, 0.0]]),), {})],
    "min": [((_mat(3, 4),), {}), ((np.array([[1.0, -3.0], [-3.0, 0.0]]),), {})],
    "max.dim": [((_mat(3, 4), 1), {}), ((_mat(3, 4), 0), {"keepdim": True})],
    "min.dim": [((_mat(3, 4), -1), {})],
    "max.other": [((_mat(3, 4), _mat(4)), {})],
    "min.other": [((_mat(3, 4), _mat(3, 4)), {})],
    "amax": [((_mat(3, 4), [1]), {}), ((np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]]), [0, 1]), {"keepdim": True})],
    "amin": [((_mat(2, 3, 4), [0, 2]), {})],
    "var": [((_mat(3, 4),), {}), ((_mat(3, 4), False), {})],
    "var.dim": [((_mat(3, 4), [1]), {}), ((_mat(2, 3, 4), [0, 2], False, True), {})],
    "var.correction": [((_mat(3, 4), [0]), {"correction": 2, "keepdim": True}), ((_mat(3, 4), None), {})],
    "std": [((_mat(3, 4),), {})],
    "std.dim": [((_mat(3, 4), [1]), {"keepdim": True})],
    "std.correction": [((_mat(3, 4), [0]), {"correction": 0})],
    "logsumexp": [((_mat(3, 4), [1]), {}), ((_mat(2, 3, 4), [0, 2]), {"keepdim": True})],
    "cumsum": [((_mat(3, 4), 1), {}), ((_mat(3, 4), 0), {})],
    "prod": [((_mat(3, 4, low=0.5, high=1.5),), {}), ((np.array([[1.5, 0.0], [2.0, -1.0]]),), {}),
             ((np.array([[1.5, 0.0], [0.0, -1.0]]),), {})],
    "prod.dim_int": [((_mat(3, 4), 1), {}), ((np.array([[1.5, 0.0, 2.0], [0.0, 0.0, -1.0]]), 1, True), {}),
                     ((_mat(2, 3, 4), 0), {})],
    "norm.Scalar": [((_mat(3, 4),), {}), ((_mat(3, 4), 1), {}), ((_mat(3, 4), 3), {}), ((_mat(3, 4), 0.5), {}),
                    ((_mat(3, 4), float("inf")), {})],
    "norm.ScalarOpt_dim": [((_mat(3, 4), 2, [1]), {}), ((_mat(2, 3, 4), 3, [0, 2], True), {}),
                           ((_mat(3, 4), float("inf"), [0]), {})],
    "norm.ScalarOpt_dtype": [((_mat(3, 4), 2), {"dtype": DT("float64")})],
    "norm.ScalarOpt_dim_dtype": [((_mat(3, 4), 2, [0], True), {"dtype": DT("float64")})],
    "cumsum_": [((_mat(3, 4), 1), {})],
    "cumprod": [((_mat(3, 4), 1), {}), ((_mat(2, 3, 4), 0), {}), ((_mat(5), -1), {}),
                ((np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.5, 0.0, 3.0]]), 1), {}),
                ((np.array([[0.0, 1.5], [2.0, 0.5], [0.0, -1.0]]), 0), {}), ((_mat(), 0), {})],
    "cumprod_": [((_mat(3, 4), 0), {}), ((np.array([1.5, 0.0, 2.0, -1.0]), 0), {})],
    "mm": [((_mat(3, 4), _mat(4, 5)), {})],
    "addmm": [((_mat(5), _mat(3, 4), _mat(4, 5)), {}), ((_mat(3, 5), _mat(3, 4), _mat(4, 5)), {"beta": 0.5, "alpha": 2})],
    "matmul": [((_mat(3, 4), _mat(4, 5)), {}), ((_mat(4), _mat(4)), {}), ((_mat(3, 4), _mat(4)), {}),
               ((_mat(4), _mat(4, 2)), {}), ((_mat(2, 3, 4), _mat(4, 5)), {}), ((_mat(3, 4), _mat(2, 4, 5)), {})],
    "linear": [((_mat(3, 4), _mat(5, 4), _mat(5)), {}), ((_mat(3, 4), _mat(5, 4)), {}),
               ((_mat(2, 3, 4), _mat(5, 4), _mat(5)), {}), ((_mat(4), _mat(5, 4), _mat(5)), {})],
    "view": [((_mat(3, 4), [2, 6]), {})],
    "reshape": [((_mat(3, 4), [12]), {}), ((_mat(3, 4), [-1, 2]), {})],
    "unsqueeze": [((_mat(3, 4), 1), {})],
    "squeeze.dim": [((_mat(3, 1, 4), 1), {})],
    "flatten.using_ints": [((_mat(2, 3, 4), 1), {})],
    "expand": [((_mat(3, 1), [2, 3, 4]), {})],
    "transpose.int": [((_mat(2, 3, 4), 0, 2), {})],
    "permute": [((_mat(2, 3, 4), [2, 0, 1]), {}), ((_mat(2, 3, 4), [-1, 1, 0]), {})],
    "swapaxes": [((_mat(2, 3, 4), 0, -1), {})],
    "swapdims": [((_mat(2, 3, 4), 1, 2), {})],
    "t_": [((_mat(3, 4),), {})],
    "expand_as": [((_mat(3, 1), Const(np.zeros((2, 3, 4)))), {})],
    "view_as": [((_mat(3, 4), Const(np.zeros((2, 6)))), {})],
    "reshape_as": [((_mat(3, 4), Const(np.zeros((12,)))), {})],
    "unflatten.int": [((_mat(3, 4), 1, [2, 2]), {})],
    "squeeze": [((_mat(3, 1, 4, 1),), {})],
    "squeeze.dims": [((_mat(3, 1, 4, 1), [1, 3]), {})],
    "select.int": [((_mat(3, 4), 1, 2), {}), ((_mat(2, 3, 4), 0, -1), {})],
    "slice.Tensor": [((_mat(5, 4), 0, 1, 4), {}), ((_mat(3, 7), 1, None, None, 2), {}), ((_mat(3, 7), -1, -5, -1), {})],
    "narrow": [((_mat(5, 4), 0, 1, 3), {}), ((_mat(3, 6), 1, -4, 2), {})],
    "cat": [(([_mat(2, 3), _mat(4, 3)],), {}), (([_mat(2, 3), Const(_mat(2, 2)), _mat(2, 1)], 1), {})],
    "stack": [(([_mat(2, 3), _mat(2, 3)],), {}), (([_mat(2, 3), Const(_mat(2, 3)), _mat(2, 3)], 2), {})],
    "split.Tensor": [((_mat(5, 3), 2), {}), ((_mat(3, 4), 3, 1), {})],
    "split.sizes": [((_mat(5, 3), [2, 3]), {})],
    "split_with_sizes": [((_mat(3, 5), [1, 4], 1), {})],
    "chunk": [((_mat(5, 3), 2), {})],
    "unbind.int": [((_mat(3, 4),), {}), ((_mat(2, 3, 4), 2), {})],
    "repeat": [((_mat(2, 3), [2, 1, 3]), {}), ((_mat(3), [2]), {})],
    "flip": [((_mat(2, 3, 4), [0, 2]), {})],
    "roll": [((_mat(3, 4), [1, -2], [0, 1]), {}), ((_mat(3, 4), [5]), {})],
    "tril": [((_mat(4, 4),), {}), ((_mat(3, 5), 1), {})],
    "tril_": [((_mat(4, 4), -1), {})],
    "triu": [((_mat(4, 4),), {}), ((_mat(3, 5), -1), {})],
    "triu_": [((_mat(4, 4), 1), {})],
    "constant_pad_nd": [((_mat(2, 3), [1, 2]), {}), ((_mat(2, 3), [1, 0, -1, 1], 0.5), {})],
    "index_select": [((_mat(4, 3), 0, Const(np.array([0, 2, 2]))), {}), ((_mat(4, 3), 1, Const(np.array([1]))), {})],
    "gather": [((_mat(3, 4), 1, Const(np.array([[0, 0], [1, 3], [2, 2]]))), {})],
    "scatter.src": [((_mat(3, 4), 1, Const(np.array([[0, 1], [1, 3], [2, 0]])), _mat(3, 2)), {})],
    "scatter.value": [((_mat(3, 4), 1, Const(np.array([[0, 1], [1, 3], [2, 0]])), 1.5), {})],
    "scatter_.src": [((_mat(3, 4), 0, Const(np.array([[0, 1, 2, 0]])), _mat(1, 4)), {})],
    "scatter_.value": [((_mat(3, 4), 0, Const(np.array([[0, 1, 2, 0]])), -1.0), {})],
    "scatter_add": [((_mat(3, 4), 1, Const(np.array([[0, 0], [1, 3], [2, 2]])), _mat(3, 2)), {})],
    "scatter_add_": [((_mat(3, 4), 1, Const(np.array([[0, 0], [1, 3], [2, 2]])), _mat(3, 2)), {})],
    "index.Tensor": [((_mat(4, 3), [Const(np.array([0, 2, 0]))]), {}),
                     ((_mat(4, 3), [None, Const(np.array([2, 1]))]), {}),
                     ((_mat(4, 3), [Const(_mat(4, 3) > 0)]), {})],
    "index_put": [((_mat(4, 3), [Const(np.array([0, 2]))], _mat(2, 3)), {}),
                  ((_mat(4, 3), [Const(np.array([0, 0]))], _mat(3)), {"accumulate": True})],
    "index_put_": [((_mat(4, 3), [None, Const(np.array([1]))], _mat(4, 1)), {})],
    "masked_select": [((_mat(3, 4), Const(_mat(3, 4) > 0)), {}), ((_mat(4), Const(_mat(3, 4) > 0)), {})],
    "copy_": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {})],
    "fill_.Scalar": [((_mat(3, 4), 2.5), {})],
    "zero_": [((_mat(3, 4),), {})],
    "uniform_": [((_mat(3, 4), -1.0, 2.0), {}, {"seed": 3})],
    # the draw counts as constant: zero gradients by definition, not the derivative
    "normal.Tensor_Tensor": [((_mat(3, 4), _mat(3, 4, low=0.1, high=1)), {}, {"seed": 3, "finite_differences": False})],
    "normal.Tensor_float": [((_mat(3, 4), 0.5), {}, {"seed": 3, "finite_differences": False})],
    "normal.float_Tensor": [((0.5, _mat(3, 4, low=0.1, high=1)), {}, {"seed": 3, "finite_differences": False})],
    "where.Scalar": [((Const(_mat(3, 4) > 0), 1.0, 2.0), {})],
    "normal_": [((_mat(3, 4), 1.0, 0.5), {}, {"seed": 3})],
    "fill_.Tensor": [((_mat(3, 4), _mat()), {})],
    "_softmax": [((_mat(3, 4), 1, False), {}), ((_mat(2, 3, 4), 0, False), {})],
    "softmax.int": [((_mat(3, 4), -1), {})],
    "_log_softmax": [((_mat(3, 4), 1, False), {})],
    "log_softmax.int": [((_mat(3, 4), 0), {})],
    # mean and rstd are not differentiable outputs in PyTorch
    "native_layer_norm": [((_mat(2, 3, 4), [4], _mat(4), _mat(4), 1e-5), {}, {"outputs": 1}),
                          ((_mat(2, 3, 4), [3, 4], None, None, 1e-5), {}, {"outputs": 1})],
    "layer_norm": [((_mat(2, 3, 4), [4], _mat(4), _mat(4)), {}), ((_mat(3, 4), [4]), {})],
    "mse_loss": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(3, 4)), {"reduction": 0}),
                 ((_mat(3, 4), _mat(3, 4)), {"reduction": 2})],
    "binary_cross_entropy": [((_mat(3, 4, low=0.1, high=0.9), _mat(3, 4, low=0, high=1)), {}),
                             ((_mat(3, 4, low=0.1, high=0.9), _mat(3, 4, low=0, high=1), Const(_mat(3, 4))),
                              {"reduction": 2})],
    "binary_cross_entropy_with_logits": [((_mat(3, 4), _mat(3, 4, low=0, high=1)), {}),
                                         ((_mat(3, 4), _mat(3, 4, low=0, high=1), Const(_mat(4)),
                                           Const(_mat(4, low=0.5, high=2))), {"reduction": 0})],
    "nll_loss": [((_mat(3, 5), Const(np.array([0, 4, 2]))), {}),
                 ((_mat(3, 5), Const(np.array([0, 4, 2])), Const(_mat(5, low=0.5, high=2))), {"reduction": 2}),
                 ((_mat(5), Const(np.array(3))), {}),
                 ((_mat(4, 5), Const(np.array([0, -100, 2, 1])), None, 1), {})],
    "nll_loss2d": [((_mat(2, 3, 2, 2), Const(np.array([[[0, 1], [2, 0]], [[1, 1], [0, 2]]]))), {})],
    "nll_loss_nd": [((_mat(3, 5), Const(np.array([0, 4, 2]))), {})],
    "cross_entropy_loss": [((_mat(3, 5), Const(np.array([0, 4, 2]))), {}),
                           ((_mat(3, 5), Const(np.array([0, 4, 2])), Const(_mat(5, low=0.5, high=2))), {})],
    "max_pool2d_with_indices": [((_mat(2, 2, 4, 5), [2, 2]), {}, {"outputs": 1}),
                                ((_mat(1, 5, 5), [3, 3], [2, 2], [1, 1]), {}, {"outputs": 1})],
    "max_pool2d": [((_mat(2, 2, 4, 5), [2, 2]), {}), ((_mat(1, 5, 5), [3, 3], [2, 2], [1, 1]), {})],
    "native_batch_norm": [((_mat(4, 3, 2), _mat(3), _mat(3), Const(_mat(3)), Const(_mat(3, low=0.5, high=2)),
                            True, 0.1, 1e-5), {}, {"outputs": 1}),
                          ((_mat(4, 3), None, None, None, None, True, 0.1, 1e-5), {}, {"outputs": 1}),
                          ((_mat(4, 3, 2, 2), _mat(3), _mat(3), Const(_mat(3)), Const(_mat(3, low=0.5, high=2)),
                            False, 0.1, 1e-5), {}, {"outputs": 1})],
    "batch_norm": [((_mat(4, 3, 2), _mat(3), _mat(3), Const(_mat(3)), Const(_mat(3, low=0.5, high=2)),
                     True, 0.1, 1e-5, False), {}),
                   ((_mat(4, 3), _mat(3), None, Const(_mat(3)), Const(_mat(3, low=0.5, high=2)),
                     False, 0.1, 1e-5, False), {})],
    "pad": [((_mat(2, 3), [1, 2]), {}), ((_mat(2, 3), [1, 0, 0, 1]), {"value": 2.0})],
    "conv1d": [((_mat(2, 4, 7), _mat(6, 2, 3), _mat(6), [2], [1], [1], 2), {}), ((_mat(3, 6), _mat(2, 3, 2)), {})],
    "conv2d": [((_mat(2, 3, 5, 6), _mat(4, 3, 3, 2), _mat(4)), {}),
               ((_mat(1, 4, 6, 5), _mat(4, 2, 2, 3), None, [2, 1], [1, 2], [2, 1], 2), {}),
               ((_mat(2, 5, 5), _mat(3, 2, 3, 3), _mat(3), [1, 1], [1, 1]), {})],
    "conv1d.padding": [((_mat(2, 3, 8), _mat(4, 3, 4), _mat(4), [1], "same", [1]), {}),
                       ((_mat(2, 3, 8), _mat(4, 3, 3), None, [2], "valid"), {})],
    "conv2d.padding": [((_mat(1, 2, 5, 6), _mat(3, 2, 2, 3), _mat(3), [1, 1], "same", [2, 1]), {}),
                       ((_mat(2, 5, 5), _mat(4, 2, 3, 3), None, [1, 1], "same"), {})],
    "convolution": [((_mat(2, 4, 5, 5), _mat(4, 2, 3, 3), _mat(4), [1, 2], [1, 0], [1, 1], False, [0, 0], 2), {}),
                    ((_mat(2, 3, 7), _mat(2, 3, 2), None, [2], [1], [2], False, [0], 1), {})],
    "_convolution": [((_mat(1, 3, 5, 5), _mat(2, 3, 3, 3), _mat(2), [1, 1], [1, 1], [1, 1], False, [0, 0], 1,
                       False, False, True, True), {})],
    "_convolution_mode": [((_mat(1, 3, 6, 5), _mat(2, 3, 2, 2), _mat(2), [1, 1], "same", [1, 1], 1), {}),
                          ((_mat(2, 4, 7), _mat(4, 2, 3), None, [2], "valid", [1], 2), {})],
    "convolution_backward": [((_mat(2, 4, 5, 2), _mat(2, 4, 5, 5), _mat(4, 2, 3, 3), [4], [1, 2], [1, 0], [1, 1],
                               False, [0, 0], 2, [True, True, True]), {}, {"outputs": 3}),
                             ((_mat(2, 2, 4), _mat(2, 3, 7), _mat(2, 3, 2), None, [2], [1], [2], False, [0], 1,
                               [True, True, False]), {}, {"outputs": 2})],
    "_pad_circular": [((_mat(1, 2, 4, 5), [1, 2, 2, 1]), {}), ((_mat(2, 3, 5), [2, -1]), {}),
                      ((_mat(1, 1, 3, 3, 4), [1, 1, 0, 2, -1, 1]), {}), ((_mat(2, 3), [3, 3]), {})],
    "avg_pool2d": [((_mat(2, 2, 4, 5), [2, 2]), {}), ((_mat(1, 5, 5), [3, 2], [2, 1], [1, 1]), {}),
                   ((_mat(1, 2, 5, 5), [3, 3], [2, 2], [1, 1], True, False), {}),
                   ((_mat(1, 1, 4, 4), [2, 3], [1, 2], [1, 1], False, True, 5), {})],
    "avg_pool2d_backward": [((_mat(2, 2, 2, 2), _mat(2, 2, 4, 5), [2, 2], [2, 2], [0, 0], False, True, None), {}),
                            ((_mat(1, 3, 3), _mat(1, 5, 5), [3, 3], [2, 2], [1, 1], True, False, None), {})],
    "adaptive_avg_pool2d": [((_mat(2, 2, 5, 6), [2, 3]), {}), ((_mat(1, 4, 4), [1, 1]), {}), ((_mat(1, 3, 5), [4, 2]), {})],
    "_adaptive_avg_pool2d": [((_mat(2, 2, 5, 6), [2, 3]), {}), ((_mat(1, 4, 4), [1, 1]), {})],
    "_adaptive_avg_pool2d_backward": [((_mat(2, 2, 2, 3), _mat(2, 2, 5, 6)), {}), ((_mat(1, 4, 2), _mat(1, 3, 5)), {})],
    # activations (formulas_act.c): parameters off their defaults, and the *_backward rows
    "leaky_relu": [((_mat(3, 4), 0.2), {}), ((_mat(5),), {})],
    "elu": [((_mat(3, 4), 0.7, 1.3, 0.6), {}), ((_mat(5),), {})],
    "softplus": [((_mat(3, 4), 2.0, 1.5), {}), ((_mat(5),), {})],
    "hardtanh": [((_mat(3, 4), -0.5, 1.2), {}), ((_mat(5),), {})],
    "leaky_relu_backward": [((_mat(3, 4), _mat(3, 4), 0.2, False), {})],
    "elu_backward": [((_mat(3, 4), 0.7, 1.3, 0.6, False, _mat(3, 4)), {}),
                     ((_mat(3, 4), 0.7, 1.3, 0.6, True, _mat(3, 4, low=-0.5, high=2.0)), {})],
    "softplus_backward": [((_mat(3, 4), _mat(3, 4), 2.0, 1.5), {}), ((_mat(5), _mat(5), 1.0, 20.0), {})],
    "hardtanh_backward": [((_mat(3, 4), _mat(3, 4), -0.5, 1.2), {})],
    "reflection_pad1d": [((_mat(2, 5), [1, 2]), {}), ((_mat(2, 3, 5), [2, -1]), {})],
    "reflection_pad2d": [((_mat(1, 2, 4, 5), [1, 2, 2, 1]), {}), ((_mat(2, 4, 4), [0, 3, -1, 1]), {})],
    "reflection_pad3d": [((_mat(1, 3, 3, 4), [1, 1, 2, 0, 1, 2]), {}), ((_mat(1, 1, 2, 3, 3), [2, 0, 1, 1, 1, 0]), {})],
    "replication_pad1d": [((_mat(2, 4), [3, 1]), {}), ((_mat(2, 3, 5), [-2, 2]), {})],
    "replication_pad2d": [((_mat(1, 2, 3, 4), [2, 1, 0, 3]), {}), ((_mat(2, 3, 3), [1, -1, 2, 2]), {})],
    "replication_pad3d": [((_mat(2, 2, 3, 2), [1, 2, 1, 0, 2, 1]), {}), ((_mat(1, 1, 2, 2, 3), [0, 1, 1, 1, 1, 0]), {})],
    "reflection_pad1d_backward": [((_mat(2, 8), _mat(2, 5), [1, 2]), {})],
    "reflection_pad2d_backward": [((_mat(2, 6, 8), _mat(2, 4, 5), [1, 2, 2, 0]), {})],
    "reflection_pad3d_backward": [((_mat(1, 4, 4, 5), _mat(1, 3, 3, 4), [1, 0, 0, 1, 1, 0]), {})],
    "replication_pad1d_backward": [((_mat(2, 3, 8), _mat(2, 3, 4), [3, 1]), {})],
    "replication_pad2d_backward": [((_mat(1, 5, 4), _mat(1, 3, 2), [1, 1, 0, 2]), {})],
    "replication_pad3d_backward": [((_mat(2, 3, 4, 4), _mat(2, 2, 3, 2), [1, 1, 1, 0, 0, 1]), {})],
    "embedding": [((_mat(5, 3), Const(np.array([[0, 2], [4, 2]]))), {}),
                  # the padding row gets no gradient by definition, not by derivative
                  ((_mat(5, 3), Const(np.array([0, 1, 1])), 1), {}, {"finite_differences": False})],
}
# the transformer fast-path ops: torch has no derivative for them (NotImplemented nodes)
SAMPLES.update({
    "_native_multi_head_attention": [((_mat(2, 3, 4), _mat(2, 3, 4), _mat(2, 3, 4), 4, 2, _mat(12, 4), _mat(12),
                                       _mat(4, 4), _mat(4)), {})],
    "_transformer_encoder_layer_fwd": [((_mat(2, 3, 4), 4, 2, _mat(12, 4), _mat(12), _mat(4, 4), _mat(4), False, False,
                                         1e-5, _mat(4), _mat(4), _mat(4), _mat(4), _mat(6, 4), _mat(6), _mat(4, 6),
                                         _mat(4)), {})],
})


# ops_search.def: values are gather(self, dim, indices) recorded through the registry, so their
# node is pyts's GatherBackward0 where torch has one node of its own ("grad_fn" names it)
_GATHERED = {"grad_fn": "GatherBackward0"}
SAMPLES.update({
    "sort": [((_mat(3, 4),), {}, _GATHERED), ((_mat(3, 4), 0, True), {}, _GATHERED),
             ((_mat(2, 3, 4),), {"dim": -2}, _GATHERED)],
    "sort.stable": [((_mat(3, 4),), {"stable": True, "dim": 0}, _GATHERED),
                    ((_mat(5),), {"stable": True, "descending": True}, _GATHERED)],
    "msort": [((_mat(4, 3),), {}, _GATHERED)],
    "topk": [((_mat(3, 5), 2), {}, _GATHERED), ((_mat(3, 5), 2, 0, False), {}, _GATHERED)],
    "clip": [((_mat(3, 4), -0.5, 0.5), {}), ((_mat(3, 4),), {"max": 0.0})],
    "clip.Tensor": [((_mat(3, 4), _mat(4), None), {})],
    "clip_": [((_mat(3, 4), -0.5, 0.5), {})],
    "clip_.Tensor": [((_mat(3, 4), None, _mat(3, 1)), {})],
    "broadcast_to": [((_mat(3, 1), [2, 3, 4]), {})],
    "tile": [((_mat(2, 3), [2, 2]), {}), ((_mat(2, 3), [3]), {})],
    "kthvalue": [((_mat(3, 5), 2), {}, {"grad_fn": "SqueezeBackward1"}), ((_mat(3, 5), 3, 0, True), {}, _GATHERED)],
})


# ops_math.def (formulas_math.c): inputs inside each function's domain, parameters off defaults
_pos = dict(low=0.3, high=3.0)
SAMPLES.update({
    "acos": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "acos_": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "asin": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "asin_": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "atanh": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "atanh_": [((_mat(3, 4, low=-0.9, high=0.9),), {}, {"backward_raises": True})],
    "acosh": [((_mat(3, 4, low=1.2, high=3.0),), {})],
    "acosh_": [((_mat(3, 4, low=1.2, high=3.0),), {}, {"backward_raises": True})],
    "asinh_": [((_mat(3, 4),), {}, {"backward_raises": True})],
    "erfinv": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "erfinv_": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "log10": [((_mat(3, 4, **_pos),), {})],
    "log10_": [((_mat(3, 4, **_pos),), {})],
    "lgamma": [((_mat(3, 4, **_pos),), {}), ((_mat(5, low=-2.9, high=-2.1),), {})],
    "lgamma_": [((_mat(3, 4, **_pos),), {})],
    "digamma": [((_mat(3, 4, **_pos),), {}), ((_mat(5, low=-1.9, high=-1.1),), {})],
    "digamma_": [((_mat(3, 4, **_pos),), {})],
    "polygamma": [((1, _mat(3, 4, **_pos)), {}), ((2, _mat(5, low=0.5, high=12.0)), {}), ((0, _mat(4, **_pos)), {})],
    "polygamma_": [((_mat(3, 4, **_pos), 2), {})],
    "mvlgamma": [((_mat(3, 4, low=2.0, high=4.0), 3), {}), ((_mat(4, low=1.0, high=3.0), 1), {})],
    "mvlgamma_": [((_mat(3, 4, low=2.0, high=4.0), 2), {})],
    "logit": [((_mat(3, 4, low=0.1, high=0.9),), {}), ((_mat(3, 4, low=0.05, high=0.95), 0.2), {})],
    "logit_": [((_mat(3, 4, low=0.1, high=0.9),), {"eps": 0.3})],
    "nan_to_num": [((_mat(3, 4),), {}), ((_mat(3, 4), 1.0, 2.0, -2.0), {})],
    "nan_to_num_": [((_mat(3, 4),), {})],
    "frexp.Tensor": [((_mat(3, 4, low=-9, high=9),), {}, {"outputs": 1})],
    "sinc": [((_mat(3, 4),), {}), ((np.array([0.0, 1.0, -0.5]),), {})],
    "i0": [((_mat(3, 4, low=-6, high=6),), {})],
    "i0_": [((_mat(3, 4, low=-6, high=6),), {})],
    "special_i1": [((_mat(3, 4, low=-6, high=6),), {}), ((np.array([0.0, 1e-20, 2.0]),), {})],
    "xlogy.Tensor": [((_mat(3, 4), _mat(3, 4, **_pos)), {}), ((_mat(3, 4), _mat(4, **_pos)), {})],
    "xlogy_.Tensor": [((_mat(3, 4), _mat(4, **_pos)), {})],
    "xlogy.Scalar_Self": [((2.5, _mat(3, 4, **_pos)), {})],
    "xlogy.Scalar_Other": [((_mat(3, 4), 2.5), {})],
    "xlogy_.Scalar_Other": [((_mat(3, 4), 0.5), {})],
    "copysign.Tensor": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {})],
    "copysign_.Tensor": [((_mat(3, 4), _mat(4)), {})],
    "copysign.Scalar": [((_mat(3, 4), -1.5), {})],
    "copysign_.Scalar": [((_mat(3, 4), 2), {})],
    "ldexp.Tensor": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {})],
    "ldexp_": [((_mat(3, 4), _mat(4)), {})],
    "hypot": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {})],
    "hypot_": [((_mat(3, 4), _mat(4)), {})],
    "logaddexp": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {})],
    "logaddexp2": [((_mat(3, 4), _mat(3, 4)), {}), ((_mat(3, 4), _mat(4)), {})],
    "fmax": [((_mat(3, 4), _mat(3, 4)), {}), ((np.array([1.0, np.nan, 3.0]), np.array([0.0, 2.0, np.nan])), {}, {"finite_differences": False})],
    "fmin": [((_mat(3, 4), _mat(4)), {}), ((np.array([1.0, np.nan, 3.0]), np.array([0.0, 2.0, np.nan])), {}, {"finite_differences": False})],
    "float_power.Tensor_Tensor": [((_mat(3, 4, **_pos), _mat(3, 4)), {})],
    "float_power.Tensor_Scalar": [((_mat(3, 4, **_pos), 2.5), {})],
    "float_power.Scalar": [((2.5, _mat(3, 4)), {})],
    "float_power_.Tensor": [((_mat(3, 4, **_pos), _mat(4)), {})],
    "float_power_.Scalar": [((_mat(3, 4, **_pos), -1.5), {})],
    "square": [((_mat(3, 4),), {})],
    "square_": [((_mat(3, 4),), {})],
    "arccos": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "arccosh": [((_mat(3, 4, low=1.2, high=3.0),), {})],
    "arcsin": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "arctanh": [((_mat(3, 4, low=-0.9, high=0.9),), {})],
    "arctan2": [((_mat(3, 4), _mat(4)), {})],
    "absolute": [((_mat(3, 4),), {})],
    "negative": [((_mat(3, 4),), {})],
    "fix": [((_mat(3, 4),), {})],
})

# ops_shape2.def: primitives with formulas (diagonal, diag_embed, rot90, narrow_copy, take) and
# the composite rows, whose grad_fn is their last inner op's node as in torch
SAMPLES.update({
    "diagonal": [((_mat(3, 4),), {}), ((_mat(2, 3, 4), 1, 2, 0), {}), ((_mat(3, 4), -1), {}), ((_mat(2, 3), 5), {})],
    "diag_embed": [((_mat(2, 3),), {}), ((_mat(3), 1, 0, 1), {}), ((_mat(2, 3), -1, 0, 2), {})],
    "rot90": [((_mat(2, 3),), {}), ((_mat(2, 3, 4), 3, [2, 0]), {}), ((_mat(2, 3), 2), {}), ((_mat(2, 3), 4), {})],
    # (a negative start trips torch's own backward: slice_backward gets end = start + length = 0)
    "narrow_copy": [((_mat(4, 3), 0, 1, 2), {}), ((_mat(4, 3), -1, 1, 2), {})],
    "take": [((_mat(3, 4), Const(np.array([0, 5, 5, -1]))), {}), ((_mat(2, 3), Const(np.array([[1, 2], [1, 0]]))), {})],
    # torch copies a matrix's diagonal with diagonal_copy (DiagonalBackward0_copy); pyts clones
    "diag": [((_mat(3),), {}), ((_mat(3, 4), 1), {}, {"grad_fn": "CloneBackward0"})],
    "diagflat": [((_mat(2, 2),), {}), ((_mat(3), -1), {})],
    "movedim.int": [((_mat(2, 3, 4), 0, 2), {})],
    "movedim.intlist": [((_mat(2, 3, 4), [0, 1], [2, 0]), {})],
    "moveaxis.int": [((_mat(2, 3), 1, 0), {})],
    "moveaxis.intlist": [((_mat(2, 3, 4), [2], [0]), {})],
    "ravel": [((_mat(2, 3),), {})],
    "fliplr": [((_mat(2, 3),), {})],
    "flipud": [((_mat(2, 3),), {})],
    "atleast_1d": [((_mat(),), {})],
    "atleast_1d.Sequence": [(([_mat(), _mat(2)],), {})],
    "atleast_2d": [((_mat(3),), {}), ((_mat(),), {})],
    "atleast_2d.Sequence": [(([_mat(), _mat(3)],), {})],
    "atleast_3d": [((_mat(3, 4),), {}), ((_mat(3),), {})],
    "atleast_3d.Sequence": [(([_mat(2), _mat(2, 2)],), {})],
    "hstack": [(([_mat(2, 3), _mat(2, 1)],), {}), (([_mat(3), _mat(2)],), {})],
    "vstack": [(([_mat(3), _mat(2, 3)],), {})],
    "row_stack": [(([_mat(3), _mat(3)],), {})],
    "dstack": [(([_mat(2), _mat(2)],), {})],
    "column_stack": [(([_mat(3), _mat(3, 2)],), {})],
    "tensor_split.sections": [((_mat(7, 2), 3), {})],
    "tensor_split.indices": [((_mat(2, 7), [1, 5], 1), {})],
    "tensor_split.tensor_indices_or_sections": [((_mat(7), Const(np.array([2, 4]))), {})],
    "hsplit.int": [((_mat(2, 4), 2), {})],
    "hsplit.array": [((_mat(2, 5), [1, 3]), {})],
    "vsplit.int": [((_mat(4, 2), 2), {})],
    "vsplit.array": [((_mat(5, 2), [2]), {})],
    "dsplit.int": [((_mat(1, 2, 4), 2), {})],
    "dsplit.array": [((_mat(1, 2, 5), [1]), {})],
    "take_along_dim": [((_mat(3, 4), Const(np.array([[0], [2], [1]])), 1), {}),
                       ((_mat(3, 4), Const(np.array([0, 11, 3]))), {})],
    "repeat_interleave.self_int": [((_mat(2, 3), 2), {}), ((_mat(2, 3), 3, 1), {})],
    "repeat_interleave.self_Tensor": [((_mat(2, 3), Const(np.array([1, 2])), 0), {})],
    "diff": [((_mat(3, 5),), {}), ((_mat(3, 5), 2, 0), {}), ((_mat(3, 5), 1, -1, _mat(3, 2), _mat(3, 1)), {})],
    # vander: torch's in-place cumprod cannot differentiate twice; tests/test_shape2.py checks it
    "meshgrid": [(([_mat(3), _mat(2)],), {})],
    "meshgrid.indexing": [(([_mat(3), _mat(2)],), {"indexing": "xy"}), (([_mat(2), _mat(), _mat(3)],), {"indexing": "ij"})],
    "cartesian_prod": [(([_mat(3), _mat(2)],), {})],
    "combinations": [((_mat(4),), {}), ((_mat(3), 2, True), {})],
})

# ops_reduce2.def: composites record their inner ops, so their nodes are those ops' ("grad_fn"
# names the pyts node where torch has one of its own); cummax/cummin values are gathered
def _nanmat(*shape):
    a = arr(*shape)
    a.reshape(-1)[::4] = np.nan
    return a


SAMPLES.update({
    "trace": [((_mat(3, 4),), {}, {"grad_fn": "SumBackward0"})],
    "nansum": [((_nanmat(3, 4),), {}, {"finite_differences": False, "grad_fn": "SumBackward1"}),
               ((_nanmat(3, 4), 1, True), {}, {"finite_differences": False, "grad_fn": "SumBackward1"}),
               ((_mat(3, 4), [0]), {}, {"grad_fn": "SumBackward1"})],
    "nanmean": [((_nanmat(3, 4), 1), {}, {"finite_differences": False, "grad_fn": "DivBackward0"}),
                ((_mat(2, 3),), {}, {"grad_fn": "DivBackward0"})],
    "std_mean": [((_mat(3, 4),), {}, {"grad_fn": "StdBackward0", "outputs": 1})],
    "std_mean.dim": [((_mat(3, 4), 1), {}, {"grad_fn": "StdBackward0", "outputs": 1})],
    "std_mean.correction": [((_mat(3, 4), [0]), {"correction": 0, "keepdim": True}, {"grad_fn": "StdBackward0", "outputs": 1})],
    "var_mean": [((_mat(3, 4), False), {}, {"grad_fn": "VarBackward0", "outputs": 1})],
    "var_mean.dim": [((_mat(3, 4), [0, 1]), {}, {"grad_fn": "VarBackward0", "outputs": 1})],
    "var_mean.correction": [((_mat(3, 4),), {"dim": 1, "correction": 2}, {"grad_fn": "VarBackward0", "outputs": 1})],
    "aminmax": [((_mat(3, 4),), {"dim": 1}, {"grad_fn": "AminBackward0", "outputs": 1}),
                ((_mat(3, 4),), {}, {"grad_fn": "AminBackward0", "outputs": 1})],
    "cummax": [((_mat(3, 5), 1), {}, _GATHERED), ((_mat(4, 3), 0), {}, _GATHERED)],
    "cummin": [((_mat(3, 5), -1), {}, _GATHERED)],
    "logcumsumexp": [((_mat(3, 5), 1), {}), ((_mat(4, 3), 0), {}), ((_mat(), 0), {})],
    "dist": [((_mat(3, 4), _mat(4)), {}, {"grad_fn": "NormBackward0"}), ((_mat(3, 4), _mat(3, 4), 3.0), {}, {"grad_fn": "NormBackward0"})],
    "addr": [((_mat(2, 3), _mat(2), _mat(3)), {}, {"grad_fn": "AddBackward0"}),
             ((_mat(3), _mat(2), _mat(3)), {"beta": 0.5, "alpha": 2.0}, {"grad_fn": "AddBackward0"})],
    "addr_": [((_mat(2, 3), _mat(2), _mat(3)), {"alpha": -1.0}, {"grad_fn": "CopyBackwards"})],
    "addbmm": [((_mat(3, 5), _mat(2, 3, 4), _mat(2, 4, 5)), {}, {"grad_fn": "AddBackward0"}),
               ((_mat(5), _mat(2, 3, 4), _mat(2, 4, 5)), {"beta": 2.0, "alpha": 0.5}, {"grad_fn": "AddBackward0"})],
    "addbmm_": [((_mat(3, 5), _mat(2, 3, 4), _mat(2, 4, 5)), {}, {"grad_fn": "CopyBackwards"})],
    "vdot": [((_mat(4), _mat(4)), {}, {"grad_fn": "DotBackward0"})],
    "inner": [((_mat(2, 4), _mat(3, 4)), {}, {"grad_fn": "ViewBackward0"}), ((_mat(4), _mat()), {})],
    "kron": [((_mat(2, 3), _mat(3, 2)), {}, {"grad_fn": "ViewBackward0"}), ((_mat(2), _mat(2, 2)), {}, {"grad_fn": "ViewBackward0"})],
    "cross": [((_mat(4, 3), _mat(4, 3), 1), {}, {"grad_fn": "CatBackward0"})],
    "tensordot": [((_mat(3, 4, 2), _mat(4, 2, 5), [1, 2], [0, 1]), {}, {"grad_fn": "ViewBackward0"}),
                  ((_mat(3, 1), _mat(4, 2), [1], [0]), {}, {"grad_fn": "ViewBackward0"})],
    "trapezoid.x": [((_mat(3, 4), _mat(4)), {}, {"grad_fn": "DivBackward1"})],
    "trapezoid.dx": [((_mat(3, 4),), {"dx": 0.5, "dim": 0}, {"grad_fn": "MulBackward1"})],
    "trapz.x": [((_mat(3, 4), _mat(3, 4)), {}, {"grad_fn": "DivBackward1"})],
    "trapz.dx": [((_mat(3, 4),), {"dx": 2.0}, {"grad_fn": "MulBackward1"})],
})

SAMPLES.update({
    "einsum": [(("ij,jk->ik", [_mat(3, 4), _mat(4, 5)]), {}, {"grad_fn": "PermuteBackward0"}),
               (("bii,bj->bj", [_mat(2, 3, 3), _mat(2, 4)]), {}, {"grad_fn": "PermuteBackward0"}),
               (("...i,i->...", [_mat(2, 3, 4), _mat(4)]), {}, {"grad_fn": "PermuteBackward0"})],
    "block_diag": [(([_mat(2, 3), _mat(1, 2), _mat(2)],), {}, {"grad_fn": "CatBackward0"})],
    "chain_matmul": [(([_mat(2, 3), _mat(3, 4), _mat(4, 2)],), {}, {"grad_fn": "MmBackward0"})],
    # only the matmul form: torch cannot differentiate _cdist_backward (no second derivative)
    "cdist": [((_mat(4, 3), _mat(5, 3), 2.0, 1), {}, {"grad_fn": "SqrtBackward0"})],
    "median": [((_mat(3, 5),), {}, {"grad_fn": "SqueezeBackward1"})],
    "median.dim": [((_mat(3, 5), 1), {}, {"grad_fn": "SqueezeBackward1"}), ((_mat(4, 3), 0, True), {}, _GATHERED)],
    "nanmedian": [((_nanmat(3, 5),), {}, {"grad_fn": "SqueezeBackward1", "finite_differences": False})],
    "nanmedian.dim": [((_nanmat(3, 5), 1), {}, {"grad_fn": "SqueezeBackward1", "finite_differences": False})],
    "quantile.scalar": [((_mat(3, 5), 0.3), {}, {"grad_fn": "ViewBackward0"}),
                        ((_mat(3, 5), 0.6, 1, True), {"interpolation": "midpoint"}, {"grad_fn": "ViewBackward0"})],
    "quantile": [((_mat(3, 5), Const(np.array([0.2, 0.7])), 0), {}, {"grad_fn": "PermuteBackward0"})],
    "nanquantile.scalar": [((_mat(3, 5), 0.4, 1), {}, {"grad_fn": "ViewBackward0"})],
    "nanquantile": [((_mat(3, 5), Const(np.array([0.5])), 1), {}, {"grad_fn": "PermuteBackward0"})],
})


# ops_linalg2.def (LAPACK): well-conditioned inputs; cholesky and eigh read one triangle while
# torch's gradient is the symmetric one, so finite differences do not apply to them. Their own
# generator: the factors (U, Vh, Q, eigenvectors) are compared with torch's, and their signs are
# LAPACK's choice (torch's MKL and pyts's OpenBLAS differ on many inputs), so the seed is one
# where the two agree on every sample below and the inputs must not move when rows are added
# above. tests/test_linalg2.py checks the same formulas through sign-invariant functions of
# the factors on other inputs.
_LRNG = np.random.default_rng(29)


def _la(*shape):
    return _LRNG.uniform(-2.0, 2.0, size=shape)


def _sq(n, *batch):
    return _la(*batch, n, n) + 3 * np.eye(n)


def _spd(n, *batch):
    a = _la(*batch, n, n)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _symm(n, *batch):
    a = _la(*batch, n, n)
    return a + np.swapaxes(a, -1, -2) + np.diag(np.arange(n) * 2.0)


_NO_FD = {"finite_differences": False}
SAMPLES.update({
    "linalg_det": [((_sq(3),), {}), ((_sq(2, 2),), {})],
    "linalg_slogdet": [((_sq(3),), {}), ((-_sq(3, 2),), {})],
    "linalg_inv_ex": [((_sq(3),), {}), ((_sq(2, 2),), {"check_errors": True})],
    "linalg_solve_ex": [((_sq(3), _la(3, 2)), {}), ((_sq(3), _la(3)), {}), ((_sq(3, 2), _la(3)), {}),
                        ((_sq(3), _la(2, 3)), {"left": False}), ((_sq(3, 2, 1), _la(3, 3, 2)), {})],
    "linalg_cholesky_ex": [((_spd(3),), {}, _NO_FD), ((_spd(3, 2),), {"upper": True}, _NO_FD)],
    "cholesky": [((_spd(3),), {}, _NO_FD), ((_spd(3),), {"upper": True}, _NO_FD)],
    "_linalg_eigh": [((_symm(3),), {}, _NO_FD), ((_symm(3, 2),), {"UPLO": "U"}, _NO_FD)],
    "_linalg_svd": [((_la(3, 4),), {}), ((_la(4, 3),), {}), ((_sq(3),), {"full_matrices": True})],
    "linalg_qr": [((_la(4, 3),), {}), ((_la(3, 4),), {}), ((_sq(3),), {"mode": "complete"})],
    "linalg_vector_norm": [((_la(3, 4),), {}), ((_la(2, 3, 4), 3.0, [0, 2], True), {}), ((_la(3, 4), 1, -1), {})],
})

def _default_samples(key):
    _, schema, _, _ = ROWS[key]
    args = []
    for a in _schema_args(schema):
        if a == "*":
            break
        typ, _, rest = a.partition(" ")
        if "=" in rest:
            break
        args.append(arr(3, 4) if typ.startswith("Tensor") else 1.5 if typ == "Scalar" else None)
    out = [(tuple(args), {})]
    if sum(isinstance(a, np.ndarray) for a in args) == 2:   # binary: a broadcast case too
        out.append((tuple(arr(4) if i == 1 else a for i, a in enumerate(args)), {}))
    return out


def _torch_row(key):
    name, _, overload = key.partition(".")
    return getattr(getattr(torch.ops.aten, name), overload or "default")


def _call(L, key, args, kwargs, opts=None):
    if opts and "seed" in opts:
        L.manual_seed(opts["seed"])
    kwargs = {k: getattr(L, v.name) if isinstance(v, DT) else v for k, v in kwargs.items()}
    if L is torch:
        return _torch_row(key)(*args, **kwargs)
    return pyts._C._call_row(key, *args, **kwargs)


def _build(L, key, args):
    """leaves (that require grad) and the call arguments; an in-place row gets a non-leaf self."""
    inplace = key.split(".")[0].endswith("_")
    make = P if L is pyts else T
    leaves, call_args = [], []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            t = make(a)
            leaves.append(t)
            if inplace and i == 0:
                t = t * 1.0
            call_args.append(t)
        elif isinstance(a, Const):
            call_args.append(make(a.a, False))
        elif isinstance(a, list) and any(isinstance(x, (np.ndarray, Const)) for x in a):
            sub_leaves, sub = _build(L, "", a)
            leaves += sub_leaves
            call_args.append(sub)
        else:
            call_args.append(a)
    return leaves, call_args


def _leaf_arrays(args):
    """(path, array) of every leaf in sample order; path indexes into args (and nested lists)."""
    out = []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            out.append(((i,), a))
        elif isinstance(a, list):
            out += [((i, j), x) for j, x in enumerate(a) if isinstance(x, np.ndarray)]
    return out


def _replace(args, path, value):
    args = list(args)
    if len(path) == 1:
        args[path[0]] = value
    else:
        inner = list(args[path[0]])
        inner[path[1]] = value
        args[path[0]] = inner
    return tuple(args)


def _np(t):
    return t.detach().numpy(force=True) if isinstance(t, torch.Tensor) else t.numpy()


def _forward_np(key, args, kwargs, opts):
    """The row's value as numpy, without recording (finite differences)."""
    with pyts.no_grad():
        _, call_args = _build(pyts, key, args)
        out = _call(pyts, key, call_args, kwargs, opts)
        out = _first(out)
        if "outputs" in opts and isinstance(out, (tuple, list)):
            out = list(out)[:opts["outputs"]]
        if isinstance(out, (tuple, list)):
            return [o.numpy().copy() for o in out]
        return out.numpy().copy()


def _seq(x):
    return x if isinstance(x, list) else [x]


def _first(out):
    """the differentiable result of a row (the values of (values, indices) results)"""
    return out[0] if isinstance(out, (tuple, list)) and len(out) == 2 and not out[1].is_floating_point() else out


# Rows torch binds only on CUDA (the fused LSTM step): no CPU oracle here; tests/test_nn_rnn.py
# checks them against torch's CPU cell and finite differences.
CUDA_ONLY_ROWS = {"_thnn_fused_lstm_cell", "_thnn_fused_lstm_cell_backward_impl"}
# Rows that take or make complex tensors only: tests/test_complex_autograd.py checks their gradients.
COMPLEX_ROWS = {"imag", "view_as_real", "view_as_complex", "complex", "polar"}
# linalg.eig makes complex tensors whose vectors' phases are the library's choice: its gradients
# (phase-invariant losses, against torch and finite differences) are in tests/test_linalg10.py.
ELSEWHERE_ROWS = {"linalg_eig"}
GRAD_PARAMS = []
for _key in sorted(FORMULAS):
    if _key not in ROWS or _key in CUDA_ONLY_ROWS | COMPLEX_ROWS | ELSEWHERE_ROWS or (FORMULAS[_key] == "" and _key not in SAMPLES):
        continue   # row not in this build, torch cannot run it, or a composite without samples
    for _i, _sample in enumerate(SAMPLES.get(_key) or _default_samples(_key)):
        _a, _k, _o = (_sample + ({},))[:3]
        GRAD_PARAMS.append(pytest.param(_key, _a, _k, _o, id=f"{_key}-{_i}"))


def test_grad_samples_name_formula_rows():
    unknown = sorted(set(SAMPLES) - set(FORMULAS))
    assert not unknown, f"SAMPLES for rows without a formula: {unknown}"


@pytest.mark.parametrize("key,args,kwargs,opts", GRAD_PARAMS)
def test_formula(key, args, kwargs, opts):
    # forward + grad_fn name against torch
    pl, pa = _build(pyts, key, args)
    tl, ta = _build(torch, key, args)
    out_p = _first(_call(pyts, key, pa, kwargs, opts))
    out_t = _first(_call(torch, key, ta, kwargs, opts))
    outs_p = list(out_p) if isinstance(out_p, (tuple, list)) else [out_p]
    outs_t = list(out_t) if isinstance(out_t, (tuple, list)) else [out_t]
    if "outputs" in opts:
        outs_p, outs_t = outs_p[:opts["outputs"]], outs_t[:opts["outputs"]]
    assert len(outs_p) == len(outs_t), key
    for a, b in zip(outs_p, outs_t):
        close(a, b, msg=f"{key} forward")
        assert name_of(a.grad_fn) == opts.get("grad_fn", name_of(b.grad_fn)), key
    vs = [arr(*o.shape) for o in outs_t]
    if not pl:
        assert not any(o.requires_grad for o in outs_p), key
        return
    if name_of(outs_t[0].grad_fn) == "NotImplemented":
        with pytest.raises(RuntimeError) as ep:
            pyts.autograd.grad(outs_p, pl, [P(v, False) for v in vs])
        with pytest.raises(RuntimeError) as et:
            torch.autograd.grad(outs_t, tl, [T(v, False) for v in vs])
        assert str(ep.value) == str(et.value)
        return
    if opts.get("backward_raises"):   # torch records the node, its backward raises (acosh_)
        with pytest.raises(Exception) as ep:
            pyts.autograd.grad(outs_p, pl, [P(v, False) for v in vs])
        with pytest.raises(Exception) as et:
            torch.autograd.grad(outs_t, tl, [T(v, False) for v in vs])
        assert type(ep.value) is type(et.value) and str(ep.value) == str(et.value)
        return
    # first derivatives: torch, and finite differences
    gp = pyts.autograd.grad(outs_p, pl, [P(v, False) for v in vs], create_graph=True, allow_unused=True)
    gt = torch.autograd.grad(outs_t, tl, [T(v, False) for v in vs], create_graph=True, allow_unused=True)
    for i, (a, b) in enumerate(zip(gp, gt)):
        if b is None:
            assert a is None or not np.any(a.numpy()), f"{key} grad {i}: torch has none"
        else:
            close(a, b, rtol=1e-9, atol=1e-10, msg=f"{key} grad {i}")
    eps = 1e-6
    for i, (path, base) in enumerate(_leaf_arrays(args) if opts.get("finite_differences", True) else []):
        num = np.zeros(base.shape)
        for idx in np.ndindex(base.shape):
            hi, lo = base.copy(), base.copy()
            hi[idx] += eps
            lo[idx] -= eps
            f_hi = _forward_np(key, _replace(args, path, hi), kwargs, opts)
            f_lo = _forward_np(key, _replace(args, path, lo), kwargs, opts)
            num[idx] = sum(((np.asarray(h) - np.asarray(lw)) * vv).sum()
                           for h, lw, vv in zip(_seq(f_hi), _seq(f_lo), vs)) / (2 * eps)
        np.testing.assert_allclose(gp[i].detach().numpy(), num, rtol=1e-5, atol=1e-6,
                                   err_msg=f"{key}: gradient {i} against finite differences")
    # second derivatives (create_graph), against torch; a first gradient without a graph counts
    # as constant (relu's mask is one in pyts, torch keeps a graph whose derivative is zero)
    w = [arr(*g.shape) if g is not None else None for g in gt]

    def second(L, mk, grads, leaves):
        pairs = [(g, mk(x, False)) for g, x in zip(grads, w) if g is not None and g.requires_grad]
        if not pairs:
            return [None] * len(leaves)
        return L.autograd.grad([g for g, _ in pairs], leaves, [x for _, x in pairs], allow_unused=True)

    for i, (a, b) in enumerate(zip(second(pyts, P, gp, pl), second(torch, T, gt, tl))):
        a = a.numpy() if a is not None else 0.0
        b = _np(b) if b is not None else 0.0
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10, err_msg=f"{key} second grad {i}")


# =====================================================================================
# the engine
# =====================================================================================
def test_chain_matches_torch_with_broadcasting_and_dtypes():
    x, w, b = arr(3, 4), arr(4), arr(1, 4)
    outs = []
    for L, mk in ((pyts, P), (torch, T)):
        xs, ws, bs = mk(x.astype(np.float32)), mk(w), mk(b.astype(np.float32))
        y = L.tanh(xs * ws + bs) / (ws * ws + 1.0) - xs
        y.backward(mk(np.ones((3, 4)), False))
        outs.append((y, xs.grad, ws.grad, bs.grad))
    for p, t in zip(outs[0], outs[1]):
        close(p, t, rtol=1e-5, atol=1e-6)
    assert outs[0][2].dtype == pyts.float64 and outs[0][1].dtype == pyts.float32


def test_noncontiguous_zero_dim_and_empty():
    base = arr(3, 8)
    x_np = base[:, ::2]            # non-contiguous view
    xp = pyts.from_numpy(x_np).requires_grad_()
    xt = torch.from_numpy(np.ascontiguousarray(x_np)).requires_grad_()
    s_p, s_t = P(np.array(1.5)), T(np.array(1.5))
    (pyts.tanh(xp) * s_p).backward(P(np.ones((3, 4)), False))
    (torch.tanh(xt) * s_t).backward(torch.ones(3, 4, dtype=torch.float64))
    close(xp.grad, xt.grad)
    close(s_p.grad, s_t.grad)
    assert s_p.grad.shape == ()
    e_p, e_t = P(np.zeros((0, 4))), T(np.zeros((0, 4)))
    (e_p * 2.0).backward(P(np.zeros((0, 4)), False))
    (e_t * 2.0).backward(torch.zeros(0, 4, dtype=torch.float64))
    close(e_p.grad, e_t.grad)


def test_accumulation_and_grad_identity():
    x = P(arr(3))
    (x * x).backward(P(np.ones(3), False))
    g = x.grad
    first = g.numpy().copy()
    (x * 3.0).backward(P(np.ones(3), False))
    assert x.grad is g, "accumulation must update the existing .grad in place (as PyTorch)"
    np.testing.assert_allclose(g.detach().numpy(), first + 3.0)
    x.grad = None
    (x * 3.0).backward(P(np.ones(3), False))
    np.testing.assert_allclose(x.grad.detach().numpy(), np.full(3, 3.0))


def test_same_input_used_twice():
    grads = []
    for mk in (P, T):
        x = mk(np.array([1.0, -2.0, 3.0]))
        y = x * x + x
        y.backward(mk(np.ones(3), False))
        grads.append(x.grad)
    close(grads[0], grads[1])


def test_retain_graph():
    msg = ("Trying to backward through the graph a second time (or directly access saved tensors after "
           "they have already been freed). Saved intermediate values of the graph are freed when you call "
           ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
           "graph a second time or if you need to access saved tensors after calling backward.")
    x = P(arr(3))
    y = pyts.tanh(x)
    one = P(np.ones(3), False)
    y.backward(one, retain_graph=True)
    y.backward(one)
    with pytest.raises(RuntimeError) as e:
        y.backward(one)
    assert str(e.value) == msg
    # a graph that saved nothing can run twice, as in PyTorch
    z = x + 1.0
    z.backward(one)
    z.backward(one)


def test_leaf_inplace_error_and_nonleaf_rebase():
    x = P(arr(3, 4))
    with pytest.raises(RuntimeError, match=r"^a leaf Variable that requires grad is being used in an in-place operation\.$"):
        x.add_(1.0)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x += 1.0
    with pyts.no_grad():
        x.add_(1.0)     # allowed without recording
    res = []
    b_np = arr(4)
    for L, mk in ((pyts, P), (torch, T)):
        a, b = mk(np.arange(12.0).reshape(3, 4) / 10), mk(b_np)
        y = a * 2.0
        v0 = y._version
        y.mul_(b)
        assert y._version == v0 + 1
        assert name_of(y.grad_fn) == "MulBackward0"
        y.add_(b, alpha=2)
        assert name_of(y.grad_fn) == "AddBackward0"
        y.tanh_()
        assert name_of(y.grad_fn) == "TanhBackward0"
        y.backward(mk(np.ones((3, 4)), False))
        res.append((y, a.grad, b.grad, name_of(y.grad_fn.next_functions[0][0])))
    for p, t in zip(res[0][:3], res[1][:3]):
        close(p, t)
    assert res[0][3] == res[1][3] == "AddBackward0"
    # tanh_ keeps its result; changing it afterwards is caught, with the same versions as torch
    msgs = []
    for L, mk in ((pyts, P), (torch, T)):
        y = mk(b_np) * 2.0
        y.tanh_()
        y.add_(1.0)
        with pytest.raises(RuntimeError) as e:
            y.backward(mk(np.ones(4), False))
        msgs.append(re.sub(r"Hint:.*", "", str(e.value)).replace("torch.", "pyts."))
    assert msgs[0] == msgs[1]


def test_version_counter_error():
    x = P(arr(3, 4))
    y = x * 2.0
    z = pyts.tanh(y)
    z.add_(1.0)
    with pytest.raises(RuntimeError) as e:
        z.backward(P(np.ones((3, 4)), False))
    assert str(e.value).startswith(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        "[pyts.DoubleTensor [3, 4]], which is output 0 of Tanh, is at version 1; expected version 0 instead. Hint: ")
    # an input saved by MulBackward0, modified afterwards
    a, w = P(arr(3)), P(arr(3))
    h = a * 1.0
    out = h * w
    h.add_(1.0)
    h.add_(1.0)
    with pytest.raises(RuntimeError, match=re.escape(
            "[pyts.DoubleTensor [3]], which is output 0 of Add, is at version 2; expected version 0 instead.")):
        out.backward(P(np.ones(3), False))
    # the same with torch (the structure we follow)
    at, wt = T(arr(3)), T(arr(3))
    ht = at * 1.0
    outt = ht * wt
    ht.add_(1.0)
    ht.add_(1.0)
    with pytest.raises(RuntimeError, match=re.escape(
            "[torch.DoubleTensor [3]], which is output 0 of Add, is at version 2; expected version 0 instead.")):
        outt.backward(torch.ones(3, dtype=torch.float64))
    # saving only what the formula needs: mul by a constant keeps nothing of self
    c = P(arr(3)) * 1.0
    d = c * 2.0
    c.add_(1.0)
    d.backward(P(np.ones(3), False))


def test_no_grad_and_grad_modes():
    x = P(arr(3))
    with pyts.no_grad():
        y = x * 2.0
        assert not pyts.is_grad_enabled()
        with pyts.enable_grad():
            assert (x * 2.0).requires_grad
    assert pyts.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @pyts.no_grad()
    def f(t):
        return t * 2.0

    @pyts.no_grad
    def g(t):
        return t * 2.0

    @pyts.set_grad_enabled(False)
    def h(t):
        return t * 2.0

    assert not f(x).requires_grad and not g(x).requires_grad and not h(x).requires_grad
    assert pyts.is_grad_enabled()
    pyts.set_grad_enabled(False)
    assert not pyts.is_grad_enabled()
    pyts.set_grad_enabled(True)
    with pyts.set_grad_enabled(False):
        assert not (x * 1.0).requires_grad
    assert (x * 1.0).requires_grad
    with pyts.inference_mode():
        assert not (x * 1.0).requires_grad and pyts.is_inference_mode_enabled()
    assert not pyts.is_inference_mode_enabled()

    @pyts.no_grad()
    def gen(t):
        yield t * 2.0
        yield t * 3.0

    assert all(not r.requires_grad for r in gen(x))
    assert pyts.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = []

    def worker():
        seen.append(pyts.is_grad_enabled())

    with pyts.no_grad():
        th = threading.Thread(target=worker)
        th.start()
        th.join()
    assert seen == [True]


def test_grad_fn_objects_match_torch():
    def build(L, mk):
        x, w = mk(arr(3, 4)), mk(arr(4))
        return x, w, L.tanh(x * w + 1.0) - x

    px, pw, py = build(pyts, P)
    tx, tw, ty = build(torch, T)

    def walk(fn, depth=0):
        if fn is None or depth > 6:
            return None
        return (type(fn).__name__, tuple((walk(n, depth + 1), i) for n, i in fn.next_functions))

    assert walk(py.grad_fn) == walk(ty.grad_fn)
    g = py.grad_fn
    assert g is py.grad_fn
    assert g.name() == "SubBackward0" and type(g).__name__ == "SubBackward0"
    assert repr(type(g)) == "<class 'SubBackward0'>"
    acc = g.next_functions[1][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is px and acc.next_functions == ()
    assert px.grad_fn is None and px.is_leaf and not py.is_leaf and py.requires_grad
    assert (pw * 2.0).grad_fn.next_functions[1] == (None, 0)


def test_autograd_grad_and_double_backward_tanh():
    x_np = arr(5)
    xp, xt = P(x_np), T(x_np)
    (gp,) = pyts.autograd.grad(pyts.tanh(xp), xp, P(np.ones(5), False), create_graph=True)
    (gt,) = torch.autograd.grad(torch.tanh(xt), xt, torch.ones(5, dtype=torch.float64), create_graph=True)
    close(gp, gt)
    assert gp.requires_grad and xp.grad is None
    (ggp,) = pyts.autograd.grad(gp, xp, P(np.ones(5), False))
    (ggt,) = torch.autograd.grad(gt, xt, torch.ones(5, dtype=torch.float64))
    close(ggp, ggt)
    # backward through the gradient accumulates the second derivative
    (gp2,) = pyts.autograd.grad(pyts.tanh(xp), xp, P(np.ones(5), False), create_graph=True)
    gp2.backward(P(np.ones(5), False))
    close(xp.grad, ggt)
    # x*x: the two uses meet in an AddBackward0, as in PyTorch
    (g2,) = pyts.autograd.grad(xp * xp, xp, P(np.ones(5), False), create_graph=True)
    (g2t,) = torch.autograd.grad(xt * xt, xt, torch.ones(5, dtype=torch.float64), create_graph=True)
    assert name_of(g2.grad_fn) == name_of(g2t.grad_fn) == "AddBackward0"


def test_grad_errors_and_unused():
    x, y, z = P(arr(3)), P(arr(2)), P(arr(3), False)
    out = x * 2.0
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar outputs$"):
        out.backward()
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and does not have a grad_fn$"):
        z.backward(P(np.ones(3), False))
    with pytest.raises(RuntimeError, match=re.escape(
            "Mismatch in shape: grad_output[0] has a shape of pyts.Size([2]) and output[0] has a shape of pyts.Size([3]).")):
        out.backward(P(np.ones(2), False))
    with pytest.raises(RuntimeError, match="^One of the differentiated Tensors does not require grad$"):
        pyts.autograd.grad(out, [z], P(np.ones(3), False))
    with pytest.raises(RuntimeError, match=re.escape(
            "The differentiated Tensor at index 1 appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior.")):
        pyts.autograd.grad(out, [x, y], P(np.ones(3), False), retain_graph=True)
    gx, gy = pyts.autograd.grad(out, [x, y], P(np.ones(3), False), allow_unused=True)
    np.testing.assert_allclose(gx.detach().numpy(), np.full(3, 2.0))
    assert gy is None and x.grad is None
    gx, gy = pyts.autograd.grad(x * 2.0, [x, y], P(np.ones(3), False), materialize_grads=True)
    assert not np.any(gy.numpy())
    one = P(np.array(1.0))
    (one * 4.0).backward()        # implicit gradient for a one-element output
    assert one.grad.item() == 4.0


def test_out_variant_refuses_grad():
    x = P(arr(3))
    with pytest.raises(RuntimeError, match=re.escape(
            "add(): functions with out=... arguments don't support automatic differentiation, but one of "
            "the arguments requires grad.")):
        pyts.add(x, 1.0, out=P(np.zeros(3), False))
    with pyts.no_grad():
        pyts.add(x, 1.0, out=P(np.zeros(3), False))


def test_requires_grad_and_grad_setters():
    x = P(arr(3, 4))
    y = x * 2.0
    with pytest.raises(RuntimeError, match=r"^you can only change requires_grad flags of leaf variables\.$"):
        y.requires_grad = True
    with pytest.raises(RuntimeError, match="var_no_grad = var.detach()"):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match="^only Tensors of floating point dtype can require gradients$"):
        pyts.tensor([1, 2]).requires_grad_()
    with pytest.raises(TypeError, match="^assigned grad expected to be a Tensor or None but got grad of type int$"):
        x.grad = 3
    with pytest.raises(RuntimeError, match=re.escape("attempting to assign a gradient of size '[3]' to a tensor of size '[3, 4]'")):
        x.grad = P(np.ones(3), False)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype"):
        x.grad = P(np.ones((3, 4), np.float32), False)
    g = P(np.ones((3, 4)), False)
    x.grad = g
    assert x.grad is g
    x.requires_grad = False
    assert not x.requires_grad and x.is_leaf
    with pytest.raises(TypeError):
        x.requires_grad = 1


def test_retain_grad_and_nonleaf_grad_warning():
    res = []
    x_np = arr(3)
    for L, mk in ((pyts, P), (torch, T)):
        x = mk(x_np)
        h = x * 2.0
        h.retain_grad()
        assert h.retains_grad and not x.retains_grad
        out = L.tanh(h)
        out.backward(mk(np.ones(3), False))
        res.append(h.grad)
        with pytest.warns(UserWarning, match="not a leaf Tensor"):
            assert out.grad is None
    close(res[0], res[1])
    with pytest.raises(RuntimeError, match="^can't retain_grad on Tensor that has requires_grad=False$"):
        P(arr(3), False).retain_grad()


def test_detach():
    x = P(arr(3))
    y = x * 2.0
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d.numpy()[0] = 100.0                        # shares storage
    assert y.detach().numpy()[0] == 100.0
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad
    assert not x.data.requires_grad


def test_backward_inputs_restricts_accumulation():
    x, w = P(arr(3)), P(arr(3))
    h = x * w
    out = pyts.tanh(h)
    out.backward(P(np.ones(3), False), inputs=[w], retain_graph=True)
    assert x.grad is None and w.grad is not None
    out.backward(P(np.ones(3), False), inputs=[h])
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert h.grad is not None
    tx, tw = T(x.detach().numpy()), T(w.detach().numpy())
    torch.tanh(tx * tw).backward(torch.ones(3, dtype=torch.float64))
    close(w.grad, tw.grad)


def test_multiple_roots():
    res = []
    for L, mk in ((pyts, P), (torch, T)):
        x = mk(np.array([0.5, -1.0, 2.0]))
        a, b = L.tanh(x), x * x
        L.autograd.backward([a, b], [mk(np.ones(3), False), mk(np.full(3, 2.0), False)])
        res.append(x.grad)
    close(res[0], res[1])


def test_long_chain_does_not_recurse():
    x = P(np.array([0.1, 0.2]))
    y = x
    for _ in range(20000):
        y = y * 1.0
    y.backward(P(np.ones(2), False))
    np.testing.assert_allclose(x.grad.detach().numpy(), np.ones(2))
    del y   # frees 20000 nodes iteratively


def test_parallel_backward_threads():
    errors = []

    def worker(seed):
        try:
            rng = np.random.default_rng(seed)
            for _ in range(20):
                a = rng.uniform(-1, 1, 50)
                x = P(a)
                y = pyts.tanh(x * x + 1.0)
                y.backward(P(np.ones(50), False))
                t = np.tanh(a * a + 1.0)
                np.testing.assert_allclose(x.grad.detach().numpy(), (1 - t * t) * 2 * a, rtol=1e-10)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ths = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    assert not errors, errors


def test_parameter():
    p = pyts.nn.Parameter(pyts.tensor([1.0, 2.0]))
    assert isinstance(p, pyts.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\n") and str(p) == repr(p)
    q = p * 2.0
    assert type(q) is pyts.Tensor and q.grad_fn is not None
    assert not pyts.nn.Parameter(pyts.tensor([1.0]), requires_grad=False).requires_grad
    d = p.detach()
    assert type(d) is pyts.Tensor


# =====================================================================================
# in-place operations on views (CopySlices) and views of tensors changed in place
# =====================================================================================
VIEW_CASES = {
    "setitem": lambda L, x: _ret(x * 2.0, lambda h: h.__setitem__(0, 5.0)),
    "inplace_on_slice": lambda L, x: _ret(x * 2.0, lambda h: h[:, 1].add_(x[:, 2] * 3.0)),
    "inplace_on_view": lambda L, x: _ret(x * 1.5, lambda h: h.view(12).mul_(L.tanh(x.reshape(12)))),
    "view_of_changed_base": lambda L, x: _stale(x * 2.0),
    "inplace_then_base": lambda L, x: _then_base(x * 1.0),
}


def _ret(h, f):
    f(h)
    return h


def _stale(h):
    v = h[1]
    h.mul_(3.0)
    return v * 1.0


def _then_base(h):
    v = h[1:]
    v.tanh_()
    return h * v.sum()


@pytest.mark.parametrize("name", sorted(VIEW_CASES))
def test_inplace_on_views_match_torch(name):
    assert hasattr(pyts.Tensor, "__getitem__") and hasattr(pyts.Tensor, "view"), \
        "indexing and view (shape registry rows) are needed"
    a = arr(3, 4)
    res = []
    for L, mk in ((pyts, P), (torch, T)):
        x = mk(a)
        y = VIEW_CASES[name](L, x)
        y.backward(mk(np.ones(tuple(y.shape)), False))
        res.append((y, x.grad, name_of(y.grad_fn)))
    close(res[0][0], res[1][0], rtol=1e-12, atol=1e-12)
    close(res[0][1], res[1][1], rtol=1e-12, atol=1e-12)
    assert res[0][2] == res[1][2]


def test_inplace_on_view_of_leaf_is_refused():
    assert hasattr(pyts.Tensor, "__getitem__"), "indexing (shape registry rows) is needed"
    x = P(arr(3, 4))
    with pytest.raises(RuntimeError, match=r"^a view of a leaf Variable that requires grad is being used in an in-place operation\.$"):
        x[0].add_(1.0)


# =====================================================================================
# requires_grad= on factory functions (a Python-binding keyword in PyTorch, not in the schemas)
# =====================================================================================
FACTORY_CALLS = {
    "zeros": lambda L, **k: L.zeros(2, 3, **k),
    "ones": lambda L, **k: L.ones((2,), **k),
    "full": lambda L, **k: L.full((2, 2), 1.5, **k),
    "empty": lambda L, **k: L.empty(2, **k),
    "rand": lambda L, **k: L.rand(3, **k),
    "randn": lambda L, **k: L.randn(2, 2, **k),
    "arange": lambda L, **k: L.arange(4.0, **k),
    "arange_start": lambda L, **k: L.arange(1.0, 3.0, 0.5, **k),
    "linspace": lambda L, **k: L.linspace(0, 1, 5, **k),
    "eye": lambda L, **k: L.eye(3, **k),
    "zeros_like": lambda L, **k: L.zeros_like(L.ones(2), **k),
    "ones_like": lambda L, **k: L.ones_like(L.ones(2), **k),
    "full_like": lambda L, **k: L.full_like(L.ones(2), 2.5, **k),
    "empty_like": lambda L, **k: L.empty_like(L.ones(2), **k),
    "rand_like": lambda L, **k: L.rand_like(L.ones(2), **k),
    "randn_like": lambda L, **k: L.randn_like(L.ones(2), **k),
    "tensor": lambda L, **k: L.tensor([1.0, 2.0], **k),
    "tensor_nested": lambda L, **k: L.tensor([[1.0], [2.0]], dtype=L.float64, **k),
}


@pytest.mark.parametrize("name", sorted(FACTORY_CALLS))
def test_factory_requires_grad(name):
    make = FACTORY_CALLS[name]
    for rg in (True, False):
        p, t = make(pyts, requires_grad=rg), make(torch, requires_grad=rg)
        assert p.requires_grad == t.requires_grad == rg, name
        assert p.is_leaf and p.grad_fn is None
        assert p.shape == tuple(t.shape) and str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    # the result is a leaf that accumulates gradients
    x = make(pyts, requires_grad=True)
    (x * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.detach().numpy(), np.full(tuple(x.shape), 2.0, dtype=x.grad.detach().numpy().dtype))


FACTORY_ERRORS = [
    lambda L: L.tensor([1, 2], requires_grad=True),
    lambda L: L.tensor([1.0], dtype=L.int32, requires_grad=True),
    lambda L: L.zeros(2, dtype=L.int64, requires_grad=True),
    lambda L: L.arange(3, requires_grad=True),
    lambda L: L.full((2,), True, requires_grad=True),
    lambda L: L.zeros_like(L.tensor([1]), requires_grad=True),
    lambda L: L.ones(2, requires_grad=1),
    lambda L: L.tensor([1.0], requires_grad=None),
    lambda L: L.add(L.ones(2), 1.0, requires_grad=True),    # not a factory
]


@pytest.mark.parametrize("i", range(len(FACTORY_ERRORS)))
def test_factory_requires_grad_errors(i):
    f = FACTORY_ERRORS[i]
    with pytest.raises(Exception) as et:
        f(torch)
    with pytest.raises(Exception) as ep:
        f(pyts)
    assert type(ep.value) is type(et.value)
    if isinstance(et.value, RuntimeError):
        assert str(ep.value) == str(et.value)
    # None stays accepted where torch accepts it
    assert not pyts.zeros(2, requires_grad=None).requires_grad


@pytest.mark.parametrize("build", [
    lambda L, x, w: L.nn.functional.conv2d(x, w).sum(),
    lambda L, x, w: L.nn.functional.avg_pool2d(x, 2).sum(),
    lambda L, x, w: L.nn.functional.pad(x, [1, 1, 1, 1], mode="reflect").sum(),
    lambda L, x, w: L.cumprod(x, 1).sum(),
])
def test_backward_twice_through_new_formulas(build):
    """the nodes of the new formulas keep tensors: a second pass must fail as torch's does"""
    msgs = []
    xa, wa = arr(1, 2, 5, 5), arr(3, 2, 3, 3)
    for L, mk in ((pyts, P), (torch, T)):
        x, w = mk(xa), mk(wa)
        y = build(L, x, w)
        L.autograd.grad(y, [x], retain_graph=True)
        L.autograd.grad(y, [x])
        with pytest.raises(RuntimeError) as e:
            y.backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1] and msgs[0].startswith("Trying to backward through the graph a second time")
