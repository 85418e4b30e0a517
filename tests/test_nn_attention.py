"""Attention layers against PyTorch 2.13: Bilinear, MultiheadAttention, TransformerEncoderLayer and
TransformerEncoder. Same seed -> bit-identical parameters; torch's state dict (through NumPy)
loaded into pyts gives the same outputs and gradients in train (dropout 0) and eval mode, and
back; reprs match; masks, batch_first, unbatched inputs; bad inputs raise what torch raises."""
import copy
import math
import warnings

import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def arr(*shape, dtype=np.float32):
    return (RNG.random(shape) * 4 - 2).astype(dtype)


def both(a):
    """The same array as a pyts and a torch tensor."""
    a = np.asarray(a)
    return pyts.from_numpy(a.copy()), torch.from_numpy(a.copy())


def npy(x):
    if x is None:
        return None
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return x.detach().numpy() if x.requires_grad else x.numpy()


def close(p, t, rtol=1e-5, atol=1e-5, what=""):
    if t is None:
        assert p is None, what
        return
    assert tuple(p.shape) == tuple(t.shape), f"{what}: {tuple(p.shape)} != {tuple(t.shape)}"
    assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], what
    np.testing.assert_allclose(npy(p), npy(t), rtol=rtol, atol=atol, err_msg=what)


def sd_to_pyts(sd):
    return {k: pyts.from_numpy(v.detach().numpy().copy()) for k, v in sd.items()}


def sd_to_torch(sd):
    return {k: torch.from_numpy(npy(v).copy()) for k, v in sd.items()}


def same_state(pm, tm):
    ps, ts = pm.state_dict(), tm.state_dict()
    assert list(ps) == list(ts)
    for k in ts:
        assert tuple(ps[k].shape) == tuple(ts[k].shape), k
        assert np.array_equal(npy(ps[k].float()), npy(ts[k].float())), k   # bit-identical


def seeded(make, seed=0):
    """make(L) under the same seed in both libraries."""
    pyts.manual_seed(seed)
    p = make(pyts)
    torch.manual_seed(seed)
    t = make(torch)
    return p, t


def check_grads(pm, tm, rtol=1e-4, atol=1e-5):
    pg = dict(pm.named_parameters())
    for name, tp in tm.named_parameters():
        close(pg[name].grad, tp.grad, rtol, atol, f"grad of {name}")


# =====================================================================================
# initialisation and reprs
# =====================================================================================
MHA_KW = [
    {}, {"bias": False}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True}, {"add_zero_attn": True},
    {"batch_first": True, "dropout": 0.25}, {"dtype": "float64"}, {"kdim": 8, "vdim": 8},
    {"dtype": "float16", "add_bias_kv": True},
]


def _kw(L, kw):
    kw = dict(kw)
    if "dtype" in kw:
        kw["dtype"] = getattr(L, kw["dtype"])
    return kw


@pytest.mark.parametrize("kw", MHA_KW)
def test_mha_init_and_repr_match_torch(kw):
    p, t = seeded(lambda L: L.nn.MultiheadAttention(8, 2, **_kw(L, kw)))
    same_state(p, t)
    assert repr(p) == repr(t)
    names_p = [(n, tuple(x.shape)) for n, x in p.named_parameters()]
    names_t = [(n, tuple(x.shape)) for n, x in t.named_parameters()]
    assert names_p == names_t
    for attr in ("embed_dim", "kdim", "vdim", "_qkv_same_embed_dim", "num_heads", "dropout", "batch_first",
                 "head_dim", "add_zero_attn"):
        assert getattr(p, attr) == getattr(t, attr), attr
    for attr in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "bias_k",
                 "bias_v"):
        assert (getattr(p, attr) is None) == (getattr(t, attr) is None), attr
    assert type(p.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(p.out_proj, pyts.nn.Linear)


@pytest.mark.parametrize("kw", [{}, {"bias": False}, {"dtype": "float64"}])
def test_bilinear_init_repr_forward_backward(kw):
    p, t = seeded(lambda L: L.nn.Bilinear(3, 4, 5, **_kw(L, kw)), seed=5)
    same_state(p, t)
    assert repr(p) == repr(t)
    dt = np.float64 if kw.get("dtype") else np.float32
    x1p, x1t = both(arr(2, 6, 3, dtype=dt))
    x2p, x2t = both(arr(2, 6, 4, dtype=dt))
    yp, yt = p(x1p, x2p), t(x1t, x2t)
    close(yp, yt, what="bilinear output")
    (yp * yp).sum().backward()
    (yt * yt).sum().backward()
    check_grads(p, t)


def test_bilinear_errors_like_torch():
    p, t = seeded(lambda L: L.nn.Bilinear(3, 4, 5))
    for a, b in [((2, 3), (2, 5)), ((2, 3), (3, 4)), ((2, 2), (2, 4)), ((3,), (2, 4))]:
        with pytest.raises(RuntimeError) as ep:
            p(pyts.from_numpy(arr(*a)), pyts.from_numpy(arr(*b)))
        with pytest.raises(RuntimeError) as et:
            t(torch.from_numpy(arr(*a)), torch.from_numpy(arr(*b)))
        assert str(ep.value).split("\n")[0] == str(et.value).split("\n")[0]
    with pytest.raises(ValueError, match="in1_features must be > 0"):
        pyts.nn.Bilinear(0, 4, 5)


@pytest.mark.parametrize("kw", [
    {}, {"norm_first": True, "activation": "gelu"}, {"batch_first": True, "bias": False},
    {"activation": "relu_module"}, {"activation": "gelu_module", "layer_norm_eps": 1e-3, "dim_feedforward": 7},
])
def test_encoder_init_and_repr_match_torch(kw):
    def make(L):
        k = dict(kw)
        if k.get("activation") == "relu_module":
            k["activation"] = L.nn.ReLU()
        elif k.get("activation") == "gelu_module":
            k["activation"] = L.nn.GELU()
        layer = L.nn.TransformerEncoderLayer(8, 2, dim_feedforward=k.pop("dim_feedforward", 16), **k)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return layer, L.nn.TransformerEncoder(layer, 2, norm=None)

    (pl, pe), (tl, te) = seeded(make)
    same_state(pl, tl)
    same_state(pe, te)
    assert repr(pl) == repr(tl)
    assert repr(pe) == repr(te)
    assert pl.activation_relu_or_gelu == tl.activation_relu_or_gelu


def test_encoder_deep_copies_the_layer():
    layer = pyts.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    enc = pyts.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    assert len(enc.layers) == 3
    ws = [m.linear1.weight for m in enc.layers]
    assert all(w is not layer.linear1.weight for w in ws)
    assert ws[0] is not ws[1]
    assert np.array_equal(npy(ws[0]), npy(layer.linear1.weight))
    with pyts.no_grad():
        enc.layers[0].linear1.weight.fill_(1.0)
    assert not np.array_equal(npy(enc.layers[1].linear1.weight), npy(enc.layers[0].linear1.weight))
    assert len(list(enc.parameters())) == 3 * len(list(layer.parameters()))
    # a deep copy of the whole encoder is independent of it too
    enc2 = copy.deepcopy(enc)
    assert enc2.layers[2].self_attn.in_proj_weight is not enc.layers[2].self_attn.in_proj_weight
    assert repr(enc2) == repr(enc)


def test_nested_tensor_warning_like_torch():
    for L in (pyts, torch):
        layer = L.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
        with pytest.warns(UserWarning, match="batch_first was not True"):
            L.nn.TransformerEncoder(layer, 1)
        layer = L.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            enc = L.nn.TransformerEncoder(layer, 1)
        assert enc.use_nested_tensor is True
        with pytest.warns(UserWarning, match="num_heads is odd"):
            L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(9, 3, batch_first=True), 1)


# =====================================================================================
# MultiheadAttention forward / backward from torch's weights
# =====================================================================================
# (module kwargs, shapes of query/key/value (None = same tensor as query), forward kwargs builder)
def _bool_mask(*shape, p=0.3):
    m = RNG.random(shape) < p
    return m


MHA_CASES = [
    ("self", {}, (5, 3, 8), None, None, {}),
    ("self_unbatched", {}, (5, 8), None, None, {}),
    ("batch_first", {"batch_first": True}, (3, 5, 8), None, None, {}),
    ("cross", {}, (4, 3, 8), (6, 3, 8), "key", {}),
    ("cross_kv_distinct", {}, (4, 3, 8), (6, 3, 8), (6, 3, 8), {}),
    ("kdim_vdim", {"kdim": 3, "vdim": 5}, (4, 2, 8), (6, 2, 3), (6, 2, 5), {}),
    ("kdim_vdim_bf", {"kdim": 3, "vdim": 5, "batch_first": True}, (2, 4, 8), (2, 6, 3), (2, 6, 5), {}),
    ("no_bias", {"bias": False}, (5, 3, 8), None, None, {}),
    ("bias_kv", {"add_bias_kv": True}, (5, 3, 8), None, None, {}),
    ("zero_attn", {"add_zero_attn": True}, (5, 3, 8), None, None, {}),
    ("bias_kv_zero_attn_masks", {"add_bias_kv": True, "add_zero_attn": True}, (5, 3, 8), None, None,
     {"attn_mask": ("bool", (5, 5)), "key_padding_mask": ("bool", (3, 5))}),
    ("per_head", {}, (5, 3, 8), None, None, {"average_attn_weights": False}),
    ("no_weights", {}, (5, 3, 8), None, None, {"need_weights": False}),
    ("bool_attn_mask", {}, (5, 3, 8), None, None, {"attn_mask": ("bool", (5, 5))}),
    ("float_attn_mask_3d", {}, (5, 3, 8), None, None, {"attn_mask": ("float", (6, 5, 5))}),
    ("bool_attn_mask_no_weights", {}, (5, 3, 8), None, None, {"attn_mask": ("bool", (5, 5)), "need_weights": False}),
    ("float_mask_3d_no_weights", {}, (5, 3, 8), None, None, {"attn_mask": ("float", (6, 5, 5)), "need_weights": False}),
    ("key_padding", {}, (5, 3, 8), None, None, {"key_padding_mask": ("bool", (3, 5))}),
    ("key_padding_float", {}, (5, 3, 8), None, None, {"key_padding_mask": ("float", (3, 5))}),
    ("key_padding_no_weights", {}, (5, 3, 8), None, None, {"key_padding_mask": ("bool", (3, 5)), "need_weights": False}),
    ("both_masks", {}, (5, 3, 8), None, None, {"key_padding_mask": ("bool", (3, 5)), "attn_mask": ("bool", (5, 5))}),
    ("causal_no_weights", {}, (5, 3, 8), None, None, {"attn_mask": ("causal", (5, 5)), "is_causal": True,
                                                      "need_weights": False}),
    ("causal_weights", {}, (5, 3, 8), None, None, {"attn_mask": ("causal", (5, 5)), "is_causal": True}),
    ("unbatched_masks", {}, (5, 8), None, None, {"key_padding_mask": ("bool", (5,)), "attn_mask": ("float", (2, 5, 5))}),
    ("unbatched_no_weights", {}, (5, 8), None, None, {"attn_mask": ("bool", (5, 5)), "need_weights": False}),
    ("batch_first_masks", {"batch_first": True}, (3, 5, 8), None, None,
     {"key_padding_mask": ("bool", (3, 5)), "attn_mask": ("float", (5, 5)), "need_weights": False}),
    ("float64", {"dtype": torch.float64}, (5, 3, 8), None, None, {"attn_mask": ("float64", (5, 5))}),
]


def _make_mask(kind, shape):
    if kind == "bool":
        m = _bool_mask(*shape)
        m[..., 0] = False    # no row fully masked (torch gives NaN there on the weights path)
        return m
    if kind == "causal":
        return np.triu(np.full(shape, -np.inf, np.float32), 1)
    if kind == "float64":
        return arr(*shape, dtype=np.float64)
    return arr(*shape)


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name,kw,qs,ks,vs,fkw", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_mha_matches_torch(name, kw, qs, ks, vs, fkw, train):
    kw_p = dict(kw)
    if "dtype" in kw:
        kw_p["dtype"] = pyts.float64
    t = torch.nn.MultiheadAttention(8, 2, **kw)
    p = pyts.nn.MultiheadAttention(8, 2, **kw_p)
    with torch.no_grad():
        for prm in t.parameters():
            prm.uniform_(-0.5, 0.5)
    p.load_state_dict(sd_to_pyts(t.state_dict()))
    p.train(train)
    t.train(train)
    dt = np.float64 if "dtype" in kw else np.float32
    qp, qt = both(arr(*qs, dtype=dt))
    qp.requires_grad_()
    qt.requires_grad_()
    if ks is None:
        kp, kt, vp, vt = qp, qt, qp, qt
    else:
        kp, kt = both(arr(*ks, dtype=dt))
        if vs == "key":
            vp, vt = kp, kt
        else:
            vp, vt = both(arr(*vs, dtype=dt))
    fp, ft = {}, {}
    for k, v in fkw.items():
        if isinstance(v, tuple):
            fp[k], ft[k] = both(_make_mask(*v))
        else:
            fp[k] = ft[k] = v
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # mismatched mask types: both warn
        op, wp = p(qp, kp, vp, **fp)
        ot, wt = t(qt, kt, vt, **ft)
    close(op, ot, what="attn_output")
    close(wp, wt, what="attn_weights")
    loss_p = (op * op).sum() + (0 if wp is None else (wp * wp).sum())
    loss_t = (ot * ot).sum() + (0 if wt is None else (wt * wt).sum())
    loss_p.backward()
    loss_t.backward()
    check_grads(p, t)
    close(qp.grad, qt.grad, 1e-4, 1e-5, "query grad")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_mha_reduced_precision(dtype):
    p, t = seeded(lambda L: L.nn.MultiheadAttention(8, 2, dtype=getattr(L, dtype)), seed=2)
    same_state(p, t)
    x = arr(4, 3, 8)
    conv = "half" if dtype == "float16" else "bfloat16"
    xp = getattr(pyts.from_numpy(x), conv)()
    xt = getattr(torch.from_numpy(x), conv)()
    mask = np.triu(np.ones((4, 4), np.bool_), 1)
    for kw in ({}, {"need_weights": False}):
        op, wp = p(xp, xp, xp, attn_mask=pyts.from_numpy(mask), **kw)
        ot, wt = t(xt, xt, xt, attn_mask=torch.from_numpy(mask), **kw)
        assert op.dtype == getattr(pyts, dtype)
        np.testing.assert_allclose(npy(op.float()), npy(ot.float()), rtol=2e-2, atol=2e-2)
        if wt is not None:
            np.testing.assert_allclose(npy(wp.float()), npy(wt.float()), rtol=2e-2, atol=2e-2)


def test_mha_state_dict_round_trip_to_torch():
    p = pyts.nn.MultiheadAttention(8, 4, add_bias_kv=True, kdim=6, vdim=4)
    t = torch.nn.MultiheadAttention(8, 4, add_bias_kv=True, kdim=6, vdim=4)
    t.load_state_dict(sd_to_torch(p.state_dict()))
    p.eval()
    t.eval()
    q, k, v = arr(3, 2, 8), arr(5, 2, 6), arr(5, 2, 4)
    op, wp = p(pyts.from_numpy(q), pyts.from_numpy(k), pyts.from_numpy(v))
    ot, wt = t(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v))
    close(op, ot)
    close(wp, wt)


def test_mha_errors_like_torch():
    p = pyts.nn.MultiheadAttention(8, 2)
    t = torch.nn.MultiheadAttention(8, 2)
    x3, x2, x4 = arr(5, 3, 8), arr(5, 8), arr(1, 5, 3, 8)
    cases = [
        ((x4, x4, x4), {}),                               # 4-D query
        ((x3, x2, x2), {}),                               # batched query, 2-D key
        ((x2, x3, x3), {}),                               # unbatched query, 3-D key
        ((arr(5, 3, 6),) * 3, {}),                        # wrong embedding dim
        ((x3, arr(4, 3, 8), arr(5, 3, 8)), {}),           # key / value shapes differ
        ((x3, x3, x3), {"attn_mask": np.zeros((4, 5), np.bool_)}),
        ((x3, x3, x3), {"attn_mask": np.zeros((2, 5, 5), np.float32)}),
        ((x3, x3, x3), {"attn_mask": np.zeros((5,), np.float32)}),
        ((x3, x3, x3), {"attn_mask": np.zeros((5, 5), np.int64)}),
        ((x3, x3, x3), {"key_padding_mask": np.zeros((3,), np.bool_)}),
        ((x3, x3, x3), {"key_padding_mask": np.zeros((2, 5), np.bool_)}),
        ((x3, x3, x3), {"key_padding_mask": np.zeros((3, 4), np.bool_)}),
        ((x3, x3, x3), {"key_padding_mask": np.zeros((3, 5), np.int32)}),
        ((x3, x3, x3), {"is_causal": True}),
        ((x2, x2, x2), {"attn_mask": np.zeros((3, 5, 5), np.float32)}),
        ((x2, x2, x2), {"key_padding_mask": np.zeros((5, 1), np.bool_)}),
    ]
    for args, kw in cases:
        with pytest.raises(Exception) as et:
            t(*(torch.from_numpy(a) for a in args), **{k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v
                                                      for k, v in kw.items()})
        with pytest.raises(Exception) as ep:
            p(*(pyts.from_numpy(a) for a in args), **{k: pyts.from_numpy(v) if isinstance(v, np.ndarray) else v
                                                     for k, v in kw.items()})
        assert type(ep.value) is type(et.value), (kw, et.value, ep.value)
        assert str(ep.value).replace("pyts", "torch") == str(et.value), (kw, et.value, ep.value)


@pytest.mark.parametrize("args,kw,exc", [
    ((8, 3), {}, AssertionError), ((0, 2), {}, ValueError), ((8, 0), {}, ValueError),
    ((8, -1), {}, ValueError),
])
def test_mha_constructor_errors(args, kw, exc):
    with pytest.raises(exc) as et:
        torch.nn.MultiheadAttention(*args, **kw)
    with pytest.raises(exc) as ep:
        pyts.nn.MultiheadAttention(*args, **kw)
    assert str(ep.value) == str(et.value)


def test_mha_mismatched_mask_types_warn_like_torch():
    p = pyts.nn.MultiheadAttention(8, 2)
    x = pyts.from_numpy(arr(5, 3, 8))
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"):
        p(x, x, x, key_padding_mask=pyts.zeros([3, 5], dtype=pyts.bool), attn_mask=pyts.zeros([5, 5]))


def test_mha_dropout_in_training_draws_like_torch():
    # the weights path drops attention weights through F.dropout: same seed, same mask
    p, t = seeded(lambda L: L.nn.MultiheadAttention(8, 2, dropout=0.5), seed=3)
    x = arr(4, 2, 8)
    pyts.manual_seed(11)
    op, wp = p(*(pyts.from_numpy(x),) * 3)
    torch.manual_seed(11)
    ot, wt = t(*(torch.from_numpy(x),) * 3)
    close(op, ot)
    close(wp, wt)


# =====================================================================================
# TransformerEncoderLayer / TransformerEncoder
# =====================================================================================
def _encoder_pair(layer_kw, num_layers=2, norm=False, train=True):
    def make(L):
        k = dict(layer_kw)
        if k.get("activation") == "tanh":
            k["activation"] = L.tanh   # a callable that is not relu / gelu
        layer = L.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, **k)
        nm = None
        if norm:
            nm = L.nn.modules.transformer.LayerNorm(8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return L.nn.TransformerEncoder(layer, num_layers, norm=nm)

    t = make(torch)
    with torch.no_grad():
        for prm in t.parameters():
            prm.add_(torch.rand(prm.shape) * 0.2 - 0.1)   # layers differ, norms are not identity
    p = make(pyts)
    p.load_state_dict(sd_to_pyts(t.state_dict()))
    p.train(train)
    t.train(train)
    return p, t


ENC_CASES = [
    ("plain", {}, (5, 3, 8), {}),
    ("norm_first_gelu", {"norm_first": True, "activation": "gelu"}, (5, 3, 8), {}),
    ("batch_first", {"batch_first": True}, (3, 5, 8), {}),
    ("unbatched", {}, (5, 8), {}),
    ("callable_activation", {"activation": "tanh"}, (5, 3, 8), {}),
    ("no_bias", {"bias": False}, (5, 3, 8), {}),
    ("padding_mask", {"batch_first": True}, (3, 5, 8), {"src_key_padding_mask": ("bool", (3, 5))}),
    ("float_mask", {}, (5, 3, 8), {"mask": ("float", (5, 5))}),
    ("causal_detected", {}, (5, 3, 8), {"mask": ("causal", (5, 5))}),
    ("causal_given", {"batch_first": True}, (3, 5, 8), {"mask": ("causal", (5, 5)), "is_causal": True}),
    ("both_masks", {}, (5, 3, 8), {"mask": ("bool", (5, 5)), "src_key_padding_mask": ("bool", (3, 5))}),
]


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name,layer_kw,shape,fkw", ENC_CASES, ids=[c[0] for c in ENC_CASES])
def test_encoder_matches_torch(name, layer_kw, shape, fkw, train):
    p, t = _encoder_pair(layer_kw, norm=name in ("plain", "batch_first"), train=train)
    xp, xt = both(arr(*shape))
    xp.requires_grad_()
    xt.requires_grad_()
    fp, ft = {}, {}
    for k, v in fkw.items():
        if isinstance(v, tuple):
            fp[k], ft[k] = both(_make_mask(*v))
        else:
            fp[k] = ft[k] = v
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yp = p(xp, **fp)
        yt = t(xt, **ft)
    close(yp, yt, 1e-4, 1e-5, "encoder output")
    (yp * pyts.from_numpy(np.linspace(-1, 1, yp.numel(), dtype=np.float32).reshape(tuple(yp.shape)))).sum().backward()
    (yt * torch.from_numpy(np.linspace(-1, 1, yt.numel(), dtype=np.float32).reshape(tuple(yt.shape)))).sum().backward()
    check_grads(p, t, 1e-3, 1e-4)
    close(xp.grad, xt.grad, 1e-3, 1e-4, "input grad")


def test_encoder_layer_alone_and_round_trip():
    t = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, norm_first=True)
    p = pyts.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, norm_first=True)
    t.load_state_dict(sd_to_torch(p.state_dict()))
    p.eval()
    t.eval()
    x = arr(4, 2, 8)
    m = np.zeros((2, 4), np.bool_)
    m[1, 3] = True
    close(p(pyts.from_numpy(x), src_key_padding_mask=pyts.from_numpy(m)),
          t(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(m)), 1e-4, 1e-5)


def test_encoder_errors_like_torch():
    for L in (pyts, torch):
        with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
            L.nn.TransformerEncoderLayer(8, 2, activation="tanh")
        enc = L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16,
                                                                   batch_first=True), 1)
        with pytest.raises(AssertionError, match="only bool and floating types of mask are supported"):
            enc(L.zeros([2, 5, 8]), mask=L.zeros([5, 5], dtype=L.int64))
        with pytest.raises(AssertionError, match="was expecting embedding dimension of 8, but got 6"):
            enc(L.zeros([2, 5, 6]))
        with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D tensor but "
                                                 "received 4-D query tensor"):
            enc(L.zeros([1, 2, 3, 8]))
        with pytest.raises(IndexError):   # torch's _get_seq_len indexes the size of a 1-D input
            enc(L.zeros([8]))


# =====================================================================================
# functional: bilinear and scaled_dot_product_attention gradients against torch
# =====================================================================================
def _grads_match(fn_p, fn_t, arrays, rtol=1e-4, atol=1e-5):
    ps = [pyts.from_numpy(a.copy()).requires_grad_() for a in arrays]
    ts = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    yp, yt = fn_p(*ps), fn_t(*ts)
    close(yp, yt, rtol, atol, "value")
    w = np.linspace(-1, 1, yt.numel()).reshape(tuple(yt.shape)).astype(arrays[0].dtype)
    (yp * pyts.from_numpy(w)).sum().backward()
    (yt * torch.from_numpy(w)).sum().backward()
    for i, (a, b) in enumerate(zip(ps, ts)):
        close(a.grad, b.grad, rtol, atol, f"grad {i}")


def test_functional_bilinear_grads():
    import pyts.nn.functional as PF

    _grads_match(lambda a, b, w, c: PF.bilinear(a, b, w, c), lambda a, b, w, c: torch.nn.functional.bilinear(a, b, w, c),
                 [arr(2, 3, 3, dtype=np.float64), arr(2, 3, 4, dtype=np.float64), arr(5, 3, 4, dtype=np.float64),
                  arr(5, dtype=np.float64)])


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.7}, {"mask": "bool"}, {"mask": "float"},
                                {"gqa": True}])
def test_functional_sdpa_grads(kw):
    import pyts.nn.functional as PF

    qs, ks = (2, 4, 3, 4), (2, 4 if not kw.get("gqa") else 2, 5, 4)
    arrays = [arr(*qs, dtype=np.float64), arr(*ks, dtype=np.float64), arr(*ks, dtype=np.float64)]
    extra = {}
    if kw.get("is_causal"):
        extra["is_causal"] = True
    if "scale" in kw:
        extra["scale"] = kw["scale"]
    if kw.get("gqa"):
        extra["enable_gqa"] = True
    mask = None
    if kw.get("mask") == "bool":
        mask = RNG.random((3, 5)) < 0.6
        mask[1] = False        # a fully masked row: zero output and zero gradient in both
    elif kw.get("mask") == "float":
        mask = arr(3, 5, dtype=np.float64)
    mp = None if mask is None else pyts.from_numpy(mask)
    mt = None if mask is None else torch.from_numpy(mask)
    _grads_match(lambda q, k, v: PF.scaled_dot_product_attention(q, k, v, mp, **extra),
                 lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, mt, **extra), arrays)


def test_sdpa_dropout_draws_like_torch():
    import pyts.nn.functional as PF

    q, k, v = arr(2, 3, 4), arr(2, 5, 4), arr(2, 5, 6)
    pyts.manual_seed(5)
    yp = PF.scaled_dot_product_attention(pyts.from_numpy(q), pyts.from_numpy(k), pyts.from_numpy(v), dropout_p=0.4)
    torch.manual_seed(5)
    yt = torch.nn.functional.scaled_dot_product_attention(torch.from_numpy(q), torch.from_numpy(k),
                                                          torch.from_numpy(v), dropout_p=0.4)
    close(yp, yt)
    assert math.isfinite(float(yp.sum()))


@pytest.mark.parametrize("batch_first", [True, False])
def test_encoder_dropout_in_training_draws_like_torch(batch_first):
    # every dropout (sdpa's, dropout, dropout1/2) draws the same elements as torch, also on the
    # transposed attention output of batch_first (the noise follows the input's memory order)
    def make(L):
        layer = L.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.3, batch_first=batch_first)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return L.nn.TransformerEncoder(layer, 2)

    p, t = seeded(make, seed=4)
    x = arr(3, 5, 8)
    xp, xt = both(x)
    pyts.manual_seed(9)
    yp = p(xp)
    torch.manual_seed(9)
    yt = t(xt)
    close(yp, yt, 1e-4, 1e-5, "encoder output")
    yp.sum().backward()
    yt.sum().backward()
    check_grads(p, t, 1e-3, 1e-4)


@pytest.mark.parametrize("view", ["transpose", "permute", "slice", "transpose_slice", "expand", "0-dim"])
def test_dropout_of_strided_input_draws_like_torch(view):
    views = {"transpose": lambda x: x.transpose(0, 1), "permute": lambda x: x.permute(2, 0, 1),
             "slice": lambda x: x[:, ::2], "transpose_slice": lambda x: x.transpose(1, 2)[:, 1:],
             "expand": lambda x: x[:, :1].permute(1, 2, 0).expand(3, 5, 4), "0-dim": lambda x: x[1, 2, 3]}
    a = arr(4, 6, 5)
    pyts.manual_seed(2)
    yp = pyts.nn.functional.dropout(views[view](pyts.from_numpy(a)), 0.4)
    torch.manual_seed(2)
    yt = torch.nn.functional.dropout(views[view](torch.from_numpy(a)), 0.4)
    close(yp, yt)
