"""pyts.nn layers against torch.nn (PyTorch 2.13), one table of layer configurations:
(a) the same seed gives bit-identical parameters and buffers; (b) a torch state dict exported
through NumPy loads strictly into the pyts layer and gives the same outputs, buffers (BatchNorm
running stats) and gradients (input and parameters, backward of a random-weighted sum), in train
and eval mode; (c) a pyts state dict loads back into torch; (d) reprs are torch's; (e) bad input
raises torch's exception class and message, and state-dict key errors read as torch's.
Containers (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict) follow."""
import re
from collections import OrderedDict

import numpy as np
import pytest

import pyts
from pyts.autograd import no_grad as pyts_no_grad

torch = pytest.importorskip("torch")


def I(*shape, high=4):
    """int64 indices in [0, high)"""
    return lambda r: r.integers(0, high, size=shape).astype(np.int64)


def R(*shape, low=-2.0, high=2.0):
    """float32 uniform in [low, high)"""
    return lambda r: (r.random(shape) * (high - low) + low).astype(np.float32)


def P(*shape):
    """float32 probabilities along dim 1 (rows sum to 1)"""
    def make(r):
        a = r.random(shape).astype(np.float32) + 0.1
        return (a / a.sum(axis=1, keepdims=True)).astype(np.float32)
    return make


def LOGP(*shape):
    """float32 log-probabilities along dim 1"""
    return lambda r: np.log(P(*shape)(r)).astype(np.float32)


class Spec:
    """A layer configuration: build(nn, L) -> module; inputs: makers of NumPy inputs; bad:
    lists of makers of inputs that both libraries must reject."""

    def __init__(self, id, build, inputs, bad=()):
        self.id, self.build, self.inputs, self.bad = id, build, inputs, list(bad)

    def __repr__(self):
        return self.id


def T(make, a, b):
    """a non-contiguous input: make's array with axes a and b swapped (a strided view)"""
    return lambda r: np.swapaxes(make(r), a, b)


def W(L, *vals):
    return L.tensor(list(vals))


SPECS = [
    Spec("Identity", lambda nn, L: nn.Identity(3, foo=1), [R(2, 3)]),
    Spec("Dropout_p0", lambda nn, L: nn.Dropout(0.0), [R(3, 4)]),
    Spec("Dropout_p1", lambda nn, L: nn.Dropout(p=1.0), [R(3, 4)]),
    Spec("Embedding", lambda nn, L: nn.Embedding(10, 4), [I(2, 3, high=10)],
         bad=[[lambda r: np.array([[1, 10]], dtype=np.int64)], [R(2, 3)]]),
    Spec("Embedding_padding_idx", lambda nn, L: nn.Embedding(6, 3, padding_idx=2), [I(4, 5, high=6)]),
    Spec("Embedding_neg_padding_scale_grad", lambda nn, L: nn.Embedding(5, 3, padding_idx=-1, scale_grad_by_freq=True),
         [I(7, high=5)]),
    Spec("Embedding_float64", lambda nn, L: nn.Embedding(5, 2, dtype=L.float64), [I(3, high=5)]),
    Spec("LayerNorm", lambda nn, L: nn.LayerNorm(5), [R(2, 3, 5)], bad=[[R(2, 3, 4)]]),
    Spec("LayerNorm_2d_nobias", lambda nn, L: nn.LayerNorm([3, 5], eps=1e-3, bias=False), [R(2, 3, 5)],
         bad=[[R(3, 4, 5)]]),
    Spec("LayerNorm_noaffine", lambda nn, L: nn.LayerNorm((4,), elementwise_affine=False), [R(3, 4)]),
    Spec("BatchNorm1d", lambda nn, L: nn.BatchNorm1d(3), [R(4, 3)],
         bad=[[R(4, 3, 2, 2)], [R(4, 5)], [R(1, 3)]]),
    Spec("BatchNorm1d_3d_cumulative", lambda nn, L: nn.BatchNorm1d(3, momentum=None), [R(4, 3, 5)],
         bad=[[R(3)]]),
    Spec("BatchNorm1d_nostats_noaffine", lambda nn, L: nn.BatchNorm1d(3, affine=False, track_running_stats=False),
         [R(4, 3)]),
    Spec("BatchNorm2d", lambda nn, L: nn.BatchNorm2d(3), [R(2, 3, 4, 4)], bad=[[R(3, 4, 4)], [R(2, 4, 4, 4)]]),
    Spec("BatchNorm2d_nobias_cumulative", lambda nn, L: nn.BatchNorm2d(2, eps=1e-3, momentum=None, bias=False),
         [R(3, 2, 2, 3)]),
    Spec("BatchNorm2d_float64", lambda nn, L: nn.BatchNorm2d(2, momentum=0.3, dtype=L.float64),
         [lambda r: R(2, 2, 3, 3)(r).astype(np.float64)]),
    Spec("Conv1d", lambda nn, L: nn.Conv1d(4, 6, 3), [R(2, 4, 9)], bad=[[R(4, 9, 1, 1)], [R(2, 3, 9)], [R(1, 4, 2)]]),
    Spec("Conv1d_strided_dilated_groups", lambda nn, L: nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2),
         [R(2, 4, 11)]),
    Spec("Conv1d_same_reflect", lambda nn, L: nn.Conv1d(4, 4, 4, padding="same", padding_mode="reflect"), [R(2, 4, 9)]),
    Spec("Conv1d_circular_nobias_unbatched", lambda nn, L: nn.Conv1d(4, 2, 3, padding=2, padding_mode="circular",
                                                                     bias=False), [R(4, 7)]),
    Spec("Conv2d", lambda nn, L: nn.Conv2d(3, 4, 3), [R(2, 3, 7, 7)],
         bad=[[R(3, 7)], [R(2, 2, 7, 7)], [R(1, 3, 2, 2)]]),
    Spec("Conv2d_rect_strided_dilated_groups",
         lambda nn, L: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
         [R(2, 4, 7, 6)]),
    Spec("Conv2d_same_even_replicate", lambda nn, L: nn.Conv2d(3, 4, 4, padding="same", padding_mode="replicate"),
         [R(1, 3, 6, 5)]),
    Spec("Conv2d_same_dilated_zeros_nobias", lambda nn, L: nn.Conv2d(3, 4, 3, padding="same", dilation=2, bias=False),
         [R(2, 3, 6, 6)]),
    Spec("Conv2d_valid_unbatched", lambda nn, L: nn.Conv2d(3, 2, (2, 3), padding="valid"), [R(3, 5, 6)]),
    Spec("Conv2d_reflect", lambda nn, L: nn.Conv2d(3, 3, 3, padding=1, padding_mode="reflect"), [R(2, 3, 5, 5)]),
    Spec("Conv2d_circular", lambda nn, L: nn.Conv2d(2, 4, 3, padding=(1, 2), padding_mode="circular"),
         [R(2, 2, 5, 6)]),
    Spec("Conv2d_float64", lambda nn, L: nn.Conv2d(2, 3, 2, dtype=L.float64),
         [lambda r: R(1, 2, 4, 4)(r).astype(np.float64)]),
    Spec("MaxPool2d", lambda nn, L: nn.MaxPool2d(2), [R(2, 3, 6, 6)], bad=[[R(6, 6)], [R(1, 1, 1, 1)]]),
    Spec("MaxPool2d_padded_ceil", lambda nn, L: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [R(1, 2, 7, 6)]),
    Spec("MaxPool2d_indices_rect", lambda nn, L: nn.MaxPool2d((2, 3), return_indices=True), [R(2, 6, 7)]),
    Spec("MaxPool2d_dilated", lambda nn, L: nn.MaxPool2d(2, stride=1, dilation=2), [R(1, 2, 6, 6)]),
    Spec("AvgPool2d", lambda nn, L: nn.AvgPool2d(2), [R(2, 3, 6, 6)], bad=[[R(6, 6)]]),
    Spec("AvgPool2d_padded_ceil_exclude",
         lambda nn, L: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), [R(1, 2, 7, 6)]),
    Spec("AvgPool2d_divisor", lambda nn, L: nn.AvgPool2d((2, 3), stride=(1, 2), divisor_override=3), [R(2, 5, 7)]),
    Spec("AdaptiveAvgPool2d", lambda nn, L: nn.AdaptiveAvgPool2d((2, 3)), [R(2, 3, 7, 5)], bad=[[R(7, 5)]]),
    Spec("AdaptiveAvgPool2d_int_unbatched", lambda nn, L: nn.AdaptiveAvgPool2d(3), [R(3, 7, 5)]),
    Spec("AdaptiveAvgPool2d_none", lambda nn, L: nn.AdaptiveAvgPool2d((None, 2)), [R(1, 2, 4, 5)]),
    Spec("Flatten", lambda nn, L: nn.Flatten(), [R(2, 3, 4)], bad=[[R(3)]]),
    Spec("Flatten_range", lambda nn, L: nn.Flatten(0, 1), [R(2, 3, 4)], bad=[[R(3)]]),
    Spec("Unflatten", lambda nn, L: nn.Unflatten(1, (2, -1)), [R(2, 6)], bad=[[R(2, 5)], [R(2)]]),
    # losses: inputs are (input, target); weights are buffers
    Spec("L1Loss", lambda nn, L: nn.L1Loss(), [R(3, 4), R(3, 4)], bad=[[R(3, 4), R(2, 4)]]),
    Spec("L1Loss_sum_broadcast", lambda nn, L: nn.L1Loss(reduction="sum"), [R(3, 4), R(3, 4)]),
    Spec("MSELoss_none", lambda nn, L: nn.MSELoss(reduction="none"), [R(3, 4), R(3, 4)], bad=[[R(3, 4), R(2, 4)]]),
    Spec("MSELoss_legacy", lambda nn, L: nn.MSELoss(size_average=False), [R(5), R(5)]),
    Spec("NLLLoss_weight_ignore", lambda nn, L: nn.NLLLoss(weight=W(L, 0.5, 1.0, 2.0), ignore_index=1),
         [LOGP(6, 3), I(6, high=3)], bad=[[LOGP(6, 3), I(5, high=3)], [LOGP(6, 3), lambda r: np.array([0, 1, 2, 3, 0, 1])],
                                          [LOGP(6, 3), R(6)]]),
    Spec("NLLLoss_2d_sum", lambda nn, L: nn.NLLLoss(reduction="sum"), [LOGP(2, 3, 4, 4), I(2, 4, 4, high=3)]),
    Spec("CrossEntropyLoss", lambda nn, L: nn.CrossEntropyLoss(), [R(4, 5), I(4, high=5)],
         bad=[[R(4, 5), I(3, high=5)], [R(4, 5), lambda r: np.array([0, 5, 1, 1])]]),
    Spec("CrossEntropyLoss_weight_smoothing_sum",
         lambda nn, L: nn.CrossEntropyLoss(weight=W(L, 1.0, 2.0, 0.5, 1.5), label_smoothing=0.2, reduction="sum"),
         [R(5, 4), I(5, high=4)]),
    Spec("CrossEntropyLoss_probs", lambda nn, L: nn.CrossEntropyLoss(label_smoothing=0.1), [R(3, 4), P(3, 4)]),
    Spec("CrossEntropyLoss_3d_ignore_none", lambda nn, L: nn.CrossEntropyLoss(ignore_index=0, reduction="none"),
         [R(2, 3, 5), I(2, 5, high=3)]),
    Spec("BCELoss_weight", lambda nn, L: nn.BCELoss(weight=W(L, 0.5, 1.0, 2.0)), [R(4, 3, low=0.05, high=0.95),
                                                                                R(4, 3, low=0.0, high=1.0)],
         bad=[[R(4, 3, low=0.05, high=0.95), R(4, 2, low=0.0, high=1.0)]]),
    Spec("BCEWithLogitsLoss_pos_weight", lambda nn, L: nn.BCEWithLogitsLoss(weight=W(L, 1.0, 0.5, 2.0),
                                                                            pos_weight=W(L, 2.0, 1.0, 0.3)),
         [R(4, 3), R(4, 3, low=0.0, high=1.0)], bad=[[R(4, 3), R(3)]]),
    Spec("BCEWithLogitsLoss_none", lambda nn, L: nn.BCEWithLogitsLoss(reduction="none"),
         [R(2, 5), R(2, 5, low=0.0, high=1.0)]),
    # non-contiguous inputs
    Spec("Conv2d_noncontig", lambda nn, L: nn.Conv2d(3, 4, 3, padding=1), [T(R(2, 3, 6, 7), 2, 3)]),
    Spec("LayerNorm_noncontig", lambda nn, L: nn.LayerNorm(5), [T(R(5, 3), 0, 1)]),
    Spec("BatchNorm2d_noncontig", lambda nn, L: nn.BatchNorm2d(3), [T(R(3, 2, 4, 4), 0, 1)]),
    Spec("MaxPool2d_noncontig", lambda nn, L: nn.MaxPool2d(2), [T(R(1, 2, 5, 4), 2, 3)]),
    Spec("CrossEntropyLoss_noncontig", lambda nn, L: nn.CrossEntropyLoss(label_smoothing=0.1),
         [T(R(4, 3), 0, 1), I(3, high=4)]),
    # small networks
    Spec("Sequential_mlp", lambda nn, L: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.0), nn.LayerNorm(8),
                                                       nn.Linear(8, 3)), [R(5, 4)], bad=[[R(5, 3)]]),
    Spec("Sequential_embedding_bn", lambda nn, L: nn.Sequential(OrderedDict([
        ("emb", nn.Embedding(7, 4, padding_idx=0)), ("flat", nn.Flatten()), ("bn", nn.BatchNorm1d(12)),
        ("out", nn.Linear(12, 2))])), [I(5, 3, high=7)]),
    Spec("Sequential_cnn", lambda nn, L: nn.Sequential(OrderedDict([
        ("conv", nn.Conv2d(2, 4, 3, padding=1)), ("bn", nn.BatchNorm2d(4)), ("relu", nn.ReLU()),
        ("pool", nn.MaxPool2d(2)), ("avg", nn.AdaptiveAvgPool2d((1, 1))), ("flat", nn.Flatten()),
        ("fc", nn.Linear(4, 3))])), [R(2, 2, 6, 6)]),
]

IDS = [s.id for s in SPECS]


def np_of(t):
    return t.detach().numpy().copy()


def state_np(m):
    return OrderedDict((k, np_of(v)) for k, v in m.state_dict().items())


def sd_for(L, sd_np):
    return OrderedDict((k, L.from_numpy(v.copy())) for k, v in sd_np.items())


def make_inputs(spec, L, seed=7, grad=False):
    r = np.random.default_rng(seed)
    out = []
    for i, make in enumerate(spec.inputs):
        t = L.from_numpy(make(r))
        if grad and i == 0 and t.is_floating_point():
            t.requires_grad_(True)
        out.append(t)
    return out


def build(spec, L, seed):
    L.manual_seed(seed)
    return spec.build(L.nn, L)


def first(out):
    return out[0] if isinstance(out, tuple) else out


def assert_states_equal(sp, st, exact=False):
    assert list(sp) == list(st)
    for k in st:
        assert sp[k].dtype == st[k].dtype and sp[k].shape == st[k].shape, k
        if exact:
            assert np.array_equal(sp[k], st[k]), k
        else:
            np.testing.assert_allclose(sp[k], st[k], rtol=1e-5, atol=1e-6, err_msg=k)


def assert_outputs_equal(op, ot):
    op, ot = (op if isinstance(op, tuple) else (op,)), (ot if isinstance(ot, tuple) else (ot,))
    assert len(op) == len(ot)
    for a, b in zip(op, ot):
        a, b = np_of(a), np_of(b)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


# ---------------- (a) initialisation ----------------
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_init_matches_torch_bit_for_bit(spec):
    p, t = build(spec, pyts, 3), build(spec, torch, 3)
    assert_states_equal(state_np(p), state_np(t), exact=True)
    assert [n for n, _ in p.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in p.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [q.requires_grad for q in p.parameters()] == [q.requires_grad for q in t.parameters()]
    # the generators are left in the same state: the next draw agrees too
    assert np.array_equal(np_of(pyts.rand(3)), np_of(torch.rand(3)))


# ---------------- (b) torch -> pyts: outputs, buffers, gradients ----------------
def _loaded_pair(spec, mode):
    t = build(spec, torch, 11)
    p = build(spec, pyts, 5)
    result = p.load_state_dict(sd_for(pyts, state_np(t)))
    assert repr(result) == "<All keys matched successfully>"
    for m in (p, t):
        m.train(mode == "train")
    return p, t


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_forward_after_loading_torch_state(spec):
    for mode in ("train", "eval"):
        p, t = _loaded_pair(spec, mode)
        # twice: BatchNorm's running stats (and momentum=None's cumulative average) move each time
        for seed in (1, 2):
            with pyts_no_grad():
                op = p(*make_inputs(spec, pyts, seed))
            with torch.no_grad():
                ot = t(*make_inputs(spec, torch, seed))
            assert_outputs_equal(op, ot)
            assert_states_equal(state_np(p), state_np(t))


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_gradients_after_loading_torch_state(spec):
    for mode in ("train", "eval"):
        p, t = _loaded_pair(spec, mode)
        xp, xt = make_inputs(spec, pyts, 4, grad=True), make_inputs(spec, torch, 4, grad=True)
        op, ot = p(*xp), t(*xt)
        assert_outputs_equal(op, ot)
        w = np.random.default_rng(9).random(np_of(first(ot)).shape).astype(np_of(first(ot)).dtype)
        (first(op) * pyts.from_numpy(w.copy())).sum().backward()
        (first(ot) * torch.from_numpy(w)).sum().backward()
        if xt[0].requires_grad:
            np.testing.assert_allclose(np_of(xp[0].grad), np_of(xt[0].grad), rtol=1e-4, atol=1e-5)
        gp, gt = dict(p.named_parameters()), dict(t.named_parameters())
        assert list(gp) == list(gt)
        for name in gt:
            if gt[name].grad is None:
                assert gp[name].grad is None, name
            else:
                np.testing.assert_allclose(np_of(gp[name].grad), np_of(gt[name].grad), rtol=1e-4, atol=1e-5,
                                           err_msg=f"{mode}: {name}")
        assert_states_equal(state_np(p), state_np(t))


# ---------------- (c) pyts -> torch ----------------
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_pyts_state_loads_into_torch(spec):
    p, t = build(spec, pyts, 21), build(spec, torch, 22)
    with pyts_no_grad():
        p(*make_inputs(spec, pyts, 3))  # moves BatchNorm statistics away from their defaults
    t.load_state_dict(sd_for(torch, state_np(p)))
    assert_states_equal(state_np(p), state_np(t), exact=True)
    p.eval()
    t.eval()
    with pyts_no_grad():
        op = p(*make_inputs(spec, pyts, 8))
    with torch.no_grad():
        ot = t(*make_inputs(spec, torch, 8))
    assert_outputs_equal(op, ot)


# ---------------- (d) repr ----------------
@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_repr_matches_torch(spec):
    assert repr(build(spec, pyts, 0)) == repr(build(spec, torch, 0))


# ---------------- (e) bad input and bad state dicts ----------------
BAD = [(s, i) for s in SPECS for i in range(len(s.bad))]


@pytest.mark.parametrize("spec,i", BAD, ids=[f"{s.id}-{i}" for s, i in BAD])
def test_bad_input_raises_like_torch(spec, i):
    bad = Spec(spec.id, spec.build, spec.bad[i])
    errors = []
    for L in (torch, pyts):
        m = build(spec, L, 0)
        with pytest.raises(Exception) as info:
            m(*make_inputs(bad, L))
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0]), (errors[0], errors[1])
    # and torch's words (library prefixes aside: torch.Size / pyts.Size, torch.FloatTensor)
    assert str(errors[1]).replace("pyts.", "") == str(errors[0]).replace("torch.", "")


@pytest.mark.parametrize("name", ["Conv2d", "BatchNorm1d", "Embedding_padding_idx", "LayerNorm_2d_nobias",
                                  "BCEWithLogitsLoss_pos_weight", "Sequential_mlp"])
def test_load_state_dict_key_errors_like_torch(name):
    spec = SPECS[IDS.index(name)]
    msgs = []
    for L in (torch, pyts):
        m = build(spec, L, 0)
        sd = sd_for(L, state_np(m))
        first_key = next(iter(sd))
        sd.pop(first_key)
        sd["surplus"] = L.zeros(1)
        sd[first_key.rpartition(".")[0] + ".extra" if "." in first_key else "extra2"] = L.zeros(1)
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict(sd)
        msgs.append(str(info.value))
        res = m.load_state_dict(sd, strict=False)
        msgs.append((res.missing_keys, res.unexpected_keys))
        # a wrong shape is reported with both shapes
        sd = sd_for(L, state_np(m))
        sd[first_key] = L.zeros(2, 1, 1)
        with pytest.raises(RuntimeError) as info:
            m.load_state_dict(sd)
        msgs.append(str(info.value).replace("torch.Size", "pyts.Size"))
    assert msgs[:3] == msgs[3:]


@pytest.mark.parametrize("make", [
    lambda nn, L: nn.Dropout(1.5), lambda nn, L: nn.Dropout(-0.1), lambda nn, L: nn.Conv2d(3, 4, 3, groups=2),
    lambda nn, L: nn.Conv2d(4, 3, 3, groups=2), lambda nn, L: nn.Conv2d(4, 4, 3, groups=0),
    lambda nn, L: nn.Conv2d(3, 4, 3, padding="full"), lambda nn, L: nn.Conv1d(3, 4, 3, stride=2, padding="same"),
    lambda nn, L: nn.Conv1d(3, 4, 3, padding_mode="mirror"), lambda nn, L: nn.Embedding(4, 2, padding_idx=4),
    lambda nn, L: nn.Embedding(4, 2, padding_idx=-5), lambda nn, L: nn.Unflatten(1, 6),
    lambda nn, L: nn.Unflatten(1, (2, 3.0)), lambda nn, L: nn.MSELoss(reduction="avg")(L.zeros(2), L.zeros(2)),
    lambda nn, L: nn.Embedding.from_pretrained(L.zeros(3)),
    lambda nn, L: nn.Embedding(3, 2, _weight=L.zeros(2, 3)),
])
def test_bad_construction_raises_like_torch(make):
    errors = []
    for L in (torch, pyts):
        with pytest.raises(Exception) as info:
            make(L.nn, L)
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0])
    assert _unordered_sets(str(errors[1])) == _unordered_sets(str(errors[0]))


def _unordered_sets(msg):
    """messages that print a Python set ({'zeros', 'reflect', ...}) in hash order, made comparable"""
    return re.sub(r"\{[^{}]*\}", lambda m: "{" + ", ".join(sorted(m.group(0)[1:-1].split(", "))) + "}", msg)


def test_assigning_non_parameter_to_parameter_name():
    msgs = []
    for L in (torch, pyts):
        m = L.nn.Conv2d(2, 2, 1)
        with pytest.raises(TypeError) as info:
            m.weight = 3
        msgs.append(str(info.value).replace("torch.", "pyts."))
        m.bias = None  # None is allowed and keeps the name registered
        assert "bias" in m._parameters and m.bias is None
    assert msgs[0] == msgs[1]


# ---------------- behaviour that the table does not show ----------------
def test_dropout_same_seed_same_mask_and_gradient():
    outs = []
    for L in (pyts, torch):
        m = L.nn.Dropout(0.3)
        x = L.from_numpy(np.linspace(-1, 1, 40, dtype=np.float32).reshape(5, 8)).requires_grad_(True)
        L.manual_seed(17)
        y = m(x)
        y.sum().backward()
        outs.append((np_of(y), np_of(x.grad), np_of(m.eval()(x))))
    for a, b in zip(*outs):
        assert np.array_equal(a, b)
    assert (outs[0][0] == 0).any() and (outs[0][0] != 0).any()


def test_dropout_inplace_modifies_input():
    for L in (pyts, torch):
        x = L.ones(4, 4)
        L.manual_seed(0)
        y = L.nn.Dropout(0.5, inplace=True)(x)
        assert np.array_equal(np_of(x), np_of(y))
        assert set(np.unique(np_of(x))) <= {0.0, 2.0}


def test_embedding_from_pretrained_and_padding_gradient():
    res = []
    for L in (pyts, torch):
        w = L.from_numpy(np.arange(12, dtype=np.float32).reshape(4, 3))
        frozen = L.nn.Embedding.from_pretrained(w)
        assert not frozen.weight.requires_grad
        free = L.nn.Embedding.from_pretrained(w, freeze=False, padding_idx=1)
        out = free(L.tensor([[1, 2], [1, 3]]))
        out.sum().backward()
        res.append((repr(frozen), repr(free), np_of(out), np_of(free.weight.grad)))
    assert res[0][:2] == res[1][:2]
    assert np.array_equal(res[0][2], res[1][2]) and np.array_equal(res[0][3], res[1][3])
    assert not res[0][3][1].any()  # the padding row gets no gradient


def test_embedding_max_norm_is_not_implemented():
    m = pyts.nn.Embedding(4, 3, max_norm=1.0)
    assert repr(m) == repr(torch.nn.Embedding(4, 3, max_norm=1.0))
    with pytest.raises(NotImplementedError):
        m(pyts.tensor([0, 1]))


def test_batchnorm_momentum_none_is_cumulative_average():
    for L in (pyts, torch):
        bn = L.nn.BatchNorm1d(2, momentum=None)
        xs = [L.from_numpy(np.random.default_rng(i).random((6, 2)).astype(np.float32)) for i in range(3)]
        for x in xs:
            bn(x)
        assert int(bn.num_batches_tracked) == 3
        mean = np.mean([np_of(x).mean(axis=0) for x in xs], axis=0)
        np.testing.assert_allclose(np_of(bn.running_mean), mean, rtol=1e-5)
        bn.reset_running_stats()
        assert int(bn.num_batches_tracked) == 0 and not np_of(bn.running_mean).any()


def test_batchnorm_eval_uses_running_stats_and_old_state_dicts_load():
    for L in (pyts, torch):
        bn = L.nn.BatchNorm1d(2).eval()
        bn.running_mean.fill_(1.0)
        bn.running_var.fill_(4.0)
        out = bn(L.from_numpy(np.array([[3.0, 5.0]], dtype=np.float32)))
        np.testing.assert_allclose(np_of(out), [[1.0, 2.0]], rtol=1e-4)
        assert int(bn.num_batches_tracked) == 0
        # a version-1 state dict has no num_batches_tracked: loads strictly, keeps the counter
        sd = bn.state_dict()
        del sd["num_batches_tracked"]
        sd._metadata[""]["version"] = 1
        bn.num_batches_tracked.fill_(7)
        assert repr(bn.load_state_dict(sd)) == "<All keys matched successfully>"
        assert int(bn.num_batches_tracked) == 7


def test_maxpool_return_indices_and_functional_forms():
    x = np.random.default_rng(0).random((1, 2, 4, 6)).astype(np.float32)
    res = []
    for L in (pyts, torch):
        F = L.nn.functional
        t = L.from_numpy(x.copy())
        v, i = F.max_pool2d(t, 2, return_indices=True)
        res.append([np_of(v), np_of(i), np_of(F.avg_pool2d(t, (2, 3))), np_of(F.adaptive_avg_pool2d(t, (3, None))),
                    np_of(F.l1_loss(t, L.zeros(1, 2, 4, 6), reduction="sum")),
                    np_of(F.l1_loss(t, L.zeros(1, 2, 4, 6), weight=t)),
                    np_of(F.conv2d(t, L.ones(4, 1, 2, 2), None, 1, "same", 1, 2))])
    for a, b in zip(*res):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_layers_to_float64_and_back():
    spec = SPECS[IDS.index("Sequential_cnn")]
    p, t = build(spec, pyts, 1).double(), build(spec, torch, 1).double()
    assert_states_equal(state_np(p), state_np(t), exact=True)
    x = np.random.default_rng(0).random((1, 2, 4, 4))
    with pyts_no_grad():
        op = p(pyts.from_numpy(x.copy()))
    with torch.no_grad():
        ot = t(torch.from_numpy(x))
    assert_outputs_equal(op, ot)


# ---------------- containers ----------------
def _nets(L):
    nn = L.nn
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh())


def test_sequential_indexing_slicing_and_mutation():
    logs = []
    for L in (pyts, torch):
        nn = L.nn
        s = _nets(L)
        log = [len(s), repr(s[0]), repr(s[-1]), repr(s[1:3]), type(s[1:]).__name__, [type(m).__name__ for m in s]]
        s.append(nn.Sigmoid())
        s.insert(1, nn.Identity())
        s.extend([nn.ReLU()])
        del s[0]
        log += [repr(s), list(s._modules)]
        popped = s.pop(-1)
        log.append(repr(popped))
        s[0] = nn.Linear(2, 3, bias=False)
        log.append(repr(s))
        log.append(repr(s + _nets(L)))
        log.append(repr(_nets(L)[:2] * 2))
        named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
        log += [repr(named), list(named.state_dict()), repr(named.fc), repr(named[1:])]
        del named[0]
        log.append(list(named._modules))
        for bad in (lambda: s[10], lambda: s[-10], lambda: s + 1, lambda: s * 0, lambda: s * "a",
                    lambda: s.insert(20, nn.ReLU()), lambda: s["a"]):
            with pytest.raises(Exception) as info:
                bad()
            log.append((type(info.value).__name__, str(info.value).replace("torch.nn.modules.container",
                                                                        "pyts.nn.modules.container")))
        logs.append(log)
    assert logs[0] == logs[1]


def test_sequential_forward_and_state_dict_round_trip():
    sp, st = _nets(pyts), _nets(torch)
    sp.load_state_dict(sd_for(pyts, state_np(st)))
    x = np.random.default_rng(1).random((4, 2)).astype(np.float32)
    assert_outputs_equal(sp(pyts.from_numpy(x.copy())), st(torch.from_numpy(x)))


def test_modulelist_and_moduledict():
    logs = []
    for L in (pyts, torch):
        nn = L.nn
        ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        L.manual_seed(0)
        log = [repr(ml), repr(nn.ModuleList()), len(ml), repr(ml[1:]), repr(ml[-1])]
        ml.append(nn.ReLU())
        ml.extend([nn.ReLU(), nn.Tanh()])
        ml.insert(0, nn.Identity())
        ml += [nn.Sigmoid()]
        del ml[1]
        log += [repr(ml), list(ml.state_dict()), repr(ml.pop(0)), repr(ml + nn.ModuleList([nn.GELU()]))]
        with pytest.raises(IndexError) as info:
            ml[20]
        log.append(str(info.value))
        with pytest.raises(TypeError) as info:
            ml.extend(3)
        log.append(str(info.value))
        md = nn.ModuleDict({"b": nn.ReLU(), "a": nn.Linear(1, 2)})
        md["c"] = nn.Tanh()
        md.update([("d", nn.Identity())])
        log += [repr(md), list(md.keys()), "a" in md, len(md), list(md.state_dict()), repr(md.pop("b")),
                [type(v).__name__ for v in md.values()], list(iter(md))]
        for bad, exc in ((lambda: md.update(3), TypeError), (lambda: md.update([("x",)]), ValueError),
                         (lambda: md.update([1]), TypeError), (lambda: md["zz"], KeyError)):
            with pytest.raises(exc) as info:
                bad()
            log.append(str(info.value))
        md.clear()
        log.append(repr(md))
        logs.append(log)
    assert logs[0] == logs[1]


def test_parameterlist_and_parameterdict():
    logs = []
    for L in (pyts, torch):
        nn = L.nn
        pl = nn.ParameterList([nn.Parameter(L.ones(2, 3)), L.zeros(4), "text"])
        pl.append(L.ones(1, dtype=L.float64))
        log = [repr(pl).replace("torch.", "pyts."), len(pl), [type(p).__name__ for p in pl],
               [n for n, _ in pl.named_parameters()], repr(pl[1:3]).replace("torch.", "pyts."),
               list(pl.state_dict())]
        with pytest.raises(RuntimeError) as info:
            pl(1)
        log.append(str(info.value))
        with pytest.raises(TypeError) as info:
            pl.extend(L.ones(2))
        log.append(str(info.value))
        pd = nn.ParameterDict({"w": L.ones(2), "a": nn.Parameter(L.zeros(3, 1)), "n": None})
        pd["z"] = L.ones(1)
        pd.update(OrderedDict([("y", L.zeros(2)), ("b", 5)]))
        log += [repr(pd).replace("torch.", "pyts."), list(pd.keys()), [n for n, _ in pd.named_parameters()],
                list(pd.state_dict()), "w" in pd, len(pd), type(pd.get("q")).__name__, repr(pd.setdefault("q")),
                pd.pop("b"), pd.popitem()[0], list(reversed(pd)), list((pd | nn.ParameterDict({"k": L.ones(1)})).keys())]
        pd.clear()
        log.append(repr(pd))
        with pytest.raises(TypeError) as info:
            pd[1] = L.ones(1)
        log.append(str(info.value))
        logs.append(log)
    assert logs[0] == logs[1]


def test_containers_nested_traversal_and_train_eval():
    logs = []
    for L in (pyts, torch):
        nn = L.nn
        shared = nn.Linear(2, 2)
        net = nn.ModuleDict({"seq": nn.Sequential(shared, nn.BatchNorm1d(2), nn.Dropout(0.1)),
                             "list": nn.ModuleList([shared, nn.LayerNorm(2)]),
                             "params": nn.ParameterList([L.ones(2)])})
        net.eval()
        logs.append([repr(net).replace("torch.", "pyts."), [n for n, _ in net.named_parameters()],
                     [n for n, _ in net.named_buffers()], [n for n, _ in net.named_modules()],
                     [m.training for m in net.modules()], list(net.state_dict())])
    assert logs[0] == logs[1]


# ---------------- empty batches, wrong dtypes, non-tensors ----------------
def _z(L, *shape, dtype=np.float32):
    return L.from_numpy(np.zeros(shape, dtype))


def _ix(L, *shape):
    return L.from_numpy(np.zeros(shape, np.int64))


EDGE = [
    lambda L: L.nn.Conv2d(3, 4, 3)(_z(L, 0, 3, 7, 7)),
    lambda L: L.nn.Conv1d(3, 4, 3, padding_mode="reflect", padding=1)(_z(L, 0, 3, 7)),
    lambda L: L.nn.MaxPool2d(2)(_z(L, 0, 3, 4, 4)),
    lambda L: L.nn.AvgPool2d(2)(_z(L, 0, 3, 4, 4)),
    lambda L: L.nn.AdaptiveAvgPool2d(2)(_z(L, 0, 3, 4, 4)),
    lambda L: L.nn.LayerNorm(5)(_z(L, 0, 5)),
    lambda L: L.nn.BatchNorm1d(5).eval()(_z(L, 0, 5)),
    lambda L: L.nn.Embedding(5, 2)(_ix(L, 0, 3)),
    lambda L: L.nn.CrossEntropyLoss()(_z(L, 0, 5), _ix(L, 0)),
    lambda L: L.nn.CrossEntropyLoss(label_smoothing=0.1)(_z(L, 0, 5), _ix(L, 0)),
    lambda L: L.nn.CrossEntropyLoss()(_z(L, 0, 5), _z(L, 0, 5)),
    lambda L: L.nn.NLLLoss(reduction="none")(_z(L, 0, 5, 3), _ix(L, 0, 3)),
    lambda L: L.nn.MSELoss()(_z(L, 0, 5), _z(L, 0, 5)),
    lambda L: L.nn.L1Loss()(_z(L, 0, 5), _z(L, 0, 5)),
    lambda L: L.nn.Sequential()(_z(L, 2)),
    # errors
    lambda L: L.nn.Conv2d(3, 4, 3)([[1.0]]),
    lambda L: L.nn.Conv2d(3, 4, 3)(_z(L, 1, 3, 5, 5, dtype=np.float64)),
    lambda L: L.nn.Conv2d(3, 4, 3)(_ix(L, 1, 3, 5, 5)),
    lambda L: L.nn.LayerNorm(3)(_z(L, 2, 3, dtype=np.float64)),
    lambda L: L.nn.BatchNorm1d(3)("x"),
    lambda L: L.nn.Embedding(5, 2)([1, 2]),
    lambda L: L.nn.Flatten()(3),
    lambda L: L.nn.CrossEntropyLoss()(_z(L, 3, 5), _z(L, 3)),
    lambda L: L.nn.CrossEntropyLoss()(_z(L, 3, 5), _ix(L, 3).int()),
    lambda L: L.nn.CrossEntropyLoss(label_smoothing=1.5)(_z(L, 3, 5), _ix(L, 3)),
    lambda L: L.nn.CrossEntropyLoss(label_smoothing=0.2, weight=L.ones(4))(_z(L, 3, 5), _ix(L, 3)),
    lambda L: L.nn.CrossEntropyLoss(weight=L.ones(4))(_z(L, 3, 5), _z(L, 3, 5)),
    lambda L: L.nn.CrossEntropyLoss(ignore_index=1)(_z(L, 3, 5), _z(L, 3, 5)),
    lambda L: L.nn.NLLLoss()(_z(L, 2, 3, 4), _ix(L, 2, 5)),
    lambda L: L.nn.MaxPool2d(2, padding=2)(_z(L, 1, 1, 4, 4)),
    lambda L: L.nn.Conv2d(2, 2, 3, padding=3, padding_mode="reflect")(_z(L, 1, 2, 3, 3)),
    lambda L: L.nn.Unflatten(-1, (2, 2))(_z(L, 1, 3)),
]


@pytest.mark.parametrize("i", range(len(EDGE)))
def test_edge_inputs_like_torch(i):
    res = []
    for L in (torch, pyts):
        L.manual_seed(0)
        try:
            res.append(np_of(EDGE[i](L)))
        except Exception as e:  # noqa: BLE001 - compared below
            res.append(e)
    if isinstance(res[0], Exception):
        assert type(res[1]) is type(res[0]), res
        assert str(res[1]).strip()
    else:
        assert not isinstance(res[1], Exception), res[1]
        assert res[0].dtype == res[1].dtype and res[0].shape == res[1].shape
        np.testing.assert_allclose(res[1], res[0], equal_nan=True)
