"""pyts.nn.functional against torch.nn.functional called with the same arguments: PyTorch's
Python-level argument handling (reduction strings, legacy size_average/reduce, stride=None,
padding_idx, return_indices, ...) on top of the registry ops that tests/cases/cases_nn.py covers."""
import inspect
import warnings


import numpy as np
import oracle  # tests/ is on sys.path (conftest.py)
import pytest
from oracle import noncontig, rand

import pyts
import pyts.nn.functional as PF

torch = pytest.importorskip("torch")


def F(L):
    return L.nn.functional


def idx(*shape, n=3):
    return rand(*shape, dtype=np.int64, low=0, high=n - 1)


CASES = [
    # softmax family
    lambda L, T: F(L).softmax(T(rand(3, 4)), dim=1),
    lambda L, T: F(L).softmax(T(rand(3, 4)), 0, dtype=L.float64),
    lambda L, T: F(L).softmax(T(rand(2, 3, 4))),                       # implicit dim 0 (3-d)
    lambda L, T: F(L).softmax(T(rand(2, 3, 4, 5))),                    # implicit dim 1
    lambda L, T: F(L).log_softmax(T(rand(3, 4)), dim=-1),
    lambda L, T: F(L).log_softmax(T(rand(4))),
    lambda L, T: F(L).log_softmax(T(rand(3, 4)), 1, 3, L.float64),
    lambda L, T: F(L).tanh(T(rand(3))),
    # normalisation
    lambda L, T: F(L).layer_norm(T(rand(2, 3, 4)), [4]),
    lambda L, T: F(L).layer_norm(T(rand(2, 3, 4)), (3, 4), T(rand(3, 4)), T(rand(3, 4)), eps=1e-3),
    lambda L, T: F(L).batch_norm(T(rand(4, 3)), T(np.zeros(3, np.float32)), T(np.ones(3, np.float32))),
    lambda L, T: F(L).batch_norm(T(rand(4, 3, 5)), None, None, training=True),
    lambda L, T: F(L).batch_norm(T(rand(1, 3)), None, None, training=True),           # ValueError
    lambda L, T: F(L).batch_norm(T(rand(4, 3)), None, None, training=True, eps=0.0),
    lambda L, T: F(L).batch_norm(T(rand(4, 3)), T(np.zeros(3, np.float32)), T(np.ones(3, np.float32)), eps=-1.0),
    lambda L, T: F(L).batch_norm(T(rand(1, 3)), T(np.zeros(3, np.float32)), T(np.ones(3, np.float32))),  # eval: ok
    # dropout
    lambda L, T: F(L).dropout(T(rand(3, 4)), training=False),
    lambda L, T: F(L).dropout(T(rand(3, 4)), 0.0),
    lambda L, T: F(L).dropout(T(rand(3, 4)), p=1.0),
    lambda L, T: F(L).dropout(T(rand(3, 4)), p=1.5, training=False),                 # ValueError
    lambda L, T: (lambda x: (F(L).dropout(x, 1.0, True, True), x))(T(rand(5))),    # in place
    lambda L, T: (lambda x: F(L).dropout(x, 0.5, False) is x)(T(rand(5))),
    # lookup
    lambda L, T: F(L).embedding(T(idx(2, 3, n=5)), T(rand(5, 4))),
    lambda L, T: F(L).embedding(T(idx(4, n=5)), T(rand(5, 4)), padding_idx=-1),
    lambda L, T: F(L).embedding(T(idx(4, n=5)), T(rand(5, 4)), padding_idx=2),
    lambda L, T: F(L).embedding(T(idx(4, n=5)), T(rand(5, 4)), padding_idx=5),    # AssertionError
    lambda L, T: F(L).embedding(T(idx(4, n=5)), T(rand(5, 4)), padding_idx=-6),
    lambda L, T: F(L).embedding(T(np.array([5])), T(rand(5, 4))),                 # IndexError
    lambda L, T: F(L).one_hot(T(np.array([0, 3, 1]))),
    lambda L, T: F(L).one_hot(T(idx(2, 2)), num_classes=4),
    # convolution and pooling
    lambda L, T: F(L).conv1d(T(rand(2, 3, 10)), T(rand(4, 3, 3)), T(rand(4)), stride=2, padding=1),
    lambda L, T: F(L).conv1d(T(rand(3, 10)), T(rand(4, 3, 3)), padding="same"),
    lambda L, T: F(L).conv2d(T(rand(2, 4, 9, 9)), T(rand(6, 2, 3, 3)), None, (2, 1), 1, 1, 2),
    lambda L, T: F(L).conv2d(T(rand(1, 3, 8, 8)), T(rand(4, 3, 3, 3)), padding="same", dilation=2),
    lambda L, T: F(L).conv2d(T(rand(3, 8, 8)), T(rand(4, 3, 3, 3)), T(rand(4)), padding="valid"),
    lambda L, T: F(L).max_pool2d(T(rand(2, 3, 8, 8)), 2),
    lambda L, T: F(L).max_pool2d(T(rand(2, 3, 9, 9)), 3, stride=2, padding=1, ceil_mode=True),
    lambda L, T: F(L).max_pool2d(T(rand(2, 3, 9, 9)), (3, 2), None, 1, 2, False, True),
    lambda L, T: F(L).max_pool2d(T(rand(2, 3, 8, 8)), 2, return_indices=True),
    lambda L, T: F(L).max_pool2d_with_indices(T(rand(3, 8, 8)), 2, 1),
    lambda L, T: F(L).avg_pool2d(T(rand(2, 3, 8, 8)), 2),
    lambda L, T: F(L).avg_pool2d(T(rand(2, 3, 7, 7)), 3, 2, 1, True, False),
    lambda L, T: F(L).avg_pool2d(T(rand(2, 3, 7, 7)), 3, divisor_override=2),
    lambda L, T: F(L).adaptive_avg_pool2d(T(rand(2, 3, 8, 8)), (3, 2)),
    lambda L, T: F(L).adaptive_avg_pool2d(T(rand(2, 3, 8, 8)), 1),
    lambda L, T: F(L).adaptive_avg_pool2d(T(rand(2, 3, 8, 6)), (None, 2)),
    lambda L, T: F(L).adaptive_avg_pool2d(T(rand(8, 6)), (None, 2, 3)),            # ValueError
    lambda L, T: F(L).pad(T(rand(2, 3)), (1, 2)),
    lambda L, T: F(L).pad(T(rand(2, 3)), [1, 2, 0, 1], value=-1.0),
    lambda L, T: F(L).pad(T(rand(1, 2, 4, 5)), (2, 1, 1, 3), mode="reflect"),
    lambda L, T: F(L).pad(T(rand(1, 2, 4, 5)), (2, 1, 1, 3), mode="replicate"),
    lambda L, T: F(L).pad(T(rand(1, 2, 4, 5)), (2, 1, 1, 3), "circular"),
    lambda L, T: F(L).pad(T(noncontig(rand(2, 3, 5))), (1, 1), "reflect"),
    # losses
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(idx(4, n=5))),
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(idx(4, n=5)), reduction="sum"),
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(idx(4, n=5)), reduction="none"),
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(np.array([1, 0, 1, 4])), T(rand(5, low=0.1)), ignore_index=1),
    lambda L, T: F(L).cross_entropy(T(rand(2, 5, 3)), T(idx(2, 3, n=5)), label_smoothing=0.1),
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(rand(4, 5, low=0, high=1)), label_smoothing=0.2),
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(idx(4, n=5)), size_average=False),
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(idx(4, n=5)), reduce=False),
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(idx(4, n=5)), reduction="elementwise_mean"),
    lambda L, T: F(L).cross_entropy(T(rand(4, 5)), T(idx(4, n=5)), reduction="avg"),   # ValueError
    lambda L, T: F(L).nll_loss(F(L).log_softmax(T(rand(4, 5)), 1), T(idx(4, n=5))),
    lambda L, T: F(L).nll_loss(T(rand(2, 3, 4, 4)), T(idx(2, 4, 4)), reduction="none"),
    lambda L, T: F(L).nll_loss(T(rand(2, 3, 4)), T(idx(2, 4)), T(rand(3, low=0.1)), ignore_index=0),
    lambda L, T: F(L).mse_loss(T(rand(3, 4)), T(rand(3, 4))),
    lambda L, T: F(L).mse_loss(T(rand(3, 4)), T(rand(3, 4)), reduction="sum"),
    lambda L, T: F(L).mse_loss(T(rand(3, 4)), T(rand(4)), reduction="none"),             # warns, broadcasts
    lambda L, T: F(L).mse_loss(T(rand(3, 4)), T(rand(3, 4)), reduction="none", weight=T(rand(3, 4))),
    lambda L, T: F(L).mse_loss(T(rand(3, 4)), T(rand(3, 4)), weight=T(rand(4))),         # ValueError
    lambda L, T: F(L).binary_cross_entropy(T(rand(3, 4, low=0, high=1)), T(rand(3, 4, low=0, high=1))),
    lambda L, T: F(L).binary_cross_entropy(T(rand(3, 4, low=0, high=1)), T(rand(3, 4, low=0, high=1)),
                                           T(rand(4, low=0, high=1)), reduction="none"),
    lambda L, T: F(L).binary_cross_entropy(T(rand(3, 4, low=0, high=1)), T(rand(4, low=0, high=1))),
    lambda L, T: F(L).binary_cross_entropy_with_logits(T(rand(3, 4)), T(rand(3, 4, low=0, high=1))),
    lambda L, T: F(L).binary_cross_entropy_with_logits(T(rand(3, 4)), T(rand(3, 4, low=0, high=1)),
                                                       pos_weight=T(rand(4, low=0, high=3)), reduction="sum"),
    lambda L, T: F(L).binary_cross_entropy_with_logits(T(rand(3, 4)), T(rand(4, low=0, high=1))),
]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("i", range(len(CASES)))
def test_functional_case(i):
    oracle.run_case(CASES[i])


def test_batch_norm_updates_running_stats():
    x = rand(6, 3, 2)
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    trm, trv = torch.zeros(3), torch.ones(3)
    y = PF.batch_norm(pyts.from_numpy(x), pyts.from_numpy(rm), pyts.from_numpy(rv), training=True, momentum=0.2)
    ty = torch.nn.functional.batch_norm(torch.from_numpy(x), trm, trv, training=True, momentum=0.2)
    oracle.assert_same(y, ty)
    np.testing.assert_allclose(rm, trm.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv, trv.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(rv, 1.0)  # the unbiased variance moved it
    # eval mode reads (and leaves) the buffers
    before = rm.copy()
    PF.batch_norm(pyts.from_numpy(x), pyts.from_numpy(rm), pyts.from_numpy(rv))
    np.testing.assert_array_equal(rm, before)


def test_dropout_scales_kept_values():
    x = rand(20000, low=1, high=2)
    y = PF.dropout(pyts.from_numpy(x), p=0.4).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / 0.6, rtol=1e-6)
    assert abs(kept.mean() - 0.6) < 0.02
    # different calls draw different masks
    y2 = PF.dropout(pyts.from_numpy(x), p=0.4).numpy()
    assert not np.array_equal(y2 != 0, kept)


def test_dropout_inplace_returns_input():
    t = pyts.from_numpy(rand(100, low=1, high=2))
    r = PF.dropout(t, 0.5, inplace=True)
    assert r is t
    assert (t.numpy() == 0).any()


def test_embedding_max_norm_not_implemented():
    with pytest.raises(NotImplementedError):
        PF.embedding(pyts.from_numpy(idx(3)), pyts.from_numpy(rand(3, 2)), max_norm=1.0)


def test_legacy_reduction_warns():
    x, t = pyts.from_numpy(rand(4, 5)), pyts.from_numpy(idx(4, n=5))
    with pytest.warns(UserWarning, match="reduction='sum'"):
        PF.cross_entropy(x, t, size_average=False)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        PF.softmax(x)


def test_pointwise_helpers_forward_lazily(monkeypatch):
    """F.relu / silu / sigmoid call the pyts functions of the same name, looked up at call time."""
    calls = []
    for name in ("relu", "relu_", "silu", "silu_", "sigmoid"):
        monkeypatch.setattr(pyts, name, lambda *a, _n=name, **k: calls.append((_n, a, k)) or _n,
                            raising=False)
    x = object()
    assert PF.relu(x) == "relu" and PF.relu(x, inplace=True) == "relu_"
    assert PF.silu(x) == "silu" and PF.silu(x, True) == "silu_"
    assert PF.sigmoid(x) == "sigmoid"


def test_builtin_functions_are_the_ops_as_in_torch():
    # torch.nn.functional.gelu & co. are C builtins: scripted code calls aten::gelu directly
    for name in ("gelu", "linear", "bilinear", "one_hot", "scaled_dot_product_attention", "conv2d"):
        assert getattr(PF, name) is getattr(pyts, name)
        assert not inspect.isfunction(getattr(torch.nn.functional, name))

    def f(x):
        return PF.gelu(x, approximate="tanh") + PF.linear(x, x)
    text = str(pyts.jit.script(f).graph)
    assert "aten::gelu(" in text and "aten::linear(" in text and "prim::CallFunction" not in text


def test_signatures_match_torch():
    import inspect
    for name in PF.__all__:
        if name in ("max_pool2d",):
            continue  # torch's is a boolean_dispatch wrapper (*args, **kwargs)
        tf = getattr(torch.nn.functional, name)
        try:
            tsig = inspect.signature(tf)
        except ValueError:
            continue  # a C builtin without a signature (conv2d, ...): its docstring has it
        psig = inspect.signature(getattr(PF, name))
        assert [(p.name, p.default) for p in psig.parameters.values()] == \
               [(p.name, p.default) for p in tsig.parameters.values()], name
