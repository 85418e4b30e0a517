"""pyts.jit.script on every pyts.nn layer, against the eager layer and torch.jit.script of torch's.

Each layer is built three times under one seed (eager pyts, pyts to script, torch to script: the
same parameters, see test_nn_layers.py). In train and eval mode the scripted layer gives the eager
outputs and buffers (BatchNorm running stats) bit for bit and torch's scripted outputs; dropout
draws agree too (same seed before each call, pyts draws as torch does). Gradients through the
scripted layer equal eager's (and torch's scripted). The scripted layer saves with pyts.jit.save and
torch.jit.load runs the archive with the same outputs; its `.code` is the forward in that archive,
so torch has compiled that text. pyts.nn.functional's functions script on their own as well."""
import io
import re
import zipfile

import numpy as np
import pytest

import pyts
from layer_inputs import boolmask, f32, gen, i64, prob  # noqa: E402
import pyts.jit
import pyts.nn.functional as F

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::UserWarning")]

SEED = 13


def seq_of(L):
    return L.nn.Sequential(L.nn.Conv2d(2, 4, 3, padding=1), L.nn.BatchNorm2d(4), L.nn.ReLU(), L.nn.MaxPool2d(2),
                           L.nn.Dropout(0.25), L.nn.AdaptiveAvgPool2d(1), L.nn.Flatten(), L.nn.Linear(4, 3),
                           L.nn.LogSoftmax(dim=1))


def modlist(L):
    class Stack(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = L.nn.ModuleList([L.nn.Linear(4, 4), L.nn.SiLU(), L.nn.LayerNorm(4), L.nn.Linear(4, 3)])

        def forward(self, x):
            for m in self.layers:
                x = m(x)
            return x
    return Stack()


def encoder(L, **kw):
    layer = L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True)
    return L.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False, **kw)


# id -> (constructor(L), input specs)
LAYERS = {
    "Linear": (lambda L: L.nn.Linear(4, 3), [f32(2, 4)]),
    "Bilinear": (lambda L: L.nn.Bilinear(3, 4, 2), [f32(5, 3), f32(5, 4)]),
    "Identity": (lambda L: L.nn.Identity(), [f32(2, 3)]),
    "ReLU": (lambda L: L.nn.ReLU(), [f32(3, 4)]),
    "Tanh": (lambda L: L.nn.Tanh(), [f32(3, 4)]),
    "Sigmoid": (lambda L: L.nn.Sigmoid(), [f32(3, 4)]),
    "GELU_tanh": (lambda L: L.nn.GELU(approximate="tanh"), [f32(3, 4)]),
    "SiLU": (lambda L: L.nn.SiLU(), [f32(3, 4)]),
    "Softmax": (lambda L: L.nn.Softmax(dim=1), [f32(3, 4)]),
    "Softmax_implicit_dim": (lambda L: L.nn.Softmax(), [f32(2, 3, 4)]),
    "LogSoftmax": (lambda L: L.nn.LogSoftmax(dim=-1), [f32(2, 3, 4)]),
    "Dropout": (lambda L: L.nn.Dropout(0.3), [f32(4, 5)]),
    "Embedding": (lambda L: L.nn.Embedding(10, 3), [i64(10, 2, 5)]),
    "Embedding_pad": (lambda L: L.nn.Embedding(10, 3, padding_idx=-2), [i64(10, 6)]),
    "LayerNorm": (lambda L: L.nn.LayerNorm(4), [f32(3, 4)]),
    "LayerNorm_2d_nobias": (lambda L: L.nn.LayerNorm([3, 4], eps=1e-3, bias=False), [f32(2, 3, 4)]),
    "LayerNorm_noaffine": (lambda L: L.nn.LayerNorm(4, elementwise_affine=False), [f32(3, 4)]),
    "BatchNorm1d": (lambda L: L.nn.BatchNorm1d(3), [f32(4, 3)]),
    "BatchNorm1d_3d_cumulative": (lambda L: L.nn.BatchNorm1d(3, momentum=None), [f32(2, 3, 5)]),
    "BatchNorm1d_nostats_noaffine": (lambda L: L.nn.BatchNorm1d(3, affine=False, track_running_stats=False),
                                     [f32(4, 3)]),
    "BatchNorm2d": (lambda L: L.nn.BatchNorm2d(3), [f32(2, 3, 4, 4)]),
    "Conv1d": (lambda L: L.nn.Conv1d(2, 3, 3, padding=1), [f32(2, 2, 7)]),
    "Conv1d_same_reflect": (lambda L: L.nn.Conv1d(4, 4, 4, padding="same", padding_mode="reflect"), [f32(2, 4, 9)]),
    "Conv2d": (lambda L: L.nn.Conv2d(2, 3, 3, stride=2, padding=1), [f32(2, 2, 6, 6)]),
    "Conv2d_groups_dilated_nobias": (lambda L: L.nn.Conv2d(4, 4, 3, groups=2, dilation=2, bias=False),
                                     [f32(1, 4, 7, 7)]),
    "Conv2d_circular": (lambda L: L.nn.Conv2d(2, 4, 3, padding=(1, 2), padding_mode="circular"), [f32(2, 2, 5, 6)]),
    "Conv2d_valid_unbatched": (lambda L: L.nn.Conv2d(3, 2, (2, 3), padding="valid"), [f32(3, 5, 6)]),
    "MaxPool2d": (lambda L: L.nn.MaxPool2d(2), [f32(2, 3, 4, 4)]),
    "MaxPool2d_pad_ceil": (lambda L: L.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [f32(1, 2, 7, 7)]),
    "AvgPool2d": (lambda L: L.nn.AvgPool2d(2, stride=1), [f32(2, 3, 4, 4)]),
    "AvgPool2d_divisor": (lambda L: L.nn.AvgPool2d((2, 3), stride=(1, 2), divisor_override=3), [f32(2, 5, 7)]),
    "AdaptiveAvgPool2d": (lambda L: L.nn.AdaptiveAvgPool2d((2, 3)), [f32(2, 3, 6, 6)]),
    "AdaptiveAvgPool2d_int": (lambda L: L.nn.AdaptiveAvgPool2d(3), [f32(3, 7, 5)]),
    "Flatten": (lambda L: L.nn.Flatten(), [f32(2, 3, 4)]),
    "Unflatten": (lambda L: L.nn.Unflatten(1, (2, 2)), [f32(3, 4)]),
    "Sequential_cnn": (seq_of, [f32(2, 2, 6, 6)]),
    "ModuleList": (modlist, [f32(3, 4)]),
    "L1Loss": (lambda L: L.nn.L1Loss(), [f32(3, 4), f32(3, 4)]),
    "MSELoss_sum": (lambda L: L.nn.MSELoss(reduction="sum"), [f32(3, 4), f32(3, 4)]),
    "MSELoss_legacy": (lambda L: L.nn.MSELoss(size_average=False), [f32(5), f32(5)]),
    "CrossEntropyLoss": (lambda L: L.nn.CrossEntropyLoss(), [f32(4, 5), i64(5, 4)]),
    "CrossEntropyLoss_weight_ls": (lambda L: L.nn.CrossEntropyLoss(weight=L.tensor([1.0, 2.0, 0.5, 1.5]),
                                                                   label_smoothing=0.2, reduction="sum"),
                                   [f32(5, 4), i64(4, 5)]),
    "NLLLoss_none_ignore": (lambda L: L.nn.NLLLoss(reduction="none", ignore_index=1), [f32(4, 5), i64(5, 4)]),
    "BCELoss_weight": (lambda L: L.nn.BCELoss(weight=L.tensor([0.5, 1.0, 2.0])), [prob(4, 3), prob(4, 3)]),
    "BCEWithLogitsLoss_pos_weight": (lambda L: L.nn.BCEWithLogitsLoss(pos_weight=L.tensor([2.0, 1.0, 0.3])),
                                     [f32(4, 3), prob(4, 3)]),
    "RNN": (lambda L: L.nn.RNN(3, 4), [f32(5, 2, 3)]),
    "RNN_relu_2layer_h0": (lambda L: L.nn.RNN(3, 4, nonlinearity="relu", num_layers=2, dropout=0.2),
                           [f32(5, 2, 3), f32(2, 2, 4)]),
    "RNN_unbatched": (lambda L: L.nn.RNN(3, 4, batch_first=True), [f32(5, 3)]),
    "GRU_bidirectional": (lambda L: L.nn.GRU(3, 4, num_layers=2, bidirectional=True), [f32(5, 2, 3)]),
    "LSTM": (lambda L: L.nn.LSTM(3, 4, batch_first=True, bidirectional=True), [f32(2, 5, 3)]),
    "LSTM_state": (lambda L: L.nn.LSTM(3, 4, num_layers=2), [f32(5, 2, 3), (f32(2, 2, 4), f32(2, 2, 4))]),
    "LSTM_unbatched_state": (lambda L: L.nn.LSTM(3, 4), [f32(5, 3), (f32(1, 4), f32(1, 4))]),
    "RNNCell": (lambda L: L.nn.RNNCell(3, 4), [f32(2, 3), f32(2, 4)]),
    "GRUCell": (lambda L: L.nn.GRUCell(3, 4), [f32(2, 3), f32(2, 4)]),
    "LSTMCell": (lambda L: L.nn.LSTMCell(3, 4), [f32(2, 3)]),
    "MultiheadAttention": (lambda L: L.nn.MultiheadAttention(8, 2, dropout=0.2),
                           [f32(5, 2, 8), f32(4, 2, 8), f32(4, 2, 8)]),
    "MultiheadAttention_self_bf_mask": (lambda L: _SelfAttention(L), [f32(2, 5, 8), boolmask(2, 5)]),
    "MultiheadAttention_unbatched_3d_mask": (lambda L: _MaskedAttention(L), [f32(5, 8), f32(4, 8), f32(2, 5, 4)]),
    "MultiheadAttention_kvdim_biaskv_zero": (
        lambda L: L.nn.MultiheadAttention(8, 2, kdim=6, vdim=5, add_bias_kv=True, add_zero_attn=True),
        [f32(5, 2, 8), f32(4, 2, 6), f32(4, 2, 5)]),
    "TransformerEncoderLayer": (lambda L: L.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1), [f32(5, 2, 8)]),
    "TransformerEncoderLayer_gelu_normfirst_bf": (lambda L: L.nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.1, activation="gelu", norm_first=True, batch_first=True), [f32(2, 5, 8)]),
    "TransformerEncoderLayer_module_activation": (lambda L: L.nn.TransformerEncoderLayer(
        8, 2, 16, dropout=0.0, activation=L.nn.GELU(approximate="tanh")), [f32(5, 2, 8)]),
    "TransformerEncoder": (encoder, [f32(2, 5, 8)]),
    "TransformerEncoder_norm": (lambda L: encoder(L, norm=L.nn.LayerNorm(8)), [f32(2, 5, 8)]),
}


def _SelfAttention(L):
    """Self-attention (query is key is value: the packed projection) with a key padding mask and
    no weights (the scaled_dot_product_attention path)."""
    class SelfAttention(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = L.nn.MultiheadAttention(8, 2, dropout=0.1, batch_first=True)

        def forward(self, x, mask):
            return self.attn(x, x, x, key_padding_mask=mask, need_weights=False)[0]
    return SelfAttention()


def _MaskedAttention(L):
    """Unbatched cross-attention with a per-head float attention mask, weights per head."""
    class MaskedAttention(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = L.nn.MultiheadAttention(8, 2)

        def forward(self, q, kv, mask):
            return self.attn(q, kv, kv, attn_mask=mask, average_attn_weights=False)
    return MaskedAttention()


NAMES = list(LAYERS)


def build(name, L):
    L.manual_seed(SEED)
    return LAYERS[name][0](L)


def inputs(name, L, seed, grad=False):
    rng = np.random.default_rng(seed)

    def one(spec, first):
        if isinstance(spec, tuple) and isinstance(spec[0], tuple):
            return tuple(one(s, False) for s in spec)
        t = L.from_numpy(gen(spec, rng))
        # probabilities: the BCE input only (torch has no derivative for its target)
        return t.requires_grad_() if grad and (spec[0] == "f" or (spec[0] == "p" and first)) else t
    return tuple(one(s, i == 0) for i, s in enumerate(LAYERS[name][1]))


def flat(out):
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in flat(o)]
    return [out]


def close(a, b, msg="", tol=1e-5):
    fa, fb = flat(a), flat(b)
    assert len(fa) == len(fb), msg
    for x, y in zip(fa, fb):
        assert (x is None) == (y is None), msg
        if x is None:
            continue
        assert tuple(x.shape) == tuple(y.shape), msg
        assert str(x.dtype).split(".")[-1] == str(y.dtype).split(".")[-1], msg
        np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), rtol=tol, atol=tol, err_msg=msg)


def states(m):
    return {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}


def three(name, mode):
    """eager pyts, scripted pyts, scripted torch: the same parameters, all in `mode`"""
    pe = build(name, pyts)
    ps = build(name, pyts)
    sp = pyts.jit.script(ps)
    st = torch.jit.script(build(name, torch))
    for m in (pe, sp, st):
        m.train(mode == "train")
    return pe, ps, sp, st


def run(m, L, args, seed):
    L.manual_seed(seed)   # dropout: the same draws in every run
    if L is torch and isinstance(m, torch.jit.ScriptModule) and not m._c._has_method("forward"):
        # torch's scripted RNN/GRU/LSTM has two overloads, forward__0 (Tensor) and forward__1
        # (PackedSequence), and no forward; pyts has no packed sequences: one forward (Tensor)
        return m.forward__0(*args)
    return m(*args)


# Scripted pyts vs eager pyts: the same ops, compared to 1e-6. Scripted pyts vs torch.jit.script:
# 1e-4, because torch's scripted MultiheadAttention / TransformerEncoderLayer keep torch's fused
# inference fast paths (_native_multi_head_attention, _transformer_encoder_layer_fwd: eval mode, no
# grad, batch_first), which pyts does not have: it always runs the math path (same values up to
# rounding). torch's scripted RNN/GRU/LSTM has forward__0/forward__1 overloads (see run()).
@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("name", NAMES)
def test_scripted_equals_eager_and_torch_scripted(name, mode):
    pe, ps, sp, st = three(name, mode)
    # twice: running statistics move with each training call
    for seed in (1, 2):
        with pyts.no_grad():
            ye = run(pe, pyts, inputs(name, pyts, seed), 100 + seed)
            ys = run(sp, pyts, inputs(name, pyts, seed), 100 + seed)
        with torch.no_grad():
            yt = run(st, torch, inputs(name, torch, seed), 100 + seed)
        close(ys, ye, f"{name}: scripted vs eager", tol=1e-6)
        close(ys, yt, f"{name}: scripted vs torch.jit.script", tol=1e-4)
        se, ss, stt = states(pe), states(ps), states(st)
        assert list(se) == list(ss) == list(stt)
        for k in se:
            np.testing.assert_array_equal(ss[k], se[k], err_msg=k)
            np.testing.assert_allclose(ss[k], stt[k], rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("name", NAMES)
def test_scripted_gradients_equal_eager_and_torch(name):
    pe, ps, sp, st = three(name, "train")
    grads = []
    # ps holds the scripted layer's parameters (scripting shares them)
    for m, called, L in ((pe, pe, pyts), (ps, sp, pyts), (st, st, torch)):
        x = inputs(name, L, 4, grad=True)
        y = run(called, L, x, 7)
        ys = [o for o in flat(y) if o is not None and o.is_floating_point()]
        rng = np.random.default_rng(5)
        loss = sum((o * L.from_numpy(rng.standard_normal(tuple(o.shape)).astype(np.float32))).sum() for o in ys)
        leaves = [p for p in m.parameters() if p.requires_grad] + [t for t in flat(x) if t.requires_grad]
        grads.append(L.autograd.grad(loss, leaves, allow_unused=True))
    assert len(grads[0]) == len(grads[1]) == len(grads[2]) > 0
    for ge, gs, gt in zip(*grads):
        close(gs, ge, f"{name}: scripted vs eager gradient", tol=1e-6)
        close(gs, gt, f"{name}: scripted vs torch gradient", tol=1e-4)


def _archive_code(buf):
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    return "\n".join(z.read(n).decode() for n in z.namelist() if n.endswith(".py"))


@pytest.mark.parametrize("name", NAMES)
def test_scripted_saves_loads_in_torch_and_code_compiles_in_torch(name):
    _, ps, sp, st = three(name, "eval")
    buf = io.BytesIO()
    pyts.jit.save(sp, buf)
    loaded = torch.jit.load(io.BytesIO(buf.getvalue()))
    loaded.eval()
    with torch.no_grad():
        close(loaded(*inputs(name, torch, 9)), run(st, torch, inputs(name, torch, 9), 0), name, tol=1e-4)
    with pyts.no_grad():
        close(loaded(*inputs(name, torch, 9)), sp(*inputs(name, pyts, 9)), name, tol=1e-5)
    # the scripted forward's `.code` is, up to indentation and the `self: <class>` annotation
    # archives carry, the forward torch.jit.load just compiled
    text = re.sub(r"self: __torch__[\w.]+", "self", _archive_code(buf))
    archived = "\n".join(ln.strip() for ln in text.splitlines())
    code = "\n".join(ln.strip() for ln in sp.code.splitlines())
    assert code.startswith("def forward(self") and code in archived


# ---- what differs from torch, by design or for want of a compiler feature ----
def test_maxpool_return_indices_scripted_raises_when_called():
    """torch.jit.script picks MaxPool2d's tuple-returning forward at compile time from the constant
    return_indices (boolean_dispatch over __constants__); pyts' compiler has no module constants,
    so the scripted forward keeps the Tensor signature and the indices path is @unused: it compiles,
    and raises when called. Eager pyts returns (output, indices) as torch does."""
    m = pyts.nn.MaxPool2d(2, return_indices=True)
    x = pyts.randn(1, 2, 4, 4)
    out, idx = m(x)
    tout, tidx = torch.nn.MaxPool2d(2, return_indices=True)(torch.from_numpy(x.numpy()))
    close((out, idx), (tout, tidx))
    sp = pyts.jit.script(m)
    with pytest.raises(RuntimeError, match="This Python function is annotated to be ignored and cannot be run"):
        sp(x)


def test_scripted_implicit_softmax_dim_warns_like_eager():
    """Softmax() with no dim: eager pyts, eager torch and both scripted layers (aten::warn) warn,
    and the scripted pyts layer computes the eager values."""
    x = pyts.randn(2, 3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        ye = pyts.nn.Softmax()(x)
    sp = pyts.jit.script(pyts.nn.Softmax())
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        close(sp(x), ye)
    st = torch.jit.script(torch.nn.Softmax())
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        st(torch.randn(2, 3, 4))


def test_transformer_function_activation_is_called_by_name_when_scripted():
    """torch scripts a function-valued activation attribute; pyts' compiler does not keep function
    attributes, so the scripted layer calls F.relu / F.gelu from activation_relu_or_gelu, and an
    activation that is neither a module nor F.relu / F.gelu raises when the layer runs."""
    layer = pyts.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=pyts.tanh)
    x = pyts.randn(5, 2, 8)
    layer(x)   # eager: any callable
    with pytest.raises(RuntimeError, match="neither a module nor F.relu"):
        pyts.jit.script(layer)(x)


# ---- pyts.nn.functional on its own ----
def _fargs(L):
    rng = np.random.default_rng(3)
    x = L.from_numpy(rng.standard_normal((4, 5)).astype(np.float32))
    t = L.from_numpy(rng.integers(0, 5, (4,)).astype(np.int64))
    p = L.from_numpy(rng.uniform(0.1, 0.9, (4, 5)).astype(np.float32))
    return x, t, p


# (pyts function, torch function, args(L)); torch.nn.functional's versions are scripted too
FUNCS = [
    ("softmax", lambda x, t, p: (x, 0)),
    ("log_softmax", lambda x, t, p: (x, 1)),
    ("relu", lambda x, t, p: (x,)),
    ("silu", lambda x, t, p: (x,)),
    ("dropout", lambda x, t, p: (x, 0.4, False)),
    ("layer_norm", lambda x, t, p: (x, [5])),
    ("cross_entropy", lambda x, t, p: (x, t)),
    ("nll_loss", lambda x, t, p: (x.log_softmax(1), t)),
    ("mse_loss", lambda x, t, p: (x, p)),
    ("l1_loss", lambda x, t, p: (x, p)),
    ("binary_cross_entropy", lambda x, t, p: (p, p)),
    ("binary_cross_entropy_with_logits", lambda x, t, p: (x, p)),
    ("embedding", lambda x, t, p: (t, x.t())),
    ("pad", lambda x, t, p: (x, [1, 2])),
]


@pytest.mark.parametrize("fname,args", FUNCS, ids=[f[0] for f in FUNCS])
def test_functional_scripts_like_torch(fname, args):
    fp = pyts.jit.script(getattr(F, fname))
    ap, at = args(*_fargs(pyts)), args(*_fargs(torch))
    close(fp(*ap), getattr(F, fname)(*ap), fname, tol=1e-6)
    close(fp(*ap), getattr(torch.nn.functional, fname)(*at), fname, tol=1e-5)


def test_builtin_functions_cannot_be_scripted_alone_as_in_torch():
    # F.gelu, F.linear, F.one_hot are the ops themselves in both libraries
    for lib, f in ((pyts, F), (torch, torch.nn.functional)):
        for name in ("gelu", "linear", "one_hot"):
            with pytest.raises(TypeError, match="is a built-in class"):
                lib.jit.script(getattr(f, name))


def test_functional_mha_and_batch_norm_script():
    """The two long ones: multi_head_attention_forward (separate projection weights, masks, static
    bias) and batch_norm in training mode (running stats updated in place)."""
    mha = pyts.jit.script(F.multi_head_attention_forward)
    rng = np.random.default_rng(1)

    def arr(*s):
        return rng.standard_normal(s).astype(np.float32)
    q, k, v = arr(3, 2, 4), arr(5, 2, 4), arr(5, 2, 4)
    w, b, ow, ob = arr(12, 4), arr(12), arr(4, 4), arr(4)
    mask = np.triu(np.ones((3, 5), dtype=bool), 1)
    for L, f in ((pyts, F.multi_head_attention_forward), (pyts, mha),
                 (torch, torch.nn.functional.multi_head_attention_forward)):
        T = L.from_numpy
        out = f(T(q), T(k), T(v), 4, 2, T(w), T(b), None, None, False, 0.0, T(ow), T(ob), training=False,
                attn_mask=T(mask.copy()), need_weights=True, average_attn_weights=False)
        if L is pyts and f is mha:
            close(out, want_pyts, "mha", tol=1e-6)
        elif L is pyts:
            want_pyts = out
        else:
            close(want_pyts, out, "mha vs torch", tol=1e-5)
    bn = pyts.jit.script(F.batch_norm)
    x = pyts.from_numpy(arr(4, 3))
    rm, rv = pyts.zeros(3), pyts.ones(3)
    rm2, rv2 = pyts.zeros(3), pyts.ones(3)
    close(bn(x, rm, rv, None, None, True, 0.3, 1e-5), F.batch_norm(x, rm2, rv2, training=True, momentum=0.3))
    close((rm, rv), (rm2, rv2))
    # compiled code raises one class for every `raise`, with the message: pyts RuntimeError,
    # torch torch.jit.Error
    tbn = torch.jit.script(torch.nn.functional.batch_norm)
    for f, L, cls in ((bn, pyts, RuntimeError), (tbn, torch, torch.jit.Error)):
        with pytest.raises(cls, match="Expected more than 1 value per channel when training, got input size"):
            f(L.ones(1, 3), L.zeros(3), L.ones(3), None, None, True, 0.1, 1e-5)
