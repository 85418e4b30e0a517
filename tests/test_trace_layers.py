"""Every pyts.nn layer traced against eager and against torch.jit.trace: the traced layer gives the
eager outputs and parameter gradients on new inputs, its graph has torch's node kinds, it round-trips
through pyts.jit.save -> torch.jit.load, and (where pyts' compiler accepts it) pyts.jit.script
gives the eager outputs. Layers are built under the same seed in both libraries (same init)."""
import warnings

import numpy as np
import pytest

import pyts
from layer_inputs import f32, gen, i64, kinds, prob  # noqa: E402
import pyts.jit

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", category=DeprecationWarning)
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")]

SEED = 7


def seq_of(L):
    return L.nn.Sequential(L.nn.Linear(4, 5), L.nn.ReLU(), L.nn.Linear(5, 2))


def modlist(L):
    class Stack(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = L.nn.ModuleList([L.nn.Linear(4, 4), L.nn.Tanh(), L.nn.Linear(4, 3)])

        def forward(self, x):
            for m in self.layers:
                x = m(x)
            return x
    return Stack()


def moddict(L):
    class Heads(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = L.nn.ModuleDict({"a": L.nn.Linear(4, 2), "b": L.nn.Linear(4, 3)})

        def forward(self, x):
            return self.heads["a"](x), self.heads["b"](x)
    return Heads()


def encoder(L):
    layer = L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    return L.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


# id -> (constructor(L), input specs). Node-kind differences from torch are listed in KIND_DIFFS.
LAYERS = {
    "Linear": (lambda L: L.nn.Linear(4, 3), [f32(2, 4)]),
    "Linear_nobias_3d": (lambda L: L.nn.Linear(4, 3, bias=False), [f32(2, 5, 4)]),
    "Bilinear": (lambda L: L.nn.Bilinear(3, 4, 2), [f32(5, 3), f32(5, 4)]),
    "Identity": (lambda L: L.nn.Identity(), [f32(2, 3)]),
    "ReLU": (lambda L: L.nn.ReLU(), [f32(3, 4)]),
    "Tanh": (lambda L: L.nn.Tanh(), [f32(3, 4)]),
    "Sigmoid": (lambda L: L.nn.Sigmoid(), [f32(3, 4)]),
    "GELU": (lambda L: L.nn.GELU(), [f32(3, 4)]),
    "GELU_tanh": (lambda L: L.nn.GELU(approximate="tanh"), [f32(3, 4)]),
    "SiLU": (lambda L: L.nn.SiLU(), [f32(3, 4)]),
    "Softmax": (lambda L: L.nn.Softmax(dim=1), [f32(3, 4)]),
    "LogSoftmax": (lambda L: L.nn.LogSoftmax(dim=-1), [f32(2, 3, 4)]),
    "Dropout": (lambda L: L.nn.Dropout(0.5), [f32(3, 4)]),
    "Embedding": (lambda L: L.nn.Embedding(10, 3), [i64(10, 2, 5)]),
    "Embedding_pad": (lambda L: L.nn.Embedding(10, 3, padding_idx=0), [i64(10, 6)]),
    "LayerNorm": (lambda L: L.nn.LayerNorm(4), [f32(3, 4)]),
    "LayerNorm_2d": (lambda L: L.nn.LayerNorm([3, 4]), [f32(2, 3, 4)]),
    "BatchNorm1d": (lambda L: L.nn.BatchNorm1d(3), [f32(4, 3)]),
    "BatchNorm1d_3d": (lambda L: L.nn.BatchNorm1d(3), [f32(2, 3, 5)]),
    "BatchNorm2d": (lambda L: L.nn.BatchNorm2d(3), [f32(2, 3, 4, 4)]),
    "Conv1d": (lambda L: L.nn.Conv1d(2, 3, 3, padding=1), [f32(2, 2, 7)]),
    "Conv2d": (lambda L: L.nn.Conv2d(2, 3, 3, stride=2, padding=1), [f32(2, 2, 6, 6)]),
    "Conv2d_groups": (lambda L: L.nn.Conv2d(4, 4, 3, groups=2, dilation=2, bias=False),
                      [f32(1, 4, 7, 7)]),
    "MaxPool2d": (lambda L: L.nn.MaxPool2d(2), [f32(2, 3, 4, 4)]),
    "AvgPool2d": (lambda L: L.nn.AvgPool2d(2, stride=1), [f32(2, 3, 4, 4)]),
    "AdaptiveAvgPool2d": (lambda L: L.nn.AdaptiveAvgPool2d((2, 3)), [f32(2, 3, 6, 6)]),
    "MaxPool2d_pad": (lambda L: L.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [f32(1, 2, 7, 7)]),
    "AvgPool2d_pad": (lambda L: L.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
                      [f32(1, 2, 7, 7)]),
    "Conv1d_strided": (lambda L: L.nn.Conv1d(3, 4, 2, stride=2, dilation=2, padding_mode="zeros"),
                       [f32(2, 3, 9)]),
    "Flatten_range": (lambda L: L.nn.Flatten(0, 1), [f32(2, 3, 4)]),
    "Softmax_3d": (lambda L: L.nn.Softmax(dim=-1), [f32(2, 3, 4)]),
    "LayerNorm_noaffine": (lambda L: L.nn.LayerNorm(4, eps=1e-3, elementwise_affine=False), [f32(3, 4)]),
    "GRUCell_unbatched": (lambda L: L.nn.GRUCell(3, 4, bias=False), [f32(3), f32(4)]),
    "LSTM_2layer": (lambda L: L.nn.LSTM(3, 4, num_layers=2), [f32(5, 2, 3)]),
    "CrossEntropyLoss_ls": (lambda L: L.nn.CrossEntropyLoss(label_smoothing=0.1, reduction="sum"),
                            [f32(3, 5), i64(5, 3)]),
    "NLLLoss_none": (lambda L: L.nn.NLLLoss(reduction="none", ignore_index=1), [f32(4, 5), i64(5, 4)]),
    "Flatten": (lambda L: L.nn.Flatten(), [f32(2, 3, 4)]),
    "Unflatten": (lambda L: L.nn.Unflatten(1, (2, 2)), [f32(3, 4)]),
    "Sequential": (seq_of, [f32(3, 4)]),
    "ModuleList": (modlist, [f32(3, 4)]),
    "ModuleDict": (moddict, [f32(3, 4)]),
    "RNN": (lambda L: L.nn.RNN(3, 4), [f32(5, 2, 3)]),
    "RNN_h0_relu": (lambda L: L.nn.RNN(3, 4, nonlinearity="relu", num_layers=2),
                    [f32(5, 2, 3), f32(2, 2, 4)]),
    "GRU": (lambda L: L.nn.GRU(3, 4, num_layers=2), [f32(5, 2, 3)]),
    "LSTM": (lambda L: L.nn.LSTM(3, 4, batch_first=True, bidirectional=True), [f32(2, 5, 3)]),
    "RNNCell": (lambda L: L.nn.RNNCell(3, 4), [f32(2, 3), f32(2, 4)]),
    "GRUCell": (lambda L: L.nn.GRUCell(3, 4), [f32(2, 3), f32(2, 4)]),
    "LSTMCell": (lambda L: L.nn.LSTMCell(3, 4), [f32(2, 3)]),
    "MultiheadAttention": (lambda L: L.nn.MultiheadAttention(8, 2),
                           [f32(5, 2, 8), f32(4, 2, 8), f32(4, 2, 8)]),
    "MultiheadAttention_bf": (lambda L: L.nn.MultiheadAttention(8, 2, batch_first=True),
                              [f32(2, 5, 8), f32(2, 5, 8), f32(2, 5, 8)]),
    "TransformerEncoderLayer": (lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0),
                                [f32(5, 2, 8)]),
    "TransformerEncoderLayer_nf": (lambda L: L.nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, activation="gelu", norm_first=True, batch_first=True), [f32(2, 5, 8)]),
    "TransformerEncoder": (encoder, [f32(2, 5, 8)]),
    "L1Loss": (lambda L: L.nn.L1Loss(), [f32(3, 4), f32(3, 4)]),
    "MSELoss": (lambda L: L.nn.MSELoss(reduction="sum"), [f32(3, 4), f32(3, 4)]),
    "NLLLoss": (lambda L: L.nn.NLLLoss(), [f32(3, 5), i64(5, 3)]),
    "CrossEntropyLoss": (lambda L: L.nn.CrossEntropyLoss(), [f32(3, 5), i64(5, 3)]),
    "BCELoss": (lambda L: L.nn.BCELoss(), [prob(3, 4), prob(3, 4)]),
    "BCEWithLogitsLoss": (lambda L: L.nn.BCEWithLogitsLoss(), [f32(3, 4), prob(3, 4)]),
}

# Layers whose traced graph differs from torch.jit.trace's: name -> (reason, pyts' aten:: kinds).
# The test checks pyts' aten:: sequence against the list AND that torch's full sequence still
# differs, so an entry must go once the difference is gone.
_MHA_DIV = ("pyts' F.multi_head_attention_forward computes head_dim = embed_dim // num_heads "
            "(aten::floor_divide on the traced size); torch's uses embed_dim.div(num_heads, "
            "rounding_mode='trunc') (prim::Constant + aten::div)")
_MHA = (["aten::size", "aten::Int", "aten::Int", "aten::Int", "aten::size", "aten::Int", "aten::Int",
         "aten::size", "aten::Int", "aten::floor_divide", "aten::Int", "aten::Int", "aten::Int",
         "aten::chunk", "aten::chunk", "aten::linear", "aten::linear", "aten::linear", "aten::mul",
         "aten::Int", "aten::view", "aten::transpose"]
        + ["aten::size", "aten::Int", "aten::mul", "aten::Int", "aten::view", "aten::transpose"] * 2
        + ["aten::size", "aten::Int", "aten::mul", "aten::transpose", "aten::bmm", "aten::softmax",
           "aten::bmm", "aten::transpose", "aten::mul", "aten::Int", "aten::reshape", "aten::linear",
           "aten::size", "aten::Int", "aten::view", "aten::view", "aten::mean"])
_CONV = ("torch's conv1d/conv2d are CompositeImplicitAutograd, so its tracer records their "
         "decomposition aten::_convolution (+ its 6 constant/list args); pyts records the conv row")
_CELL = ("torch's RNNCell/GRUCell/LSTMCell call _VF.*_cell, CompositeImplicitAutograd, so its tracer "
         "records the inner linear/add_/chunk/sigmoid_ ops; pyts records the fused *_cell row")
KIND_DIFFS = {
    "Conv1d": (_CONV, ["aten::conv1d"]),
    "Conv2d": (_CONV, ["aten::conv2d"]),
    "Conv2d_groups": (_CONV, ["aten::conv2d"]),
    "Conv1d_strided": (_CONV, ["aten::conv1d"]),
    "GRUCell_unbatched": (_CELL, ["aten::unsqueeze", "aten::unsqueeze", "aten::gru_cell", "aten::squeeze"]),
    "RNNCell": (_CELL, ["aten::rnn_tanh_cell"]),
    "GRUCell": (_CELL, ["aten::gru_cell"]),
    "LSTMCell": (_CELL, ["aten::size", "aten::Int", "aten::zeros", "aten::lstm_cell"]),
    "MultiheadAttention": (_MHA_DIV, _MHA),
    "MultiheadAttention_bf": (_MHA_DIV, ["aten::transpose"] * 3 + _MHA + ["aten::transpose"]),
    "L1Loss": ("torch's F.l1_loss traces aten::broadcast_tensors + aten::l1_loss; pyts' F.l1_loss "
               "composes sub/abs/mean (no l1_loss or broadcast_tensors row yet)",
               ["aten::sub", "aten::abs", "aten::mean"]),
    "MSELoss": ("torch's F.mse_loss traces aten::broadcast_tensors first; pyts has no "
                "broadcast_tensors row yet", ["aten::mse_loss"]),
}

# Traces torch.jit.load cannot read (none today: parameters are read through GetAttr, never baked
# in as tensor constants, which torch.jit.load rejects).
SAVE_GAPS = set()


def build(name, L):
    L.manual_seed(SEED)
    return LAYERS[name][0](L).eval()


def inputs(name, L, seed, grad=False):
    rng = np.random.default_rng(seed)
    out = []
    for spec in LAYERS[name][1]:
        t = L.from_numpy(gen(spec, rng))
        out.append(t.requires_grad_() if grad and spec[0] != "i" else t)
    return tuple(out)


def flat(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in flat(o)]
    return [out]


def close(a, b, msg=""):
    fa, fb = flat(a), flat(b)
    assert len(fa) == len(fb), msg
    for x, y in zip(fa, fb):
        assert tuple(x.shape) == tuple(y.shape), msg
        np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), rtol=1e-5, atol=1e-5,
                                   err_msg=msg)


def trace_both(name):
    mp, mt = build(name, pyts), build(name, torch)
    tp = pyts.jit.trace(mp, inputs(name, pyts, 1))
    # check_trace off: torch re-runs under no_grad, where its encoder takes the fused fast path
    tt = torch.jit.trace(mt, inputs(name, torch, 1), check_trace=False)
    return mp, mt, tp, tt


NAMES = list(LAYERS)


@pytest.mark.parametrize("name", NAMES)
def test_same_init_and_eager_as_torch(name):
    mp, mt = build(name, pyts), build(name, torch)
    for (kp, p), (kt, t) in zip(mp.state_dict().items(), mt.state_dict().items()):
        assert kp == kt
        assert np.array_equal(p.numpy(), t.numpy()), kp
    close(mp(*inputs(name, pyts, 2)), mt(*inputs(name, torch, 2)), name)


@pytest.mark.parametrize("name", NAMES)
def test_traced_equals_eager_on_new_inputs_and_grads(name):
    mp = build(name, pyts)
    tp = pyts.jit.trace(mp, inputs(name, pyts, 1))
    xe, xt = inputs(name, pyts, 3, grad=True), inputs(name, pyts, 3, grad=True)
    ye, yt = mp(*xe), tp(*xt)
    close(yt, ye, name)
    # gradients of the same scalar through eager and traced runs (the trace shares mp's parameters)
    params = [p for p in mp.parameters() if p.requires_grad]
    ge = pyts.autograd.grad(sum((o * o).sum() for o in flat(ye) if o.is_floating_point()),
                            params + [x for x in xe if x.requires_grad], allow_unused=True)
    gt = pyts.autograd.grad(sum((o * o).sum() for o in flat(yt) if o.is_floating_point()),
                            params + [x for x in xt if x.requires_grad], allow_unused=True)
    for a, b in zip(ge, gt):
        assert (a is None) == (b is None), name
        if a is not None:
            close(b, a, name)


@pytest.mark.parametrize("name", NAMES)
def test_traced_graph_node_kinds_as_torch(name):
    _, _, tp, tt = trace_both(name)
    kp, kt = kinds(tp.graph), kinds(tt.graph)
    if name not in KIND_DIFFS:
        assert kp == kt
    else:
        assert [k for k in kp if k.startswith("aten::")] == KIND_DIFFS[name][1]
        assert kp != kt, f"{name} now traces as torch does: drop its KIND_DIFFS entry"


@pytest.mark.parametrize("name", NAMES)
def test_saved_trace_loads_in_torch(name, tmp_path):
    mp, mt = build(name, pyts), build(name, torch)
    tp = pyts.jit.trace(mp, inputs(name, pyts, 1))
    path = str(tmp_path / "m.pt")
    pyts.jit.save(tp, path)
    if name in SAVE_GAPS:   # see SAVE_GAPS: only pyts' own loader reads these archives today
        close(pyts.jit.load(path)(*inputs(name, pyts, 4)), mp(*inputs(name, pyts, 4)), name)
        return
    loaded = torch.jit.load(path)
    close(loaded(*inputs(name, torch, 4)), mt(*inputs(name, torch, 4)), name)


# pyts.jit.script: the layers pyts' compiler accepts today (torch.jit.script accepts all of LAYERS).
# The others fail in pyts' compiler or in pyts.nn.functional's Python-only helpers (the _ops dict,
# warnings.warn, list slicing, Optional narrowing, 'in' on tuples...); they are listed in the
# s2-layertrace report rather than tested here.
SCRIPTED = ["Linear", "Linear_nobias_3d", "Bilinear", "Identity", "ReLU", "Tanh", "Sigmoid", "GELU", "GELU_tanh", "SiLU",
            "Flatten", "Flatten_range", "Unflatten", "Sequential", "ModuleList", "RNNCell", "GRUCell",
            "GRUCell_unbatched", "LSTMCell"]


@pytest.mark.parametrize("name", SCRIPTED)
def test_scripted_equals_eager(name):
    mp = build(name, pyts)
    sp = pyts.jit.script(mp)
    close(sp(*inputs(name, pyts, 5)), mp(*inputs(name, pyts, 5)), name)
    torch.jit.script(build(name, torch))   # the counterpart torch scripts too


@pytest.mark.parametrize("name", SCRIPTED)
def test_scripted_saved_loads_in_torch(name, tmp_path):
    path = str(tmp_path / "s.pt")
    pyts.jit.save(pyts.jit.script(build(name, pyts)), path)
    close(torch.jit.load(path)(*inputs(name, torch, 9)), build(name, torch)(*inputs(name, torch, 9)), name)


def test_lstm_cell_scripted_with_state_and_unbatched():
    mp = build("LSTMCell", pyts)
    sp = pyts.jit.script(mp)
    rng = np.random.default_rng(6)
    x, h, c = (pyts.from_numpy(rng.standard_normal(s).astype(np.float32)) for s in ((2, 3), (2, 4), (2, 4)))
    close(sp(x, (h, c)), mp(x, (h, c)))
    close(sp(x[0], (h[0], c[0])), mp(x[0], (h[0], c[0])))
    with pytest.raises(ValueError, match=r"Expected hx\[1\] to be 1D or 2D, got 3D instead"):
        mp(x, (h, c.unsqueeze(0)))


def test_silu_inplace_matches_torch():
    x = np.random.default_rng(8).standard_normal((3, 4)).astype(np.float32)
    xp, xt = pyts.from_numpy(x.copy()), torch.from_numpy(x.copy())
    yp, yt = pyts.nn.SiLU(inplace=True)(xp), torch.nn.SiLU(inplace=True)(xt)
    assert yp is xp and yt is xt
    close(xp, xt)


def test_kwarg_submodule_call_is_a_method_reading_parameters():
    """A submodule called with keyword arguments (self_attn in TransformerEncoderLayer) is a
    prim::CallMethod, as in torch; its graph reads its parameters from the module, so the trace
    follows later parameter updates and trains like the eager module."""
    m = build("TransformerEncoderLayer", pyts)
    x = inputs("TransformerEncoderLayer", pyts, 1)
    tr = pyts.jit.trace(m, x)
    g = str(tr.graph)
    assert 'prim::GetAttr[name="self_attn"]' in g and "prim::CallMethod" in g
    assert "in_proj_weight" not in g
    assert "prim::Constant[value=<Tensor>]" not in str(tr.self_attn.graph)
    assert 'prim::GetAttr[name="in_proj_weight"]' in str(tr.self_attn.graph)
    with pyts.no_grad():
        m.self_attn.in_proj_weight.mul_(2.0)
        m.self_attn.out_proj.weight.add_(0.5)
    close(tr(*x), m(*x), "TransformerEncoderLayer after a parameter update")
