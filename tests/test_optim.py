"""pyts.optim against torch.optim (PyTorch 2.13, foreach=False): the same parameters and the same
gradient sequence (fed from NumPy) give the same parameters and optimizer state after several
steps for every optimiser option; state_dict layout and round trips, StepLR's schedule,
zero_grad, repr, and the errors PyTorch raises on bad arguments."""
import importlib
import re
import warnings

import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")

LIBS = (pyts, torch)
SHAPES = [(3, 4), (5,), ()]
STEPS = 6
# the gradient scale changes from step to step so that amsgrad's running maximum and the
# bias corrections all matter
SCALES = [3.0, 1.0, 0.2, 2.0, 0.05, 1.5]


def make_data(dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[np.asarray(rng.standard_normal(s) * SCALES[k], dtype=dtype) for s in SHAPES] for k in range(STEPS)]
    grads[2][1] = None   # a step where one parameter has no gradient: it is skipped
    return init, grads


def leaf(L, a):
    return L.from_numpy(np.array(a, copy=True)).requires_grad_()


def npy(t):
    return t.detach().numpy().copy()


def run(L, name, kwargs, init, grads, steps=STEPS):
    params = [leaf(L, a) for a in init]
    opt = getattr(L.optim, name)(params, **kwargs)
    for k in range(steps):
        for p, g in zip(params, grads[k]):
            p.grad = None if g is None else L.from_numpy(g.copy())
        opt.step()
    return params, opt


def assert_close(a, b, dtype):
    # float32 rounding differences (fused multiply-adds, division order) may appear in the last
    # bit and grow a little over the steps
    # float16: torch rounds SGD's alpha to half before multiplying, pyts keeps it in float32
    # (Adam matches exactly in half)
    tol = {np.float32: dict(rtol=2e-6, atol=1e-7), np.float64: dict(rtol=1e-13, atol=1e-15),
           np.float16: dict(rtol=4e-3, atol=2e-3)}[dtype]
    np.testing.assert_allclose(a, b, **tol)


def compare_state(popt, topt, dtype):
    psd, tsd = popt.state_dict(), topt.state_dict()
    assert psd["param_groups"] == tsd["param_groups"]
    assert list(psd["state"]) == list(tsd["state"])
    for k in tsd["state"]:
        ps, ts = psd["state"][k], tsd["state"][k]
        assert list(ps) == list(ts)
        for key in ts:
            assert str(ps[key].dtype).split(".")[-1] == str(ts[key].dtype).split(".")[-1], key
            assert tuple(ps[key].shape) == tuple(ts[key].shape), key
            assert_close(npy(ps[key]), npy(ts[key]), dtype)


SGD_CASES = [
    {"lr": 0.1},
    {},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.5},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True},
    {"lr": 0.1, "weight_decay": 0.1},
    {"lr": 0.1, "maximize": True},
    {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.01, "maximize": True, "nesterov": True},
]
ADAM_CASES = [
    {},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "maximize": True},
    {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.05, "amsgrad": True, "maximize": True},
    {"lr": 0.01, "decoupled_weight_decay": True, "weight_decay": 0.1},
]
ADAMW_CASES = [
    {},
    {"lr": 0.01, "amsgrad": True},
    {"lr": 0.01, "weight_decay": 0.3},
    {"lr": 0.01, "weight_decay": 0.0, "maximize": True, "betas": (0.7, 0.95)},
]
ALL_CASES = ([("SGD", c) for c in SGD_CASES] + [("Adam", c) for c in ADAM_CASES]
             + [("AdamW", c) for c in ADAMW_CASES])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("name,kwargs", ALL_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ALL_CASES)])
def test_steps_match_torch(name, kwargs, dtype):
    init, grads = make_data(dtype)
    kwargs = dict(kwargs, foreach=False)
    pp, popt = run(pyts, name, kwargs, init, grads)
    tp, topt = run(torch, name, kwargs, init, grads)
    for a, b, i in zip(pp, tp, init):
        assert a.dtype == pyts.from_numpy(i).dtype
        assert_close(npy(a), npy(b), dtype)
        assert not np.array_equal(npy(a), i) or i.size == 0   # the step moved the parameter
    compare_state(popt, topt, dtype)


def test_noncontiguous_parameter():
    """A parameter that is a transposed view still steps in place, through its own strides."""
    rng = np.random.default_rng(3)
    base = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((3, 4)).astype(np.float32) for _ in range(3)]
    out = []
    for L in LIBS:
        p = L.from_numpy(base.copy()).t().detach().requires_grad_()
        opt = L.optim.Adam([p], lr=0.1, amsgrad=True, foreach=False)
        for g in grads:
            p.grad = L.from_numpy(g.copy())
            opt.step()
        out.append(npy(p))
    assert_close(out[0], out[1], np.float32)


def test_param_groups_and_repr():
    init, grads = make_data()
    res = []
    for L in LIBS:
        params = [leaf(L, a) for a in init]
        opt = L.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.5, "momentum": 0.3}],
                          lr=0.1, momentum=0.9)
        third = leaf(L, np.ones(2, np.float32))
        opt.add_param_group({"params": third, "weight_decay": 0.25})
        for k in range(3):
            for p, g in zip(params, grads[k]):
                p.grad = None if g is None else L.from_numpy(g.copy())
            third.grad = L.ones(2)
            opt.step()
        res.append((opt, [npy(p) for p in params + [third]]))
    (popt, pvals), (topt, tvals) = res
    assert repr(popt) == repr(topt)
    assert [len(g["params"]) for g in popt.param_groups] == [1, 2, 1]
    for a, b in zip(pvals, tvals):
        assert_close(a, b, np.float32)
    compare_state(popt, topt, np.float32)
    assert repr(pyts.optim.AdamW([leaf(pyts, init[0])])) == repr(torch.optim.AdamW([leaf(torch, init[0])]))


def test_named_parameters():
    for L in LIBS:
        lin = L.nn.Linear(3, 2)
        opt = L.optim.Adam(lin.named_parameters())
        assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
        assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.05, "momentum": 0.9}),
                                         ("Adam", {"lr": 0.01, "amsgrad": True}),
                                         ("AdamW", {"lr": 0.01})])
def test_state_dict_round_trip(name, kwargs):
    """Stop after 3 steps, load the state into a fresh optimizer over copies of the parameters,
    and go on: the result is the uninterrupted run's (and torch's)."""
    init, grads = make_data(seed=1)
    full, _ = run(pyts, name, kwargs, init, grads)
    half, opt = run(pyts, name, kwargs, init, grads, steps=3)
    sd = opt.state_dict()
    params = [leaf(pyts, npy(p)) for p in half]
    opt2 = getattr(pyts.optim, name)(params, lr=123.0)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == kwargs["lr"]
    assert opt2.param_groups[0]["params"][0] is params[0]
    for k in range(3, STEPS):
        for p, g in zip(params, grads[k]):
            p.grad = None if g is None else pyts.from_numpy(g.copy())
        opt2.step()
    for a, b in zip(params, full):
        np.testing.assert_array_equal(npy(a), npy(b))
    tfull, _ = run(torch, name, kwargs, init, grads)
    for a, b in zip(params, tfull):
        assert_close(npy(a), npy(b), np.float32)


def test_load_state_dict_casts_to_parameter_dtype():
    init, grads = make_data()
    for L in LIBS:
        _, opt = run(L, "Adam", {"lr": 0.01}, init, grads, steps=2)
        sd = opt.state_dict()
        params64 = [L.from_numpy(a.astype(np.float64)).requires_grad_() for a in init]
        opt64 = L.optim.Adam(params64)
        opt64.load_state_dict(sd)
        st = opt64.state[params64[0]]
        assert str(st["exp_avg"].dtype).endswith("float64")
        assert str(st["step"].dtype).endswith("float32")   # step keeps its dtype
        assert float(st["step"].item()) == 2.0


def test_load_state_dict_errors():
    init, grads = make_data()
    msgs = []
    for L in LIBS:
        _, opt = run(L, "SGD", {"lr": 0.1, "momentum": 0.9}, init, grads, steps=1)
        sd = opt.state_dict()
        other = L.optim.SGD([{"params": [leaf(L, init[0])]}, {"params": [leaf(L, init[1])]}], lr=0.1)
        with pytest.raises(ValueError) as e1:
            other.load_state_dict(sd)
        fewer = L.optim.SGD([leaf(L, init[0])], lr=0.1)
        with pytest.raises(ValueError) as e2:
            fewer.load_state_dict(sd)
        msgs.append((str(e1.value), str(e2.value)))
    assert msgs[0] == msgs[1]


def test_state_dict_does_not_copy():
    p = leaf(pyts, np.ones(3, np.float32))
    opt = pyts.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = pyts.ones(3)
    opt.step()
    assert opt.state_dict()["state"][0]["momentum_buffer"] is opt.state[p]["momentum_buffer"]


class WarmUp:
    """A callable object (not a function): LambdaLR saves its __dict__ in state_dict."""

    def __init__(self, n):
        self.n = n

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.n)


SCHEDULERS = [
    ("StepLR", lambda: dict(step_size=3, gamma=0.5)),
    ("StepLR", lambda: dict(step_size=1)),
    ("MultiStepLR", lambda: dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", lambda: dict(gamma=0.9)),
    ("LambdaLR", lambda: dict(lr_lambda=lambda e: 0.95 ** e)),
    ("LambdaLR", lambda: dict(lr_lambda=[WarmUp(4), lambda e: 1.0 / (e + 1)])),
    ("CosineAnnealingLR", lambda: dict(T_max=4, eta_min=0.001)),
]


@pytest.mark.parametrize("name,kw", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)])
def test_scheduler_matches_torch(name, kw):
    lrs = []
    for L in LIBS:
        params = [leaf(L, np.ones(2, np.float32)), leaf(L, np.ones(3, np.float32))]
        opt = L.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.01}], lr=0.1)
        sched = getattr(L.optim.lr_scheduler, name)(opt, **kw())
        seq = [sched.get_last_lr()]
        for _ in range(12):
            for p in params:
                p.grad = L.ones(p.shape)
            opt.step()
            sched.step()
            seq.append(list(sched.get_last_lr()))
            seq.append([g["lr"] for g in opt.param_groups])
            seq.append([npy(p).tolist() for p in params])     # the optimizer used those lrs
        seq.append(sched.last_epoch)
        sd = sched.state_dict()
        seq.append(sorted(sd))
        seq.append({k: v for k, v in sd.items() if k not in ("_get_lr_called_within_step", "lr_lambdas")})
        if "lr_lambdas" in sd:
            seq.append(sd["lr_lambdas"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched.step(6)    # deprecated epoch argument: the closed form from base_lrs where there is one
        seq.append(sched.get_last_lr())
        lrs.append(seq)
    assert lrs[0] == lrs[1]
    if name != "LambdaLR":
        assert lrs[0][0] == [0.1, 0.01]
    assert len({tuple(x) for x in lrs[0][1:36:3]}) > 1     # the lr changed along the way


def test_steplr_values():
    p = leaf(pyts, np.ones(1, np.float32))
    opt = pyts.optim.SGD([p], lr=1.0)
    sched = pyts.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    seen = []
    for _ in range(5):
        opt.step()
        sched.step()
        seen.append(sched.get_last_lr()[0])
    assert seen == [1.0, 0.5, 0.5, 0.25, 0.25]


def test_lambdalr_state_dict_round_trip():
    def make(L):
        opt = L.optim.SGD([{"params": [leaf(L, [1.0])]}, {"params": [leaf(L, [2.0])]}], lr=0.1)
        return L.optim.lr_scheduler.LambdaLR(opt, [WarmUp(4), lambda e: 1.0])

    for L in LIBS:
        a = make(L)
        a.lr_lambdas[0].n = 10
        a.optimizer.step()
        a.step()
        b = make(L)
        b.load_state_dict(a.state_dict())
        assert b.lr_lambdas[0].n == 10 and b.last_epoch == 1
    assert _errors(lambda L: L.optim.lr_scheduler.LambdaLR(L.optim.SGD([leaf(L, [1.0])]), [WarmUp(1)] * 2)) == (
        ValueError, "Expected 1 lr_lambdas, but got 2")


def test_steplr_state_dict_round_trip_and_warnings():
    for L in LIBS:
        p = leaf(L, np.ones(2, np.float32))
        opt = L.optim.SGD([p], lr=1.0)
        sched = L.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()       # the scheduler before any optimizer step
        sched.step()
        sd = sched.state_dict()
        opt2 = L.optim.SGD([leaf(L, np.ones(2, np.float32))], lr=1.0)
        sched2 = L.optim.lr_scheduler.StepLR(opt2, step_size=7)
        sched2.load_state_dict(sd)
        assert sched2.last_epoch == 2 and sched2.step_size == 2
        with pytest.warns(UserWarning, match="get_last_lr"):
            sched2.get_lr()
        with pytest.raises(TypeError, match="is not an Optimizer"):
            L.optim.lr_scheduler.StepLR(object(), 2)
        with pytest.raises(KeyError):
            L.optim.lr_scheduler.StepLR(L.optim.SGD([leaf(L, np.ones(1, np.float32))]), 2, last_epoch=3)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    for L in LIBS:
        p = leaf(L, np.ones(3, np.float32))
        q = leaf(L, np.ones(2, np.float32))
        opt = L.optim.SGD([p, q], lr=0.1)
        (p * 2).sum().backward()
        g = p.grad
        opt.zero_grad(set_to_none=set_to_none)
        assert q.grad is None
        if set_to_none:
            assert p.grad is None
        else:
            assert p.grad is g                      # zeroed in place
            assert npy(p.grad).tolist() == [0.0, 0.0, 0.0]
            assert not p.grad.requires_grad
        opt.zero_grad()                             # the default sets to None
        assert p.grad is None
        opt.step()                                  # no gradients: nothing moves
        assert npy(p).tolist() == [1.0, 1.0, 1.0]


def test_closure_runs_with_grad_and_step_without():
    for L in LIBS:
        p = leaf(L, np.array([1.0, -2.0], np.float32))
        opt = L.optim.Adam([p], lr=0.1)
        seen = []

        def closure():
            opt.zero_grad()
            seen.append(L.is_grad_enabled())
            loss = (p * p).sum()
            loss.backward()
            return loss

        with L.no_grad():
            loss = opt.step(closure)
        assert seen == [True]
        assert float(loss.item()) == 5.0
        assert L.is_grad_enabled()
        assert not p.requires_grad or p.grad_fn is None     # the update is not recorded


def _errors(make):
    """make(L) raises in both libraries: the same class and message (library names aside)."""
    out = []
    for L in LIBS:
        with pytest.raises(Exception) as e:
            make(L)
        out.append((type(e.value), re.sub(r"\btorch\b", "pyts", str(e.value))))
    assert out[0] == out[1], out
    return out[0]


BAD = [
    lambda L: L.optim.SGD([leaf(L, [1.0])], lr=-0.1),
    lambda L: L.optim.SGD([leaf(L, [1.0])], lr=0.1, momentum=-0.5),
    lambda L: L.optim.SGD([leaf(L, [1.0])], lr=0.1, weight_decay=-1.0),
    lambda L: L.optim.SGD([leaf(L, [1.0])], lr=0.1, nesterov=True),
    lambda L: L.optim.SGD([leaf(L, [1.0])], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    lambda L: L.optim.Adam([leaf(L, [1.0])], lr=-1e-3),
    lambda L: L.optim.Adam([leaf(L, [1.0])], eps=-1.0),
    lambda L: L.optim.Adam([leaf(L, [1.0])], betas=(1.0, 0.999)),
    lambda L: L.optim.Adam([leaf(L, [1.0])], betas=(0.9, -0.1)),
    lambda L: L.optim.Adam([leaf(L, [1.0])], betas=(0, 0.9)),
    lambda L: L.optim.Adam([leaf(L, [1.0])], weight_decay=-0.1),
    lambda L: L.optim.AdamW([leaf(L, [1.0])], lr=-1.0),
    lambda L: L.optim.AdamW([leaf(L, [1.0])], betas=(0.9, 1.5)),
    lambda L: L.optim.Adam(leaf(L, [1.0])),
    lambda L: L.optim.Adam([1.0, 2.0]),
    lambda L: L.optim.SGD(["w"]),
    lambda L: L.optim.SGD([]),
    lambda L: L.optim.SGD(iter([])),
    lambda L: L.optim.SGD([{"params": {leaf(L, [1.0])}}]),
    lambda L: L.optim.SGD([leaf(L, [1.0]) * 2]),
    lambda L: L.optim.SGD([{"params": [leaf(L, [1.0])]}, 3]),
    lambda L: L.optim.SGD([("a", leaf(L, [1.0])), leaf(L, [2.0])]),
    lambda L: L.optim.SGD(5),
]


@pytest.mark.parametrize("make", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_arguments(make):
    cls, _ = _errors(make)
    assert cls in (ValueError, TypeError)


def test_bad_arguments_messages():
    assert _errors(BAD[0]) == (ValueError, "Invalid learning rate: -0.1")
    assert _errors(BAD[7]) == (ValueError, "Invalid beta parameter at index 0: 1.0")
    assert _errors(BAD[13]) == (TypeError, "params argument given to the optimizer should be an iterable "
                                           "of Tensors or dicts, but got pyts.DoubleTensor")
    assert _errors(BAD[14]) == (TypeError, "optimizer can only optimize Tensors, but one of the params is float")


def test_parameter_in_two_groups():
    def make(L):
        p = leaf(L, [1.0])
        opt = L.optim.SGD([p], lr=0.1)
        opt.add_param_group({"params": [p]})

    assert _errors(make) == (ValueError, "some parameters appear in more than one parameter group")


def test_duplicate_parameter_warns():
    for L in LIBS:
        p = leaf(L, [1.0])
        with pytest.warns(UserWarning, match="duplicate parameters"):
            L.optim.SGD([p, p], lr=0.1)


def test_unsupported_options_say_so():
    p = leaf(pyts, [1.0])
    with pytest.raises(NotImplementedError, match="differentiable"):
        pyts.optim.Adam([p], differentiable=True)
    with pytest.raises(NotImplementedError, match="capturable"):
        pyts.optim.AdamW([p], capturable=True)


def test_tensor_lr():
    init, grads = make_data()
    out = []
    for L in LIBS:
        params = [leaf(L, a) for a in init]
        opt = L.optim.Adam(params, lr=L.tensor(0.01), foreach=False)
        for k in range(3):
            for p, g in zip(params, grads[k]):
                p.grad = None if g is None else L.from_numpy(g.copy())
            opt.step()
        out.append([npy(p) for p in params])
    for a, b in zip(*out):
        assert_close(a, b, np.float32)


def test_training_loop_lowers_loss_like_torch():
    """A linear regression trained with SGD(momentum) from the same weights gives the same
    losses in both libraries (autograd + optimizer together)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32) + 0.1).astype(np.float32)
    w0 = rng.standard_normal((1, 4)).astype(np.float32)
    losses = []
    for L in LIBS:
        w, b = leaf(L, w0), leaf(L, np.zeros(1, np.float32))
        opt = L.optim.SGD([w, b], lr=0.05, momentum=0.9)
        xs, ys = L.from_numpy(x), L.from_numpy(y)
        seq = []
        for _ in range(40):
            opt.zero_grad()
            loss = ((L.nn.functional.linear(xs, w, b) - ys) ** 2).mean()
            loss.backward()
            opt.step()
            seq.append(float(loss.item()))
        losses.append(seq)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
    assert losses[0][-1] < 0.05 * losses[0][0]


def test_import_pyts_does_not_load_the_optimisers():
    import subprocess
    import sys

    code = ("import sys, pyts; assert 'pyts.optim.adam' not in sys.modules, sorted(sys.modules); "
            "opt = pyts.optim.Adam([pyts.ones(2).requires_grad_()]); "
            "assert 'pyts.optim.adam' in sys.modules; "
            "assert pyts.optim.lr_scheduler.StepLR(opt, 3).get_last_lr() == [0.001]; "
            "assert 'Adam' in dir(pyts.optim)")
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(AttributeError, match="has no attribute 'Adagrad'"):
        pyts.optim.Adagrad


def test_step_hooks():
    for L in LIBS:
        p = leaf(L, [1.0])
        opt = L.optim.SGD([p], lr=0.5)
        calls = []
        h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt, a, k)))
        h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", o is opt, a, k)))
        optimizer_module = importlib.import_module(L.__name__ + ".optim.optimizer")
        hg = optimizer_module.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("global", a)))
        p.grad = L.ones(1, dtype=L.float64)
        opt.step()
        assert calls == [("global", (opt,)), ("pre", True, (opt,), {}), ("post", True, (opt,), {})]
        h1.remove()
        h2.remove()
        hg.remove()
        opt.step()
        assert len(calls) == 3
        assert npy(p).tolist() == [0.0]
        # a pre-hook may replace the arguments: here it supplies a closure
        opt.register_step_pre_hook(lambda o, a, k: (a, {"closure": lambda: 42}))
        assert opt.step() == 42
        bad = L.optim.SGD([p], lr=0.5)
        bad.register_step_pre_hook(lambda o, a, k: 7)
        with pytest.raises(RuntimeError, match="must return None or a tuple"):
            bad.step()


def test_hooks_on_a_user_optimizer():
    """A user's Optimizer subclass gets the hooks around its own step, as in torch."""
    for L in LIBS:
        class Halve(L.optim.Optimizer):
            def __init__(self, params):
                super().__init__(params, {"factor": 0.5})

            def step(self, closure=None):
                with L.no_grad():
                    for g in self.param_groups:
                        for p in g["params"]:
                            p.mul_(g["factor"])

        p = leaf(L, [8.0])
        opt = Halve([p])
        seen = []
        opt.register_step_post_hook(lambda o, a, k: seen.append(npy(p).tolist()))
        opt.step()
        opt.step()
        assert seen == [[4.0], [2.0]]
        assert "factor: 0.5" in repr(opt)


def test_step_counter_dtype_follows_default_dtype():
    out = []
    for L in LIBS:
        prev = L.get_default_dtype()
        L.set_default_dtype(L.float64)
        try:
            p = L.ones(2).requires_grad_()
            opt = L.optim.Adam([p])
            p.grad = L.ones(2)
            opt.step()
            out.append(str(opt.state[p]["step"].dtype).split(".")[-1])
        finally:
            L.set_default_dtype(prev)
    assert out == ["float64", "float64"]
