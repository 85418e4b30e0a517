"""Overload choice between Scalar and Tensor parameters (torch's argument parser tries the Tensor
overload first, and a Number parameter takes a 0-dim tensor only when it does not require grad),
and the messages of `.grad` assignment. Everything is compared with torch."""
import re

import numpy as np
import pytest
import torch

import pyts


def _grad_fn_name(y):
    return None if y.grad_fn is None else type(y.grad_fn).__name__


def _run(L, f, cplx=False):
    """f(L, x, v) with x a 3-vector and v a 0-dim value, both requiring grad; the result's grad_fn
    name, dtype, values and the gradients of x and v after a backward of a real loss."""
    if cplx:
        v = L.tensor(2.0 + 1.0j, requires_grad=True)
        x = L.tensor([1.0 + 1.0j, 2.0, 3.0 - 0.5j], requires_grad=True)
    else:
        v = L.tensor(2.0, requires_grad=True)
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = f(L, x, v)
    name = _grad_fn_name(y)
    vals = y.detach().numpy().copy()
    gv = gx = None
    if y.requires_grad:
        loss = (y.abs() if cplx else y * L.tensor([1.0, -2.0, 3.0])).sum()
        loss.backward()
        gv = None if v.grad is None else v.grad.numpy().copy()
        gx = None if x.grad is None else x.grad.numpy().copy()
    return name, str(y.dtype).split(".")[1], vals, gv, gx


def _same(f, cplx=False):
    t = _run(torch, f, cplx)
    p = _run(pyts, f, cplx)
    assert p[0] == t[0], (p[0], t[0])
    assert p[1] == t[1]
    np.testing.assert_allclose(p[2], t[2], rtol=1e-6, atol=1e-6)
    for a, b in ((p[3], t[3]), (p[4], t[4])):
        assert (a is None) == (b is None), (a, b)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    return t


M = [True, False, True]

VALUE_TENSOR_CASES = {
    "fill_": lambda L, x, v: x.clone().fill_(v),
    "fill_fn": lambda L, x, v: L.fill_(x.clone(), v),
    "masked_fill": lambda L, x, v: x.masked_fill(L.tensor(M), v),
    "masked_fill_": lambda L, x, v: x.clone().masked_fill_(L.tensor(M), v),
    "where_other": lambda L, x, v: L.where(L.tensor(M), x, v),
    "where_self": lambda L, x, v: L.where(L.tensor(M), v, x),
    "lerp": lambda L, x, v: L.lerp(x, x * 2, v),
    "lerp_method": lambda L, x, v: x.lerp(x * 3, v),
    "lerp_": lambda L, x, v: x.clone().lerp_(x * 2, v),
    "clamp_min": lambda L, x, v: L.clamp(x, v),
    "clamp_max": lambda L, x, v: L.clamp(x, max=v),
    "clamp_min_fn": lambda L, x, v: L.clamp_min(x, v),
    "clamp_max_method": lambda L, x, v: x.clamp_max(v),
    "clamp_": lambda L, x, v: x.clone().clamp_(v),
    "clip": lambda L, x, v: x.clip(v),
    "clip_": lambda L, x, v: x.clone().clip_(max=v),
    "add": lambda L, x, v: x + v,
    "radd": lambda L, x, v: v + x,
    "add_alpha": lambda L, x, v: L.add(x, v, alpha=2),
    "add_": lambda L, x, v: x.clone().add_(v),
    "sub": lambda L, x, v: x - v,
    "rsub": lambda L, x, v: v - x,
    "rsub_fn": lambda L, x, v: L.rsub(x, v),
    "mul": lambda L, x, v: x * v,
    "mul_": lambda L, x, v: x.clone().mul_(v),
    "div": lambda L, x, v: x / v,
    "div_mode": lambda L, x, v: L.div(x, v, rounding_mode="floor"),
    "pow": lambda L, x, v: x ** v,
    "rpow": lambda L, x, v: v ** x,
    "pow_scalar_self": lambda L, x, v: L.pow(2.0, v) + x * 0,
    "pow_": lambda L, x, v: x.clone().pow_(v),
    "float_power": lambda L, x, v: L.float_power(x, v),
    "remainder": lambda L, x, v: L.remainder(x, v),
    "fmod": lambda L, x, v: x.fmod(v),
    "atan2": lambda L, x, v: L.atan2(x, v),
    "maximum": lambda L, x, v: L.maximum(x, v),
    "xlogy": lambda L, x, v: L.xlogy(x, v),
    "xlogy_self": lambda L, x, v: L.xlogy(v, x),
    "copysign": lambda L, x, v: x.copysign(v),
    "hypot": lambda L, x, v: L.hypot(x, v),
    "index_put": lambda L, x, v: x.index_put((L.tensor([0, 2]),), v),
}


@pytest.mark.parametrize("name", sorted(VALUE_TENSOR_CASES))
def test_value_tensor_takes_the_tensor_overload(name):
    _same(VALUE_TENSOR_CASES[name])


def test_fill_value_gets_the_sum_of_the_gradient():
    name, _, _, gv, gx = _same(VALUE_TENSOR_CASES["fill_"])
    assert name == "FillBackward3"
    assert gv == pytest.approx(2.0)       # 1 - 2 + 3
    assert gx.tolist() == [0.0, 0.0, 0.0]


COMPLEX_CASES = {
    "fill_": lambda L, x, v: x.clone().fill_(v),
    "masked_fill": lambda L, x, v: x.masked_fill(L.tensor(M), v),
    "masked_fill_": lambda L, x, v: x.clone().masked_fill_(L.tensor(M), v),
    "where": lambda L, x, v: L.where(L.tensor(M), x, v),
    "add": lambda L, x, v: x + v,
    "mul": lambda L, x, v: x * v,
    "lerp": lambda L, x, v: L.lerp(x, x * 2, v),
    "lerp_": lambda L, x, v: (x * 1).lerp_(x * 2, v),
    "lerp__scalar": lambda L, x, v: (x * 1).lerp_(x * v, 0.3),
    "masked_fill__scalar": lambda L, x, v: (x * 1).masked_fill_(L.tensor(M), 2 + 1j) * v,
    "where_scalar_other": lambda L, x, v: L.where(L.tensor(M), x, 2.0 + 1j) * v,
    "where_scalar_self": lambda L, x, v: L.where(L.tensor(M), 2.0 + 1j, x) * v,
    "addcmul_": lambda L, x, v: (x * 1).addcmul_(x, x * v, value=2),
    "addcdiv_": lambda L, x, v: (x * 1).addcdiv_(x, x + v, value=2),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_CASES))
def test_complex_value_tensor(name):
    _same(COMPLEX_CASES[name], cplx=True)


def test_masked_fill_complex_value_gradient_is_used():
    _, _, _, gv, _ = _same(COMPLEX_CASES["masked_fill"], cplx=True)
    assert gv is not None and abs(gv) > 0


def test_value_without_grad_still_picks_tensor_overload():
    # the 0-dim value does not require grad: torch still records the Tensor overload
    for f in (lambda L, x: x.clone().fill_(L.tensor(0.5)),
              lambda L, x: L.lerp(x, x * 2, L.tensor(0.5)),
              lambda L, x: x.masked_fill(L.tensor(M), L.tensor(0.5))):
        names = []
        for L in (torch, pyts):
            x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
            names.append(_grad_fn_name(f(L, x)))
        assert names[0] == names[1]


def test_schema_order_puts_tensor_first():
    assert pyts.Tensor.fill_._schemas[0].startswith("fill_.Tensor(")
    assert pyts.lerp._schemas[0].startswith("lerp.Tensor(")
    assert pyts.Tensor.lerp_._schemas[0].startswith("lerp_.Tensor(")
    assert pyts.clip._schemas[0].startswith("clip.Tensor(")


# ---- dtypes of the result when the value is a 0-dim tensor of another dtype ----
DTYPE_CASES = {
    "fill_int_by_float": lambda L: L.tensor([1, 2, 3]).fill_(L.tensor(2.5)),
    "fill_float_by_int": lambda L: L.tensor([1.0, 2.0]).fill_(L.tensor(7)),
    "fill_float_by_double": lambda L: L.tensor([1.0, 2.0]).fill_(L.tensor(0.1, dtype=L.float64)),
    "masked_fill_int_by_float": lambda L: L.tensor([1, 2, 3]).masked_fill(L.tensor(M), L.tensor(2.5)),
    "masked_fill_float_by_bool": lambda L: L.tensor([1.0, 2.0, 3.0]).masked_fill(L.tensor(M), L.tensor(True)),
    "clamp_int_by_float": lambda L: L.clamp(L.tensor([1, 2, 3]), L.tensor(1.5)),
    "clamp_float_by_double": lambda L: L.clamp(L.tensor([1.0, 2.0, 3.0]), L.tensor(1.5, dtype=L.float64)),
    "where_int_float": lambda L: L.where(L.tensor(M), L.tensor([1, 2, 3]), L.tensor(1.5)),
    "add_int_float": lambda L: L.tensor([1, 2, 3]) + L.tensor(1.5),
    "pow_int_float": lambda L: L.tensor([1, 2, 3]) ** L.tensor(1.5),
    "lerp_double_weight": lambda L: L.lerp(L.tensor([1.0, 2.0]), L.tensor([3.0, 5.0]),
                                           L.tensor(0.25, dtype=L.float64)),
    "lerp_int_weight": lambda L: L.lerp(L.tensor([1.0, 2.0]), L.tensor([3.0, 5.0]), L.tensor(1)),
    "lerp_complex_weight": lambda L: L.lerp(L.tensor([1.0, 2.0]), L.tensor([3.0, 5.0]), L.tensor(0.5 + 1j)),
    "lerp_complex_self_real_weight": lambda L: L.lerp(L.tensor([1.0 + 1j, 2.0]), L.tensor([3.0, 5.0j]),
                                                      L.tensor(0.25, dtype=L.float64)),
    "lerp__double_weight": lambda L: L.tensor([1.0, 2.0]).lerp_(L.tensor([3.0, 5.0]),
                                                                L.tensor(0.75, dtype=L.float64)),
    "linspace_tensors": lambda L: L.linspace(L.tensor(0.0), L.tensor(1.0), 5),
    "tensor_split_tensor": lambda L: L.tensor_split(L.arange(7), L.tensor(3))[1],
    "repeat_interleave_tensor": lambda L: L.arange(3).repeat_interleave(L.tensor(2)),
}


@pytest.mark.parametrize("name", sorted(DTYPE_CASES))
def test_result_dtype_with_0dim_value(name):
    t = DTYPE_CASES[name](torch)
    p = DTYPE_CASES[name](pyts)
    assert str(p.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-6)


def test_lerp_weight_of_another_dtype_with_dims_is_refused():
    for L in (torch, pyts):
        with pytest.raises(RuntimeError, match="expected dtype .* for `weight` but got dtype"):
            L.lerp(L.tensor([1.0, 2.0]), L.tensor([3.0, 5.0]), L.tensor([0.5], dtype=L.float64))


def test_lerp_double_weight_gradient():
    def f(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = L.tensor(0.25, dtype=L.float64, requires_grad=True)
        y = L.lerp(x, x * 3, w)
        (y * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        return _grad_fn_name(y), str(w.grad.dtype).split(".")[1], w.grad.item(), x.grad.numpy().tolist()
    t, p = f(torch), f(pyts)
    assert p[:2] == t[:2]
    assert p[2] == pytest.approx(t[2])
    assert p[3] == pytest.approx(t[3])


# ---- a Number parameter refuses a tensor that requires grad (or has dims), as in torch ----
def _err(L, f):
    with pytest.raises(Exception) as ei:
        f(L)
    return type(ei.value).__name__, str(ei.value)


REFUSED = {
    "addcmul_value": lambda L: L.addcmul(L.ones(3), L.ones(3), L.ones(3), value=L.tensor(2.0, requires_grad=True)),
    "addcmul_value_1d": lambda L: L.addcmul(L.ones(3), L.ones(3), L.ones(3), value=L.tensor([2.0])),
    "addcmul__value": lambda L: L.ones(3).addcmul_(L.ones(3), L.ones(3), value=L.tensor(2.0, requires_grad=True)),
    "addcdiv_value": lambda L: L.addcdiv(L.ones(3), L.ones(3), L.ones(3), value=L.tensor(2.0, requires_grad=True)),
    "hardtanh_min": lambda L: L.nn.functional.hardtanh(L.ones(3), L.tensor(-1.0, requires_grad=True), 1.0),
    "hardtanh_min_1d": lambda L: L.nn.functional.hardtanh(L.ones(3), L.tensor([-1.0]), 1.0),
    "leaky_relu_slope": lambda L: L.nn.functional.leaky_relu(L.ones(3), L.tensor(0.1, requires_grad=True)),
    "softplus_beta": lambda L: L.nn.functional.softplus(L.ones(3), L.tensor(2.0, requires_grad=True)),
    "full_like": lambda L: L.full_like(L.ones(3), L.tensor(2.0, requires_grad=True)),
    "full": lambda L: L.full((2,), L.tensor(2.0, requires_grad=True)),
    "new_full": lambda L: L.ones(3).new_full((2,), L.tensor(2.0, requires_grad=True)),
    "dropout_p_requires_grad": lambda L: L.nn.functional.dropout(L.ones(3), L.tensor(0.5, requires_grad=True)),
    "dropout_p_1d": lambda L: L.nn.functional.dropout(L.ones(3), L.tensor([0.5])),
    "unsqueeze_dim_1d": lambda L: L.ones(3).unsqueeze(L.tensor([0])),
    "unsqueeze_dim_float": lambda L: L.ones(3).unsqueeze(L.tensor(0.0)),
    "unsqueeze_dim_bool": lambda L: L.ones(3).unsqueeze(L.tensor(True)),
    "unsqueeze_fn_dim_1d": lambda L: L.unsqueeze(L.ones(3), L.tensor([0])),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_number_parameter_refuses_like_torch(name):
    assert _err(pyts, REFUSED[name]) == _err(torch, REFUSED[name])


def test_refused_even_without_grad_mode():
    f = REFUSED["addcmul_value"]
    with torch.no_grad():
        t = _err(torch, f)
    with pyts.no_grad():
        p = _err(pyts, f)
    assert p == t


ACCEPTED = {
    "addcmul_value_0d": lambda L: L.addcmul(L.ones(3), L.ones(3), L.ones(3), value=L.tensor(2.0)),
    "addcmul_value_int": lambda L: L.addcmul(L.ones(3), L.ones(3), L.ones(3), value=L.tensor(3)),
    "hardtanh_0d": lambda L: L.nn.functional.hardtanh(L.tensor([-3.0, 0.5, 3.0]), L.tensor(-1.0), 1.0),
    "leaky_relu_0d": lambda L: L.nn.functional.leaky_relu(L.tensor([-3.0, 0.5]), L.tensor(0.1)),
    "unsqueeze_dim_0d": lambda L: L.ones(3).unsqueeze(L.tensor(0)),
    "view_sizes_1d_tensors": lambda L: L.ones(3).view(L.tensor([3]), L.tensor([1])),
    "view_size_1d_tensor": lambda L: L.ones(3).view(L.tensor([3])),
    "sum_dim_tensor": lambda L: L.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(L.tensor(0)),
    "dropout_p_bool_eval": lambda L: L.nn.functional.dropout(L.ones(3), L.tensor(True), training=False),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_number_parameter_accepts_like_torch(name):
    t = ACCEPTED[name](torch)
    p = ACCEPTED[name](pyts)
    assert list(p.shape) == list(t.shape)
    np.testing.assert_allclose(p.numpy(), t.numpy())


def test_traced_tensor_value_records_tensor_overload():
    def f(L, x, v, m):
        a = x.clone().fill_(v)
        b = x.masked_fill(m, v)
        c = L.lerp(x, a, v)
        d = L.clamp(x, v)
        return a + b + c + d

    def grads(L, kind):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = L.tensor(0.5, requires_grad=True)
        m = L.tensor(M)
        if kind == "trace":
            tr = L.jit.trace(lambda x, v, m: f(L, x, v, m), (x, v, m))
            kinds = re.findall(r"(?:aten|prim)::\w+", str(tr.graph))
            y = tr(x, v, m)
        else:
            kinds = None
            y = f(L, x, v, m)
        (y * L.tensor([1.0, -1.0, 2.0])).sum().backward()
        return kinds, v.grad.item(), x.grad.numpy().tolist()

    for kind in ("eager", "trace"):
        t, p = grads(torch, kind), grads(pyts, kind)
        assert p[0] == t[0]
        assert p[1] == pytest.approx(t[1])
        assert p[2] == pytest.approx(t[2])


def _scripted(L):
    @L.jit.script
    def g(x, v, m):
        a = x.clone().fill_(v)
        b = x.masked_fill(m, v)
        c = L.lerp(x, a, v)
        return a + b + c
    return g


def test_scripted_tensor_value_gets_gradient():
    res = []
    for L in (torch, pyts):
        g = _scripted(L)
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = L.tensor(0.5, requires_grad=True)
        y = g(x, v, L.tensor(M))
        (y * L.tensor([1.0, -1.0, 2.0])).sum().backward()
        res.append((v.grad.item(), x.grad.numpy().tolist(),
                    re.findall(r"aten::\w+", str(g.graph))))
    assert res[1][0] == pytest.approx(res[0][0])
    assert res[1][1] == pytest.approx(res[0][1])
    assert res[1][2] == res[0][2]


# ---- .grad assignment ----
GRAD_DTYPES = ["float64", "int64", "complex64", "float16", "bfloat16", "bool", "uint8", "int8",
               "int16", "int32", "complex128"]


def _assign(L, tdt, gdt, shape=(3,), gshape=(3,)):
    x = L.zeros(*shape, dtype=getattr(L, tdt), requires_grad=tdt.startswith(("float", "complex")))
    with pytest.raises(RuntimeError) as ei:
        x.grad = L.zeros(list(gshape), dtype=getattr(L, gdt))
    return str(ei.value)


@pytest.mark.parametrize("gdt", GRAD_DTYPES)
def test_grad_dtype_message(gdt):
    assert _assign(pyts, "float32", gdt) == _assign(torch, "float32", gdt)


@pytest.mark.parametrize("tdt,gdt", [("float64", "float32"), ("complex64", "float32"),
                                     ("float16", "float32"), ("int64", "float32"),
                                     ("complex128", "complex64"), ("bfloat16", "float64")])
def test_grad_dtype_message_other_tensor_dtypes(tdt, gdt):
    assert _assign(pyts, tdt, gdt) == _assign(torch, tdt, gdt)


def test_grad_dtype_checked_before_shape():
    assert _assign(pyts, "float64", "float32", (3,), (2, 2)) == _assign(torch, "float64", "float32", (3,), (2, 2))


@pytest.mark.parametrize("gshape", [(4,), (3, 1), ()])
def test_grad_shape_message(gshape):
    assert _assign(pyts, "float32", "float32", (3,), gshape) == _assign(torch, "float32", "float32", (3,), gshape)


@pytest.mark.parametrize("value", [3, [1.0, 2.0, 3.0], "x"])
def test_grad_non_tensor_message(value):
    msgs = []
    for L in (torch, pyts):
        x = L.zeros(3, requires_grad=True)
        with pytest.raises(TypeError) as ei:
            x.grad = value
        msgs.append(str(ei.value))
    assert msgs[1] == msgs[0]


def test_grad_self_message():
    msgs = []
    for L in (torch, pyts):
        x = L.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError) as ei:
            x.grad = x
        msgs.append(str(ei.value))
    assert msgs[1] == msgs[0]


def test_grad_assignment_that_fits():
    for L in (torch, pyts):
        x = L.zeros(3, requires_grad=True)
        x.grad = L.ones(6)[::2]
        assert x.grad.numpy().tolist() == [1.0, 1.0, 1.0]
        w = L.zeros(3, dtype=L.int64)
        w.grad = L.ones(3, dtype=L.int64)
        assert w.grad.dtype == L.int64
        x.grad = None
        assert x.grad is None


def test_grad_message_names_types_like_torch():
    msg = _assign(pyts, "float32", "float64")
    assert re.search(r"dtype 'double' to a tensor with grad_dtype 'Float'", msg)
