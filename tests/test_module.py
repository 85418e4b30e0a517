"""pyts.nn.Module, Parameter, Linear, activations and init against torch.nn (PyTorch 2.13):
registration, traversal, state_dict round trips through NumPy, strict loading errors, hooks,
modes, conversion, the printed hierarchy, and initialisation bounds."""
import math
import re
import warnings

import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")


def to_pyts(t):
    return pyts.from_numpy(t.detach().numpy().copy())


def to_torch(p):
    return torch.from_numpy(p.detach().numpy().copy())


def both(builder):
    """builder(nn, lib) -> module, for pyts and torch"""
    return builder(pyts.nn, pyts), builder(torch.nn, torch)


def make_cells(nn, lib):
    class MyDecisionGate(nn.Module):
        def forward(self, x):
            return x

    class MyCell(nn.Module):
        def __init__(self):
            super().__init__()
            self.dg = MyDecisionGate()
            self.linear = nn.Linear(4, 4)

        def forward(self, x, h):
            return lib.tanh(self.dg(x) + h)

    return MyCell, MyDecisionGate


# ---------------- printing ----------------
def test_repr_matches_torch():
    def build(nn, lib):
        MyCell, MyDecisionGate = make_cells(nn, lib)

        class Outer(nn.Module):
            def __init__(self):
                super().__init__()
                self.cell = MyCell()
                self.act = nn.ReLU()
                self.gelu = nn.GELU(approximate="tanh")
                self.soft = nn.Softmax(dim=1)
                self.logsoft = nn.LogSoftmax(dim=-1)
                self.nobias = nn.Linear(3, 2, bias=False)
                self.ident = nn.Identity()
                self.inplace = nn.ReLU(inplace=True)
                self.silu = nn.SiLU()
                self.tanh = nn.Tanh()
                self.sig = nn.Sigmoid()

        return [MyCell(), MyDecisionGate(), Outer(), nn.Linear(4, 4), nn.Softmax()]

    for p, t in zip(*both(build)):
        assert repr(p) == repr(t)
    p, _ = both(lambda nn, lib: make_cells(nn, lib)[0]())
    assert repr(p) == "MyCell(\n  (dg): MyDecisionGate()\n  (linear): Linear(in_features=4, out_features=4, bias=True)\n)"


def test_multiline_extra_repr():
    def build(nn, lib):
        class Odd(nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = nn.Linear(2, 2)

            def extra_repr(self):
                return "a=1\nb=2"

        return Odd()

    p, t = both(build)
    assert repr(p) == repr(t)


# ---------------- registration ----------------
class Net(pyts.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = pyts.nn.Parameter(pyts.tensor([1.0, 2.0]))
        self.sub = pyts.nn.Linear(2, 3)
        self.register_buffer("running", pyts.tensor([0.0, 0.0]))
        self.register_buffer("scratch", pyts.tensor([5.0]), persistent=False)
        self.plain = pyts.tensor([7.0])          # neither parameter nor buffer

    def forward(self, x):
        return pyts.tanh(x * self.w + self.running)


def test_registration_and_traversal():
    n = Net()
    assert [k for k, _ in n.named_parameters()] == ["w", "sub.weight", "sub.bias"]
    assert [k for k, _ in n.named_parameters(recurse=False)] == ["w"]
    assert [k for k, _ in n.named_parameters(prefix="net")] == ["net.w", "net.sub.weight", "net.sub.bias"]
    assert [k for k, _ in n.named_buffers()] == ["running", "scratch"]
    assert list(n.children()) == [n.sub]
    assert [k for k, _ in n.named_modules()] == ["", "sub"]
    assert n.w is n._parameters["w"] and n.running is n._buffers["running"] and n.sub is n._modules["sub"]
    assert "plain" in n.__dict__ and "plain" not in n._buffers
    for name in ("w", "sub", "running", "scratch", "forward", "plain"):
        assert name in dir(n)
    # shared parameters and modules are listed once
    n.alias = n.sub
    n.w2 = n.w
    assert [k for k, _ in n.named_parameters()] == ["w", "sub.weight", "sub.bias"]
    assert len(list(n.parameters())) == 3 and len(list(n.modules())) == 2
    assert len(list(n.named_parameters(remove_duplicate=False))) == 6
    # re-assigning moves the name between kinds; deleting removes it
    n.w = None
    assert n.w is None and "w" in n._parameters
    del n.w
    assert "w" not in n._parameters
    n.sub = None
    assert n.sub is None and list(n.children()) == [n.alias]
    del n.running
    assert not hasattr(n, "running")
    assert n.get_submodule("alias") is n.alias
    assert n.get_parameter("alias.weight") is n.alias.weight
    n.register_buffer("b2", pyts.tensor([1.0]))
    assert n.get_buffer("b2") is n.b2
    n.b2 = pyts.tensor([3.0])
    assert "b2" in n._buffers


def test_registration_errors():
    n = Net()
    with pytest.raises(TypeError) as e:
        n.w = pyts.tensor([1.0, 2.0])
    assert str(e.value) == "cannot assign 'pyts.FloatTensor' as parameter 'w' (pyts.nn.Parameter or None expected)"
    tn = torch.nn.Module()
    tn.w = torch.nn.Parameter(torch.tensor([1.0]))
    with pytest.raises(TypeError) as te:
        tn.w = torch.tensor([1.0])
    assert str(e.value).replace("pyts.nn.", "torch.nn.").replace("pyts.", "torch.") == str(te.value)
    with pytest.raises(TypeError, match=re.escape("cannot assign 'int' as child module 'sub' (pyts.nn.Module or None expected)")):
        n.sub = 3
    with pytest.raises(TypeError, match="as buffer 'running'"):
        n.running = 3
    with pytest.raises(KeyError, match="attribute 'forward' already exists"):
        n.register_buffer("forward", pyts.tensor([1.0]))
    with pytest.raises(KeyError):
        n.register_parameter("a.b", None)
    with pytest.raises(TypeError, match="is not a Module subclass"):
        n.add_module("x", 3)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor to parameter 'q'"):
        n.register_parameter("q", _nonleaf_param())
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        n.nothing

    class Early(pyts.nn.Module):
        def __init__(self):
            self.p = pyts.nn.Parameter(pyts.tensor([1.0]))

    with pytest.raises(AttributeError, match=re.escape("cannot assign parameters before Module.__init__() call")):
        Early()
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required "forward" function'):
        pyts.nn.Module()(1)


def _nonleaf_param():
    """A Parameter object with history: an in-place op with an input that requires grad."""
    q = pyts.nn.Parameter(pyts.tensor([1.0]), requires_grad=False)
    q.add_(pyts.tensor([2.0]).requires_grad_())
    assert q.grad_fn is not None and isinstance(q, pyts.nn.Parameter)
    return q


# ---------------- state dict ----------------
def test_state_dict_contents():
    n = Net()
    sd = n.state_dict()
    assert list(sd.keys()) == ["w", "running", "sub.weight", "sub.bias"]
    assert all(type(v) is pyts.Tensor and not v.requires_grad for v in sd.values())
    sd["w"].numpy()[0] = 42.0                   # detached, but the same memory (as PyTorch)
    assert n.w.detach().numpy()[0] == 42.0
    assert n.state_dict(keep_vars=True)["w"] is n.w
    assert sd._metadata[""] == {"version": 1} and sd._metadata["sub"] == {"version": 1}


def test_state_dict_round_trip_with_torch():
    p_cell, t_cell = both(lambda nn, lib: make_cells(nn, lib)[0]())
    # torch -> pyts
    res = p_cell.load_state_dict({k: to_pyts(v) for k, v in t_cell.state_dict().items()})
    assert res.missing_keys == [] and res.unexpected_keys == [] and repr(res) == "<All keys matched successfully>"
    for k, v in p_cell.state_dict().items():
        np.testing.assert_array_equal(v.detach().numpy(), t_cell.state_dict()[k].detach().numpy())
    assert isinstance(p_cell.linear.weight, pyts.nn.Parameter) and p_cell.linear.weight.requires_grad
    # pyts -> torch
    with pyts.no_grad():
        pyts.nn.init.uniform_(p_cell.linear.weight, -3, 3)
    t_cell.load_state_dict({k: to_torch(v) for k, v in p_cell.state_dict().items()})
    np.testing.assert_array_equal(t_cell.linear.weight.detach().numpy(), p_cell.linear.weight.detach().numpy())
    # forward with the shared parameters agrees once Linear's op is in the registry
    x, h = np.random.rand(3, 4).astype(np.float32), np.random.rand(3, 4).astype(np.float32)
    assert hasattr(pyts, "linear"), "pyts.linear (linalg registry rows) is needed for Linear.forward"
    out_p = p_cell.linear(pyts.from_numpy(x))
    out_t = t_cell.linear(torch.from_numpy(x))
    np.testing.assert_allclose(out_p.detach().numpy(), out_t.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert type(out_p.grad_fn).__name__ == type(out_t.grad_fn).__name__ == "AddmmBackward0"
    del h


def test_load_state_dict_errors_match_torch():
    p_cell, t_cell = both(lambda nn, lib: make_cells(nn, lib)[0]())
    sd_t = t_cell.state_dict()
    sd_p = {k: to_pyts(v) for k, v in sd_t.items()}

    def both_raise(p_sd, t_sd):
        with pytest.raises(RuntimeError) as ep:
            p_cell.load_state_dict(p_sd)
        with pytest.raises(RuntimeError) as et:
            t_cell.load_state_dict(t_sd)
        assert str(ep.value) == str(et.value).replace("torch.", "pyts.")
        return str(ep.value)

    msg = both_raise({k: v for k, v in sd_p.items() if k != "linear.bias"},
                     {k: v for k, v in sd_t.items() if k != "linear.bias"})
    assert msg == 'Error(s) in loading state_dict for MyCell:\n\tMissing key(s) in state_dict: "linear.bias". '
    both_raise(dict(sd_p, extra=to_pyts(torch.zeros(1))), dict(sd_t, extra=torch.zeros(1)))
    both_raise(dict(sd_p, **{"linear.bias": to_pyts(torch.zeros(3))}), dict(sd_t, **{"linear.bias": torch.zeros(3)}))
    both_raise({"linear.weight": sd_p["linear.weight"], "dg.x": sd_p["linear.bias"]},
               {"linear.weight": sd_t["linear.weight"], "dg.x": sd_t["linear.bias"]})
    res_p = p_cell.load_state_dict({"linear.weight": sd_p["linear.weight"], "zzz": sd_p["linear.bias"]}, strict=False)
    res_t = t_cell.load_state_dict({"linear.weight": sd_t["linear.weight"], "zzz": sd_t["linear.bias"]}, strict=False)
    assert tuple(res_p) == tuple(res_t) and repr(res_p) == repr(res_t)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        p_cell.load_state_dict([1])


def test_nonpersistent_buffers_and_hooks_on_state_dict():
    n = Net()
    assert "scratch" not in n.state_dict()
    seen = []
    h1 = n.register_state_dict_pre_hook(lambda m, prefix, keep_vars: seen.append(("pre", prefix)))
    n.register_state_dict_post_hook(lambda m, sd, prefix, meta: sd.__setitem__(prefix + "extra", 1))
    sd = n.state_dict()
    assert seen == [("pre", "")] and sd["extra"] == 1
    h1.remove()
    n.state_dict()
    assert seen == [("pre", "")]
    post = []
    n.register_load_state_dict_post_hook(lambda m, keys: post.append(list(keys.unexpected_keys)))
    n.load_state_dict(sd, strict=False)
    assert post == [["extra"]]


# ---------------- calling and hooks ----------------
def test_forward_hooks():
    n = Net()
    x = pyts.tensor([0.5, -0.5])
    calls = []
    h_pre = n.register_forward_pre_hook(lambda m, args: (args[0] * 2.0,))
    h_post = n.register_forward_hook(lambda m, args, out: out * 0.0 + 1.0)
    n.register_forward_hook(lambda m, args, out: calls.append("second"), prepend=False)
    n.register_forward_hook(lambda m, args, out: calls.append("first"), prepend=True)
    out = n(x)
    np.testing.assert_allclose(out.detach().numpy(), [1.0, 1.0])
    assert calls == ["first", "second"]
    h_post.remove()
    h_pre.remove()
    expected = np.tanh(np.array([0.5, -0.5]) * np.array([1.0, 2.0]))
    np.testing.assert_allclose(n(x).detach().numpy(), expected, rtol=1e-6)
    kw = []
    n.register_forward_pre_hook(lambda m, args, kwargs: (args, kwargs), with_kwargs=True)
    n.register_forward_hook(lambda m, args, kwargs, out: kw.append(sorted(kwargs)), with_kwargs=True)
    n(x=x)
    assert kw == [["x"]]
    with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
        h = n.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
        try:
            n(x)
        finally:
            h.remove()

    class Boom(pyts.nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    b = Boom()
    ran = []
    with b.register_forward_hook(lambda m, a, o: ran.append(o), always_call=True):
        with pytest.raises(ValueError, match="boom"):
            b(1)
    assert ran == [None] and not b._forward_hooks


def test_custom_module_forward_backward_matches_torch():
    def build(nn, lib):
        class Cell(nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = nn.Parameter(lib.tensor([0.5, -1.0, 2.0, 0.25], dtype=lib.float64))
                self.shift = nn.Parameter(lib.tensor([0.1, 0.2, 0.3, 0.4], dtype=lib.float64))

            def forward(self, x, h):
                return lib.tanh(x * self.scale + h) - self.shift / (h * h + 1.0)

        return Cell()

    p, t = both(build)
    x, h = np.random.rand(3, 4), np.random.rand(3, 4)
    out_p = p(pyts.from_numpy(x), pyts.from_numpy(h))
    out_t = t(torch.from_numpy(x), torch.from_numpy(h))
    assert type(out_p.grad_fn).__name__ == type(out_t.grad_fn).__name__
    out_p.backward(pyts.from_numpy(np.ones((3, 4))))
    out_t.backward(torch.ones(3, 4, dtype=torch.float64))
    for (kp, vp), (kt, vt) in zip(p.named_parameters(), t.named_parameters()):
        assert kp == kt
        np.testing.assert_allclose(vp.grad.detach().numpy(), vt.grad.detach().numpy(), rtol=1e-10)
    p.zero_grad()
    assert all(q.grad is None for q in p.parameters())
    out_p = p(pyts.from_numpy(x), pyts.from_numpy(h))
    out_p.backward(pyts.from_numpy(np.ones((3, 4))))
    g = p.scale.grad
    p.zero_grad(set_to_none=False)
    assert p.scale.grad is g and not np.any(g.numpy())


# ---------------- modes and conversion ----------------
def test_train_eval_apply_requires_grad():
    n = Net()
    assert n.training and n.sub.training
    assert n.eval() is n and not n.training and not n.sub.training
    n.train()
    assert n.sub.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        n.train(1)
    order = []
    n.apply(lambda m: order.append(type(m).__name__))
    assert order == ["Linear", "Net"]
    n.requires_grad_(False)
    assert not any(q.requires_grad for q in n.parameters())
    n.requires_grad_()
    assert all(q.requires_grad for q in n.parameters())


def test_to_and_float_double_keep_parameter_identity():
    n = Net()
    w = n.sub.weight
    n.to(pyts.float64)
    assert n.sub.weight is w and w.dtype == pyts.float64 and isinstance(w, pyts.nn.Parameter)
    assert n.running.dtype == pyts.float64 and w.requires_grad
    n.float()
    assert w.dtype == pyts.float32
    n.double()
    assert n.w.dtype == pyts.float64
    assert n.to("cpu") is n and n.cpu() is n
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        n.to(pyts.int64)
    y = n(pyts.tensor([1.0, 2.0], dtype=pyts.float64))
    assert y.dtype == pyts.float64


# ---------------- Linear and init ----------------
def test_linear_parameters_and_init_bounds():
    lin = pyts.nn.Linear(100, 300)
    assert lin.weight.shape == (300, 100) and lin.bias.shape == (300,)
    assert lin.weight.dtype == pyts.float32 and lin.weight.requires_grad and lin.weight.is_leaf
    bound = 1 / math.sqrt(100)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.abs(b).max() <= bound and np.abs(b).max() > 0.9 * bound
    nb = pyts.nn.Linear(3, 2, bias=False, dtype=pyts.float64)
    assert nb.bias is None and [k for k, _ in nb.named_parameters()] == ["weight"]
    assert nb.weight.dtype == pyts.float64 and "bias" not in nb.state_dict()
    assert repr(nb) == "Linear(in_features=3, out_features=2, bias=False)"


def test_linear_init_follows_torch_generator_stream():
    """With the registry's uniform_ and one seed, Linear draws exactly torch's weights."""
    assert hasattr(pyts, "manual_seed"), "pyts.manual_seed (factory registry rows) is needed"
    pyts.manual_seed(0)
    torch.manual_seed(0)
    p, t = pyts.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    np.testing.assert_array_equal(p.weight.detach().numpy(), t.weight.detach().numpy())
    np.testing.assert_array_equal(p.bias.detach().numpy(), t.bias.detach().numpy())
    assert str(p.bias).startswith("Parameter containing:\ntensor(")


def test_init_functions():
    for nl, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                      ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)]:
        assert pyts.nn.init.calculate_gain(nl, param) == torch.nn.init.calculate_gain(nl, param)
    with pytest.raises(ValueError, match="Unsupported nonlinearity foo"):
        pyts.nn.init.calculate_gain("foo")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        pyts.nn.init.calculate_gain("leaky_relu", True)
    p = pyts.nn.Parameter(pyts.nn.init._empty((40, 60)))
    for fn, bound in [(pyts.nn.init.xavier_uniform_, math.sqrt(6 / 100)),
                      (lambda t: pyts.nn.init.kaiming_uniform_(t, nonlinearity="relu"), math.sqrt(6 / 60)),
                      (lambda t: pyts.nn.init.uniform_(t, -0.5, 0.5), 0.5)]:
        assert fn(p) is p and not p.grad_fn
        a = p.detach().numpy()
        assert np.abs(a).max() <= bound and np.abs(a).max() > 0.9 * bound
    pyts.nn.init.kaiming_normal_(p, mode="fan_out")
    assert abs(p.detach().numpy().std() - math.sqrt(2 / 40)) < 0.02
    pyts.nn.init.xavier_normal_(p, gain=2.0)
    assert abs(p.detach().numpy().std() - 2 * math.sqrt(2 / 100)) < 0.02
    pyts.nn.init.normal_(p, 3.0, 0.01)
    assert abs(p.detach().numpy().mean() - 3.0) < 0.01
    pyts.nn.init.constant_(p, 0.25)
    assert np.all(p.detach().numpy() == 0.25)
    pyts.nn.init.ones_(p)
    assert np.all(p.detach().numpy() == 1)
    pyts.nn.init.zeros_(p)
    assert not np.any(p.detach().numpy())
    assert p.is_leaf and p.requires_grad
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"):
        pyts.nn.init.xavier_uniform_(pyts.nn.init._empty((5,)))
    with pytest.raises(ValueError, match=re.escape("Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']")):
        pyts.nn.init.kaiming_uniform_(p, mode="fan_avg")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        pyts.nn.init.kaiming_uniform_(pyts.nn.init._empty((0, 3)))
    assert "Initializing zero-element tensors is a no-op" in str(w[0].message)


def test_activation_modules_run():
    x = np.random.rand(2, 3).astype(np.float32) - 0.5
    out = pyts.nn.Tanh()(pyts.from_numpy(x))
    np.testing.assert_allclose(out.detach().numpy(), torch.nn.Tanh()(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)
    if hasattr(pyts, "relu"):
        np.testing.assert_allclose(pyts.nn.ReLU()(pyts.from_numpy(x)).detach().numpy(), np.maximum(x, 0))
    else:
        with pytest.raises(NotImplementedError, match="the op 'relu' is not in the registry"):
            pyts.nn.ReLU()(pyts.from_numpy(x))
