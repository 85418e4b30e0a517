"""In-place comparisons keep a tensor that requires grad in the graph (zero gradients, torch's
node names); fill_/copy_ of complex values into real tensors take the real part as torch does."""
import subprocess
import sys

import numpy as np
import pytest
import torch

import pyts

OPS = ["eq", "ne", "lt", "le", "gt", "ge"]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("other_kind", ["scalar", "tensor"])
def test_inplace_comparison_grad(op, other_kind):
    data, odata = [1.0, -2.0, 3.0], [0.0, -2.0, 5.0]
    out = {}
    for L in (torch, pyts):
        a0 = L.tensor(data, requires_grad=True)
        o = L.tensor(odata, requires_grad=True)
        a = a0.clone()
        b = getattr(a, op + "_")(0.0 if other_kind == "scalar" else o)
        assert b is a
        (b * 3).sum().backward()
        out[L.__name__] = (b.grad_fn.name(), b.requires_grad, b.detach().numpy().copy(),
                           a0.grad.numpy().copy(), None if o.grad is None else o.grad.numpy().copy())
    t, p = out["torch"], out["pyts"]
    assert p[0] == t[0] and p[1] == t[1]
    np.testing.assert_array_equal(p[2], t[2])
    np.testing.assert_array_equal(p[3], t[3])
    assert (p[4] is None) == (t[4] is None)
    if t[4] is not None:
        np.testing.assert_array_equal(p[4], t[4])


def test_inplace_comparison_without_grad_records_nothing():
    a = pyts.tensor([1.0, 2.0])
    assert a.ge_(1.5).grad_fn is None


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_fill_with_complex_tensor_takes_real_part(dtype):
    res = []
    for L in (torch, pyts):
        x = L.zeros(3, dtype=getattr(L, dtype))
        x.fill_(L.tensor(1.75 + 2j))
        res.append(x.numpy())
    np.testing.assert_array_equal(res[1], res[0])
    assert res[1].dtype == res[0].dtype


def test_fill_with_complex_number_still_raises():
    with pytest.raises(RuntimeError, match="value cannot be converted to type float without overflow"):
        pyts.zeros(3).fill_(1 + 2j)


def test_copy_complex_into_real_warns_once():
    code = ("import warnings, pyts\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    x = pyts.zeros(3); x.copy_(pyts.tensor([1+2j, 3j, 4]))\n"
            "    print(x.tolist())\n"
            "    x.copy_(pyts.tensor([5+1j, 6, 7]))\n"
            "    print([str(m.message) for m in w])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "[1.0, 0.0, 4.0]"
    assert lines[1] == "['Casting complex values to real discards the imaginary part']"
