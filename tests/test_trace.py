"""Tracing functions: graphs and code as PyTorch 2.13 prints them, replay on new inputs, and the
interpreter running traced graphs (module tracing is in test_trace_module.py)."""
import re
import threading
import warnings

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
warnings.filterwarnings("ignore", category=DeprecationWarning)


def _norm(text):
    """Value numbers are arbitrary; everything else must match."""
    return re.sub(r"%(\d+)", "%N", text)


def _both(fn_src, inputs):
    """Define fn_src in two namespaces (torch and pyts as `torch`), trace both."""
    ns_t = {"torch": torch, "__name__": "traced_fns"}
    ns_p = {"torch": pyts, "__name__": "traced_fns"}
    code = compile(fn_src, __file__, "exec")
    exec(code, ns_t)
    exec(code, ns_p)
    arrays = [np.asarray(a, dtype=np.float32) for a in inputs]
    tt = torch.jit.trace(ns_t["f"], tuple(torch.from_numpy(a.copy()) for a in arrays))
    pt = pyts.jit.trace(ns_p["f"], tuple(pyts.from_numpy(a.copy()) for a in arrays))
    return tt, pt


CASES = [
    "def f(x, h):\n    y = x * 2 - 1\n    return torch.tanh(y + h), y\n",
    "def f(x, h):\n    return torch.tanh(x + h)\n",
    "def f(x, h):\n    a = x - h\n    b = a * a\n    return b / 2\n",
    "def f(x, h):\n    return -x, x.tanh()\n",
]


@pytest.mark.parametrize("src", CASES)
def test_graph_and_code_match_pytorch(src):
    rng = np.random.default_rng(0)
    tt, pt = _both(src, [rng.random((3, 4)), rng.random((3, 4))])
    assert _norm(str(pt.graph)) == _norm(str(tt.graph))
    assert pt.code == tt.code


@pytest.mark.parametrize("src", CASES)
def test_replay_on_new_inputs(src):
    ns = {"torch": pyts}
    exec(compile(src, __file__, "exec"), ns)
    f = ns["f"]
    x, h = pyts.tensor([[1.0, -2.0], [3.0, 0.5]]), pyts.tensor([[0.25, 0.5], [-1.0, 2.0]])
    traced = pyts.jit.trace(f, (x, h))
    x2, h2 = pyts.tensor([[4.0, 1.0], [-3.0, 2.5]]), pyts.tensor([[1.0, 1.5], [2.0, -2.0]])
    want, got = f(x2, h2), traced(x2, h2)
    want = want if isinstance(want, tuple) else (want,)
    got = got if isinstance(got, tuple) else (got,)
    for a, b in zip(want, got):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)


def test_trace_freezes_python_control_flow():
    def f(x):
        if float(x.sum()) > 0:   # evaluated once, at trace time
            return x * 2
        return -x

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traced = pyts.jit.trace(f, (pyts.tensor([1.0, 2.0]),), check_trace=False)
    neg = pyts.tensor([-1.0, -2.0])
    np.testing.assert_allclose(traced(neg).detach().numpy(), [-2.0, -4.0])   # the recorded path
    np.testing.assert_allclose(f(neg).detach().numpy(), [1.0, 2.0])          # Python takes the other


def test_untraceable_output_raises():
    with pytest.raises(RuntimeError, match="Only tensors, lists, tuples of tensors"):
        pyts.jit.trace(lambda x: 3, (pyts.tensor([1.0]),), check_trace=False)


def test_non_tensor_input_raises():
    with pytest.raises(TypeError, match="cannot be traced"):
        pyts.jit.trace(lambda x: x, (3,), check_trace=False)


def test_exception_inside_trace_leaves_no_state():
    def bad(x):
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        pyts.jit.trace(bad, (pyts.tensor([1.0]),))
    assert pyts._C._trace_depth() == 0
    # the next op is not recorded anywhere and tracing works again
    t = pyts.jit.trace(lambda x: x + 1, (pyts.tensor([1.0]),), check_trace=False)
    assert t(pyts.tensor([2.0])).tolist() == [3.0]


def test_wrong_argument_count():
    t = pyts.jit.trace(lambda x, y: x + y, (pyts.tensor([1.0]), pyts.tensor([2.0])), check_trace=False)
    with pytest.raises(RuntimeError, match="expected 2 arguments but got 1"):
        t(pyts.tensor([1.0]))


def test_threads_share_one_traced_function():
    t = pyts.jit.trace(lambda x, h: pyts.tanh(x * 2 + h), (pyts.tensor([1.0]), pyts.tensor([1.0])),
                       check_trace=False)
    errors = []

    def work(k):
        x = pyts.tensor([float(k)] * 64)
        h = pyts.tensor([0.5] * 64)
        want = np.tanh(np.float32(k) * 2 + np.float32(0.5))
        for _ in range(200):
            got = t(x, h).numpy()
            if not np.allclose(got, want, rtol=1e-6):
                errors.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
