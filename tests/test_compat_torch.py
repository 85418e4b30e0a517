"""Archives from PyTorch 2.13 in pyts: torch.jit.save of scripted and traced torch modules loads in
pyts.jit.load and gives torch's outputs (issue 6's model list), and a method that uses something
pyts lacks still loads, then fails at call time with NotImplementedError naming the op (or the
construct) and the archive's code line. The torch modules here are real torch.nn modules."""
import io
import re
import warnings
from typing import Dict, List, Optional, Tuple

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning"),
              pytest.mark.filterwarnings("ignore:.*enable_nested_tensor.*:UserWarning")]
warnings.filterwarnings("ignore", message=".*TorchScript.*")

# registry ops by name, to check that a "missing op" error really names an op pyts lacks
_OPS = {r[2].split(".")[0] for r in pyts._C._ops()}


def to_pyts(x):
    if isinstance(x, torch.Tensor):
        return pyts.from_numpy(x.detach().numpy().copy())
    if isinstance(x, (tuple, list)):
        return type(x)(to_pyts(i) for i in x)
    return x


def assert_same(p, t, path="out"):
    if isinstance(t, torch.Tensor):
        assert isinstance(p, pyts.Tensor), f"{path}: {type(p).__name__}"
        assert tuple(p.shape) == tuple(t.shape), f"{path}: {tuple(p.shape)} != {tuple(t.shape)}"
        np.testing.assert_allclose(p.detach().numpy(), t.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=path)
    elif isinstance(t, (tuple, list)):
        assert len(p) == len(t), path
        for i, (a, b) in enumerate(zip(p, t)):
            assert_same(a, b, f"{path}[{i}]")
    else:
        assert p == t, f"{path}: {p!r} != {t!r}"


def saved(m):
    buf = io.BytesIO()
    torch.jit.save(m, buf)
    return buf.getvalue()


# ---------------------------------------------------------------- models
class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(8, 16)
        self.l2 = torch.nn.Linear(16, 4)

    def forward(self, x):
        return self.l2(torch.relu(self.l1(x)))


class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(4)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(4 * 4 * 4, 5)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.bn(self.conv(x)))), 1))


class LSTMModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(4, 6, batch_first=True)

    def forward(self, x):
        y, (h, c) = self.rnn(x)
        return y, h


class GRUModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(4, 6)

    def forward(self, x):
        y, h = self.rnn(x)
        return y + 1


class Attrs(torch.nn.Module):
    """int/float/str/list/dict/tuple attributes, an Optional tensor refined by `is not None`."""

    def __init__(self, with_bias):
        super().__init__()
        self.n = 3
        self.f = 0.5
        self.name = "abc"
        self.lst = [1, 2, 3]
        self.d = {"a": 1.0, "b": 2.0}
        self.t = (1, 2.0)
        self.bias: Optional[torch.Tensor] = torch.ones(3) * 0.25 if with_bias else None
        self.w = torch.nn.Parameter(torch.linspace(-1, 1, 3))

    def forward(self, x):
        y = x * self.f + self.n + self.lst[1] + self.d["b"] + self.t[1]
        if self.bias is not None:
            y = y + self.bias
        return y * self.w, self.name


class Optionals(torch.nn.Module):
    def __init__(self, with_bias):
        super().__init__()
        self.bias: Optional[torch.Tensor] = torch.full((3,), 0.5) if with_bias else None
        self.scale = 2.0

    def forward(self, x, extra: Optional[torch.Tensor] = None):
        y = x * self.scale
        if self.bias is not None:
            y = y + self.bias
        if extra is None:
            return y
        return y - extra


class Tuples(torch.nn.Module):
    def forward(self, x, pair: Tuple[torch.Tensor, int]):
        a, k = pair
        return (x + a) * k, x.size(0)


class Containers(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.seq = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU(), torch.nn.Linear(4, 4))
        self.layers = torch.nn.ModuleList([torch.nn.Linear(4, 4) for _ in range(3)])

    def forward(self, x):
        x = self.seq(x)
        for layer in self.layers:
            x = torch.tanh(layer(x))
        return x


@torch.jit.script
def scripted_free(x, n: int):
    for _ in range(n):
        x = x * 0.5 + 1
    return x


class UsesFree(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x):
        return scripted_free(self.lin(x), 3)


class Shapes(torch.nn.Module):
    """size lists, list unpacking, dtype/device of tensors, torch.device("cpu")."""

    def forward(self, x):
        b, n = x.size()
        y = torch.zeros([b, n], dtype=x.dtype, device=x.device)
        if x.is_floating_point():
            y = y + 1
        if x.size() != [b, n]:
            y = y * 0
        return y + x * b


def _transformer():
    torch.manual_seed(0)
    return torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0).eval()


torch.manual_seed(0)
MODELS = {
    "mlp": (MLP, (torch.randn(2, 8),), ("script", "trace")),
    "cnn_eval": (lambda: CNN().eval(), (torch.randn(2, 3, 8, 8),), ("script", "trace")),
    "cnn_train": (CNN, (torch.randn(2, 3, 8, 8),), ("script", "trace")),
    "lstm": (LSTMModel, (torch.randn(2, 3, 4),), ("script", "trace")),
    "gru": (GRUModel, (torch.randn(3, 2, 4),), ("script", "trace")),
    "transformer": (_transformer, (torch.randn(5, 2, 8),), ("script", "trace")),
    "attrs_bias": (lambda: Attrs(True), (torch.randn(3),), ("script",)),
    "attrs_nobias": (lambda: Attrs(False), (torch.randn(3),), ("script",)),
    "optional_bias": (lambda: Optionals(True), (torch.randn(3),), ("script",)),
    "optional_none": (lambda: Optionals(False), (torch.randn(3),), ("script",)),
    "optional_arg": (lambda: Optionals(True), (torch.randn(3), torch.randn(3)), ("script",)),
    "tuples": (Tuples, (torch.randn(2, 3), (torch.randn(2, 3), 4)), ("script",)),
    "containers": (Containers, (torch.randn(2, 4),), ("script", "trace")),
    "free_function": (UsesFree, (torch.randn(2, 3),), ("script", "trace")),
    "shapes": (Shapes, (torch.randn(2, 3),), ("script",)),
}
CASES = [(name, mode) for name, (_, _, modes) in MODELS.items() for mode in modes]

# Archives that load but whose forward does not compile yet: the call must fail cleanly:
# NotImplementedError naming an op pyts lacks (checked against the registry) and the archive line.
KNOWN_GAPS = set()


def _check_clean_failure(e):
    msg = str(e)
    assert re.search(r'File "code/__torch__/[\w/]+\.py", line \d+', msg), msg   # the archive code line
    m = re.search(r"Unknown builtin op: aten::(\w+)\.", msg)
    assert m, msg
    assert m.group(1) not in _OPS, f"aten::{m.group(1)} is in the registry but did not compile:\n{msg}"


@pytest.mark.parametrize("name,mode", CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_torch_archive_runs_in_pyts(name, mode):
    make, args, _ = MODELS[name]
    torch.manual_seed(1)
    m = make()
    tm = torch.jit.script(m) if mode == "script" else torch.jit.trace(m, args)
    want = tm(*args)
    pm = pyts.jit.load(io.BytesIO(saved(tm)))          # loading never fails on missing ops
    assert pm.training == tm.training
    assert list(pm.state_dict()) == list(tm.state_dict())
    if (name, mode) in KNOWN_GAPS:
        with pytest.raises(NotImplementedError) as e:
            pm(*to_pyts(args))
        _check_clean_failure(e.value)
        return
    got = pm(*to_pyts(args))
    assert_same(got, want)
    # a second call gives the same (no state kept between calls, BatchNorm in eval)
    if not tm.training:
        assert_same(pm(*to_pyts(args)), want)


def test_missing_op_fails_at_call_time_naming_op_and_line():
    """An op pyts lacks: the archive loads (attributes, state_dict, other methods work), the call
    raises NotImplementedError with the op's name and the archive's line."""
    class UsesUnknown(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(3, 3)

        def forward(self, x):
            return torch.special.bessel_j0(self.lin(x))

    tm = torch.jit.script(UsesUnknown())
    pm = pyts.jit.load(io.BytesIO(saved(tm)))
    assert list(pm.state_dict()) == ["lin.weight", "lin.bias"]
    np.testing.assert_allclose(pm.lin(pyts.ones(1, 3)).detach().numpy(), tm.lin(torch.ones(1, 3)).detach().numpy(), rtol=1e-6)
    with pytest.raises(NotImplementedError) as ei:
        pm(pyts.ones(2, 3))
    msg = str(ei.value)
    assert "aten::special_bessel_j0" in msg
    assert 'File "code/__torch__/' in msg and "line " in msg
    assert "torch.special_bessel_j0(" in msg          # the archive line itself is quoted


def test_missing_op_in_a_submodule_names_the_submodule_method():
    class Inner(torch.nn.Module):
        def forward(self, x):
            return torch.special.bessel_j0(x)

    class Outer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Inner()

        def forward(self, x):
            return self.inner(x) + 1

    pm = pyts.jit.load(io.BytesIO(saved(torch.jit.script(Outer()))))
    with pytest.raises(NotImplementedError, match=r"(?s)method 'forward' of __torch__\.\S*Inner did not compile.*aten::special_bessel_j0"):
        pm(pyts.ones(2))


def test_self_parameter_with_another_name():
    """PyTorch keeps the source's name of self in archive code (`def forward(s: __torch__.M, x)`)."""
    class M(torch.nn.Module):
        def __init__(s):
            super().__init__()
            s.k = 3

        def forward(s, x):
            return x * s.k

    pm = pyts.jit.load(io.BytesIO(saved(torch.jit.script(M()))))
    assert pm(pyts.ones(2)).numpy().tolist() == [3.0, 3.0]


def test_resaved_torch_archive_loads_back_in_torch():
    torch.manual_seed(2)
    tm = torch.jit.script(Containers())
    pm = pyts.jit.load(io.BytesIO(saved(tm)))
    buf = io.BytesIO()
    pyts.jit.save(pm, buf)
    back = torch.jit.load(io.BytesIO(buf.getvalue()))
    x = torch.randn(2, 4)
    assert_same(pm(to_pyts(x)), back(x))
    assert_same(to_pyts(back(x)), tm(x))


# ---------------------------------------------------------------- transformer archives
# torch's scripted TransformerEncoderLayer / MultiheadAttention code picks its fast path
# (torch._transformer_encoder_layer_fwd / torch._native_multi_head_attention) in eval mode with
# batch_first under no_grad (parameters require grad), and the slow path (inlined
# multi_head_attention_forward, sdpa or baddbmm + softmax) otherwise. pyts runs the same code, so
# each configuration is checked with and without grad, i.e. on both paths.
_L = 5


def _masks(kind, batch=3):
    src = kpm = None
    if kind in ("src", "both"):
        src = torch.nn.Transformer.generate_square_subsequent_mask(_L)
    if kind == "src_bool":
        src = torch.triu(torch.ones(_L, _L, dtype=torch.bool), 1)
    if kind == "src_float":        # additive on the slow path, read as a bool mask on the fast path
        src = torch.triu(torch.full((_L, _L), 0.75), 1)
    if kind in ("kpm", "both"):
        kpm = torch.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]])[:batch]
    return src, kpm


def _load_like_torch(tm):
    """pyts.jit.load of tm's archive; its parameters require grad as torch.jit.load leaves them
    (checked: the fast-path choice depends on it)."""
    pm = pyts.jit.load(io.BytesIO(saved(tm)))
    for (name, p), (tname, tp) in zip(pm.named_parameters(), tm.named_parameters()):
        assert name == tname and p.requires_grad == tp.requires_grad
    return pm


def _run_both(tm, pm, args, kw=None):
    """tm(*args, **kw) against pm on the same inputs, under no_grad and with grad."""
    kw = kw or {}
    for grad in (False, True):
        with (torch.enable_grad() if grad else torch.no_grad()):
            want = tm(*args, **kw)
        with (pyts.enable_grad() if grad else pyts.no_grad()):
            got = pm(*to_pyts(args), **{k: to_pyts(v) for k, v in kw.items()})
        assert_same(got, want, f"grad={grad}")


TEL_CONFIGS = [(bf, nf, act, train) for bf in (True, False) for nf in (False, True)
               for act in ("relu", "gelu") for train in (False, True)]


@pytest.mark.parametrize("batch_first,norm_first,activation,training", TEL_CONFIGS,
                         ids=[f"bf{int(c[0])}-nf{int(c[1])}-{c[2]}-{'train' if c[3] else 'eval'}" for c in TEL_CONFIGS])
def test_scripted_transformer_encoder_layer(batch_first, norm_first, activation, training):
    torch.manual_seed(0)
    m = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=batch_first, norm_first=norm_first,
                                         activation=activation).train(training)
    tm = torch.jit.script(m)
    pm = _load_like_torch(tm)
    assert pm.training == training
    assert list(pm.state_dict()) == list(tm.state_dict())
    x = torch.randn(3, _L, 8) if batch_first else torch.randn(_L, 3, 8)
    for kind in ("none", "src", "kpm", "both", "src_bool", "src_float"):
        src, kpm = _masks(kind)
        _run_both(tm, pm, (x, src, kpm))
    src, _ = _masks("src")
    _run_both(tm, pm, (x,), {"src_mask": src, "is_causal": True})


def test_fast_path_is_taken_exactly_where_torch_takes_it():
    """A float src_mask of 0.75s: the fast path reads it as a bool mask (positions masked out), the
    slow path adds it; the two results differ, and pyts gives torch's on both sides."""
    torch.manual_seed(3)
    tm = torch.jit.script(torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True).eval())
    pm = _load_like_torch(tm)
    x = torch.randn(3, _L, 8)
    src, _ = _masks("src_float")
    with torch.no_grad():
        fast = tm(x, src)
    slow = tm(x, src)
    assert not np.allclose(fast.numpy(), slow.detach().numpy(), atol=1e-3)
    with pyts.no_grad():
        assert_same(pm(*to_pyts((x, src))), fast)
    assert_same(pm(*to_pyts((x, src))), slow)
    # parameters that do not require grad take the fast path with grad enabled too
    for p in tm.parameters():
        p.requires_grad_(False)
    for p in pm.parameters():
        p.requires_grad_(False)
    assert_same(pm(*to_pyts((x, src))), tm(x, src))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("training", [False, True])
def test_scripted_transformer_encoder(batch_first, training):
    torch.manual_seed(4)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=batch_first)
    # enable_nested_tensor=False: pyts has no nested tensors (see test_nested_tensor_path_fails_cleanly)
    m = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False).train(training)
    tm = torch.jit.script(m)
    pm = _load_like_torch(tm)
    assert list(pm.state_dict()) == list(tm.state_dict())
    x = torch.randn(3, _L, 8) if batch_first else torch.randn(_L, 3, 8)
    for kind in ("none", "src", "kpm", "both"):
        src, kpm = _masks(kind)
        _run_both(tm, pm, (x, src, kpm))


MHA_CONFIGS = [(bf, train) for bf in (False, True) for train in (False, True)]


@pytest.mark.parametrize("batch_first,training", MHA_CONFIGS,
                         ids=[f"bf{int(c[0])}-{'train' if c[1] else 'eval'}" for c in MHA_CONFIGS])
def test_scripted_multihead_attention(batch_first, training):
    torch.manual_seed(5)
    m = torch.nn.MultiheadAttention(8, 2, dropout=0.0, batch_first=batch_first).train(training)
    tm = torch.jit.script(m)
    pm = _load_like_torch(tm)
    assert list(pm.state_dict()) == list(tm.state_dict())
    q = torch.randn(3, _L, 8) if batch_first else torch.randn(_L, 3, 8)
    kv = torch.randn(*q.shape)
    for kind in ("none", "src", "kpm", "both", "src_bool", "src_float"):
        src, kpm = _masks(kind)
        for avg in (True, False):
            kw = {"key_padding_mask": kpm, "attn_mask": src, "average_attn_weights": avg}
            _run_both(tm, pm, (q, q, q), kw)
            _run_both(tm, pm, (q, kv, kv), kw)
        # need_weights=False: sdpa on the slow path; torch's own scripted fast path fails here
        # ("strides() called on an undefined Tensor"), so that case is checked against eager torch
        kw = {"key_padding_mask": kpm, "attn_mask": src, "need_weights": False}
        kwp = {k: to_pyts(v) for k, v in kw.items()}
        with pyts.no_grad():
            got = pm(*to_pyts((q, q, q)), **kwp)
        with torch.no_grad():
            want = m(q, q, q, **kw)
        assert_same(got, want)
        assert_same(pm(*to_pyts((q, kv, kv)), **kwp), tm(q, kv, kv, **kw))


def test_transformer_archive_code_resaves_and_runs_in_torch():
    """The loaded module's .code names the fast-path ops and prims as torch prints them, and pyts's
    re-saved archive runs in torch with the same results on both paths."""
    torch.manual_seed(6)
    tm = torch.jit.script(torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True).eval())
    pm = _load_like_torch(tm)
    code = pm.code
    assert "torch._transformer_encoder_layer_fwd(" in code and "ops.prim.requires_grad(" in code
    assert "ops.prim.is_nested(" in code and "torch.is_autocast_enabled()" in code
    assert "torch._native_multi_head_attention(" in pm.self_attn.code
    assert repr(pm) == repr(tm)
    buf = io.BytesIO()
    pyts.jit.save(pm, buf)
    back = torch.jit.load(io.BytesIO(buf.getvalue()))
    x = torch.randn(2, _L, 8)
    src, kpm = _masks("kpm", 2)
    for grad in (False, True):
        with (torch.enable_grad() if grad else torch.no_grad()):
            np.testing.assert_allclose(back(x, None, kpm).detach().numpy(), tm(x, None, kpm).detach().numpy(),
                                       rtol=1e-5, atol=1e-6)


def test_nested_tensor_path_fails_cleanly():
    """TransformerEncoder with enable_nested_tensor (the default) turns a batch_first input with a
    key padding mask into a nested tensor in eval under no_grad; pyts has none: that call raises
    NotImplementedError naming the op, every other path runs."""
    torch.manual_seed(8)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    tm = torch.jit.script(torch.nn.TransformerEncoder(layer, 2).eval())
    pm = _load_like_torch(tm)
    x = torch.randn(3, _L, 8)
    _, kpm = _masks("kpm")
    with pyts.no_grad(), pytest.raises(NotImplementedError, match="_nested_tensor_from_mask"):
        pm(*to_pyts((x, None, kpm)))
    assert_same(pm(*to_pyts((x, None, kpm))), tm(x, None, kpm))      # with grad: the layers' slow path
    _run_both(tm, pm, (x,))


def test_fast_path_ops_have_no_derivative_like_torch():
    torch.manual_seed(7)
    tm = torch.jit.script(torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True).eval())
    pm = _load_like_torch(tm)
    x = torch.randn(2, _L, 8)
    for p in pm.parameters():
        p.requires_grad_(False)
    xp = to_pyts(x).requires_grad_(True)
    y = pm(xp)                     # input requires grad, parameters do not: torch takes the slow path
    y.sum().backward()
    xt = x.clone().requires_grad_(True)
    for p in tm.parameters():
        p.requires_grad_(False)
    tm(xt).sum().backward()
    np.testing.assert_allclose(xp.grad.detach().numpy(), xt.grad.detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("grad", [False, True])
def test_traced_transformer_encoder(batch_first, grad):
    """A traced 2-layer TransformerEncoder with both masks: traced under no_grad with batch_first
    the archive records torch._transformer_encoder_layer_fwd itself."""
    torch.manual_seed(9)
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=batch_first)
    m = torch.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False).eval()
    x = torch.randn(3, _L, 8) if batch_first else torch.randn(_L, 3, 8)
    src, kpm = _masks("both")
    with (torch.enable_grad() if grad else torch.no_grad()):
        tm = torch.jit.trace(m, (x, src, kpm), check_trace=False)
        want = tm(x, src, kpm)
    assert ("_transformer_encoder_layer_fwd" in str(tm.inlined_graph)) == (batch_first and not grad)
    pm = _load_like_torch(tm)
    assert_same(pm(*to_pyts((x, src, kpm))), want)
