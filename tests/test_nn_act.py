"""The activation layers of ops_act.def (LeakyReLU, ELU, Softplus, Hardtanh, ReLU6) and their
functions against torch: outputs, input gradients, reprs, (empty) state_dicts, scripted == eager,
and traced graphs with torch.jit.trace's node kinds."""
import warnings

import numpy as np
import pytest

import pyts
from layer_inputs import kinds  # noqa: E402
import pyts.jit
import pyts.nn.functional as PF

torch = pytest.importorskip("torch")
TF = torch.nn.functional
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]

# (class name, constructor args, kwargs)
LAYERS = [
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2,), {}), ("LeakyReLU", (), {"negative_slope": -0.5, "inplace": True}),
    ("ELU", (), {}), ("ELU", (0.5,), {}), ("ELU", (), {"alpha": 2.0, "inplace": True}),
    ("Softplus", (), {}), ("Softplus", (2,), {"threshold": 1}), ("Softplus", (), {"beta": 0.5, "threshold": 10.0}),
    ("Hardtanh", (), {}), ("Hardtanh", (-2, 3), {}), ("Hardtanh", (), {"min_val": 0.0, "max_val": 0.5, "inplace": True}),
    ("ReLU6", (), {}), ("ReLU6", (True,), {}),
]
IDS = [f"{n}-{i}" for i, (n, _, _) in enumerate(LAYERS)]


def x_np(seed=0, shape=(3, 5)):
    return np.random.default_rng(seed).uniform(-8, 8, shape).astype(np.float32)


@pytest.mark.parametrize("name,args,kw", LAYERS, ids=IDS)
def test_layer_matches_torch(name, args, kw):
    mp, mt = getattr(pyts.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(mp) == repr(mt)
    assert list(mp.state_dict()) == list(mt.state_dict()) == []
    xn = x_np()
    xp, xt = pyts.tensor(xn, requires_grad=True), torch.tensor(xn, requires_grad=True)
    # in-place layers need a non-leaf input, as in torch
    yp, yt = mp(xp * 1.0), mt(xt * 1.0)
    if kw.get("negative_slope", 0) < 0:   # in place with a negative slope: backward raises in both
        with pytest.raises(RuntimeError, match="negative slope"):
            torch.autograd.grad(yt, xt, torch.ones_like(yt))
        with pytest.raises(RuntimeError, match="negative slope"):
            pyts.autograd.grad(yp, xp, pyts.ones_like(yp))
        return
    np.testing.assert_allclose(yp.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    g = np.random.default_rng(1).standard_normal(xn.shape).astype(np.float32)
    (gp,) = pyts.autograd.grad(yp, xp, pyts.tensor(g))
    (gt,) = torch.autograd.grad(yt, xt, torch.tensor(g))
    np.testing.assert_allclose(gp.detach().numpy(), gt.detach().numpy(), rtol=1e-6, atol=1e-6)
    assert type(yp.grad_fn).__name__ == type(yt.grad_fn).__name__


@pytest.mark.parametrize("name,args,kw", LAYERS, ids=IDS)
def test_scripted_equals_eager(name, args, kw):
    m = getattr(pyts.nn, name)(*args, **kw)
    t = getattr(torch.nn, name)(*args, **kw)
    try:
        ts = torch.jit.script(t)
    except RuntimeError as e:
        # int parameters do not bind F.hardtanh's float ones (F.softplus is a builtin: they do)
        assert "Expected a value of type 'float'" in str(e)
        with pytest.raises(pyts._C.CompileError, match="Expected a value of type 'float'"):
            pyts.jit.script(m)
        return
    s = pyts.jit.script(m)
    xn = x_np(2)
    np.testing.assert_array_equal(s(pyts.tensor(xn)).detach().numpy(), m(pyts.tensor(xn)).detach().numpy())
    np.testing.assert_allclose(s(pyts.tensor(xn)).detach().numpy(), ts(torch.tensor(xn)).detach().numpy(),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,args,kw", LAYERS, ids=IDS)
def test_traced_graph_kinds(name, args, kw):
    xn = x_np(3)
    mp, mt = getattr(pyts.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    tp = pyts.jit.trace(mp, pyts.tensor(xn))
    tt = torch.jit.trace(mt, torch.tensor(xn))
    assert kinds(tp.graph) == kinds(tt.graph)
    xn2 = x_np(4)
    np.testing.assert_allclose(tp(pyts.tensor(xn2)).detach().numpy(), tt(torch.tensor(xn2)).detach().numpy(), rtol=1e-6, atol=1e-6)


FUNCS = [
    ("leaky_relu", (0.3,), {}), ("leaky_relu", (), {"negative_slope": 0.1, "inplace": True}),
    ("elu", (1.5,), {}), ("elu", (), {"alpha": 0.5, "inplace": True}),
    ("softplus", (), {"beta": 3.0, "threshold": 2.0}), ("softplus", (0.5,), {}),
    ("hardtanh", (-3.0, 2.0), {}), ("hardtanh", (), {"inplace": True}),
    ("relu6", (), {}), ("relu6", (), {"inplace": True}),
]


@pytest.mark.parametrize("fn,args,kw", FUNCS, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(FUNCS)])
def test_functional_matches_torch(fn, args, kw):
    xn = x_np(5)
    xp, xt = pyts.tensor(xn), torch.tensor(xn)
    rp, rt = getattr(PF, fn)(xp, *args, **kw), getattr(TF, fn)(xt, *args, **kw)
    np.testing.assert_allclose(rp.detach().numpy(), rt.detach().numpy(), rtol=1e-6, atol=1e-6)
    # inplace=True writes into the input and returns it
    assert (rp is xp) == (rt is xt)
    np.testing.assert_allclose(xp.detach().numpy(), xt.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_functional_errors_match_torch():
    for L, F in ((pyts, PF), (torch, TF)):
        with pytest.raises(NotImplementedError, match="leaky_relu_cpu"):
            F.leaky_relu(L.tensor([1, 2]))
        with pytest.raises(RuntimeError, match="Bool inputs not supported for hardtanh"):
            F.hardtanh(L.tensor([True]))
    with pytest.raises(AssertionError):
        pyts.nn.Hardtanh(1.0, -1.0)


def test_double_backward_matches_torch():
    xn = x_np(6).astype(np.float64)
    for fp, ft in ((lambda x: PF.elu(x, 0.7), lambda x: TF.elu(x, 0.7)),
                   (lambda x: PF.softplus(x, 2.0, 3.0), lambda x: TF.softplus(x, 2.0, 3.0))):
        xp, xt = pyts.tensor(xn, requires_grad=True), torch.tensor(xn, requires_grad=True)
        (gp,) = pyts.autograd.grad(fp(xp).sum(), xp, create_graph=True)
        (gt,) = torch.autograd.grad(ft(xt).sum(), xt, create_graph=True)
        (hp,) = pyts.autograd.grad(gp.sum(), xp)
        (ht,) = torch.autograd.grad(gt.sum(), xt)
        np.testing.assert_allclose(hp.detach().numpy(), ht.detach().numpy(), rtol=1e-10, atol=1e-12)
