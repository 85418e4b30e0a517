"""Differential cases for ops_rnn.def rows (see tests/oracle.py): the four cells and the four
full-sequence RNNs (layers, directions, batch_first, biases, dtypes, non-contiguous and empty
inputs, dropout between layers drawn from the seeded default generator), bad hidden states and
parameter lists (both libraries raise the same class), and the hidden fused LSTM rows, run
through ``pyts._C._call_op`` against the same step written out with torch ops (torch binds
_thnn_fused_lstm_cell only on CUDA)."""
import numpy as np

from oracle import noncontig, rand

import pyts

F64 = np.float64
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}


# ---------------- cells ----------------
def cell_arrays(mode, b=3, i=5, h=4, dtype=np.float32, bias=True):
    g = GATES[mode] * h
    arrs = [rand(b, i, dtype=dtype), rand(b, h, dtype=dtype), rand(g, i, dtype=dtype, low=-0.5, high=0.5),
            rand(g, h, dtype=dtype, low=-0.5, high=0.5)]
    if bias:
        arrs += [rand(g, dtype=dtype), rand(g, dtype=dtype)]
    if mode == "lstm":
        arrs.insert(2, rand(b, h, dtype=dtype))
    return arrs


def cell(mode, b=3, i=5, h=4, dtype=np.float32, bias=True, nc=False, kw=False):
    def f(L, T):
        arrs = cell_arrays(mode, b, i, h, dtype, bias)
        ts = [T(noncontig(a) if nc else a) for a in arrs]
        if mode == "lstm":
            x, h0, c0, *w = ts
            if kw and bias:
                return L.lstm_cell(x, [h0, c0], w[0], w[1], b_ih=w[2], b_hh=w[3])
            return L.lstm_cell(x, (h0, c0), *w)
        x, h0, *w = ts
        fn = getattr(L, mode + "_cell")
        if kw and bias:
            return fn(x, h0, w[0], w[1], b_ih=w[2], b_hh=w[3])
        return fn(x, h0, *w)
    return f


def cell_bad(mode, what):
    """A wrong argument: both libraries must raise the same class."""
    def f(L, T):
        arrs = cell_arrays(mode)
        if mode == "lstm":
            x, h0, c0, wi, wh, bi, bh = [T(a) for a in arrs]
        else:
            x, h0, wi, wh, bi, bh = [T(a) for a in arrs]
            c0 = None
        if what == "batch":
            h0 = T(rand(2, 4))
        elif what == "hidden":
            h0 = T(rand(3, 6))
        elif what == "input":
            x = T(rand(3, 7))
        elif what == "x1d":
            x = T(rand(5))
        elif what == "h1d":
            h0 = T(rand(4))
        elif what == "w_ih":
            wi = T(rand(2 * GATES[mode] * 4 if GATES[mode] > 1 else 8, 5))
        elif what == "w_hh":
            wh = T(rand(GATES[mode] * 4 + 1, 4))
        elif what == "bias":
            bi = T(rand(3))
        elif what == "dtype":
            x = T(rand(3, 5, dtype=F64))
        elif what == "cx":
            c0 = T(rand(3, 5))
        if mode == "lstm":
            hx = [h0, c0, c0] if what == "three" else [h0] if what == "one" else [h0, c0]
            return L.lstm_cell(x, hx, wi, wh, bi, bh)
        return getattr(L, mode + "_cell")(x, h0, wi, wh, bi, bh)
    return f


def cell_unbiased_default(mode):
    def f(L, T):
        arrs = cell_arrays(mode, bias=False)
        ts = [T(a) for a in arrs]
        if mode == "lstm":
            return L.lstm_cell(ts[0], [ts[1], ts[2]], ts[3], ts[4])
        return getattr(L, mode + "_cell")(*ts)
    return f


def cell_cast(mode, to):
    """float16 / bfloat16 (the composite path) and integer cells (LSTM and GRU fail in torch's
    in-place sigmoid_, the simple cells promote through tanh or keep the type through relu)"""
    def f(L, T):
        arrs = cell_arrays(mode, bias=False)
        ts = [getattr(T(np.round(a * 2) if to in ("long", "int") else a), to)() for a in arrs]
        if mode == "lstm":
            return L.lstm_cell(ts[0], [ts[1], ts[2]], ts[3], ts[4])
        return getattr(L, mode + "_cell")(*ts)
    return f


def cell_cases(mode):
    bads = ["batch", "hidden", "input", "x1d", "h1d", "w_ih", "w_hh", "bias", "dtype"]
    if mode == "lstm":
        bads += ["cx", "one", "three"]
    return ([cell(mode), cell(mode, dtype=F64), cell(mode, bias=False), cell(mode, nc=True), cell(mode, kw=True),
             cell(mode, b=0), cell(mode, b=1, i=1, h=1), cell(mode, b=7, i=3, h=9), cell_unbiased_default(mode)]
            + [cell_cast(mode, to) for to in ("half", "bfloat16", "long", "int")]
            + [cell_bad(mode, w) for w in bads])


# ---------------- full sequences ----------------
def seq_arrays(mode, steps, batch, isz, h, layers, bidir, bias, dtype):
    d = 2 if bidir else 1
    g = GATES[mode] * h
    params = []
    for layer in range(layers):
        for _ in range(d):
            lin = isz if layer == 0 else h * d
            params += [rand(g, lin, dtype=dtype, low=-0.5, high=0.5), rand(g, h, dtype=dtype, low=-0.5, high=0.5)]
            if bias:
                params += [rand(g, dtype=dtype, low=-0.5, high=0.5), rand(g, dtype=dtype, low=-0.5, high=0.5)]
    return params


def seq(mode, steps=4, batch=3, isz=5, h=4, layers=1, bidir=False, bias=True, batch_first=False,
        dtype=np.float32, dropout=0.0, train=False, nc=False, bad=None, seed=None):
    def f(L, T):
        if seed is not None:
            L.manual_seed(seed)
        d = 2 if bidir else 1
        xs = (batch, steps, isz) if batch_first else (steps, batch, isz)
        x = rand(*xs, dtype=dtype)
        h0 = rand(layers * d, batch, h, dtype=dtype)
        c0 = rand(layers * d, batch, h, dtype=dtype)
        params = [T(p) for p in seq_arrays(mode, steps, batch, isz, h, layers, bidir, bias, dtype)]
        x = T(noncontig(x) if nc else x)
        h0, c0 = T(noncontig(h0) if nc else h0), T(c0)
        nl = layers
        if bad == "params":
            params = params[:-1]
        elif bad == "layers":
            nl = layers + 1
        elif bad == "x2d":
            x = T(rand(steps, isz, dtype=dtype))
        elif bad == "empty":
            x = T(rand(0, batch, isz, dtype=dtype))
        elif bad == "hsize":
            h0 = T(rand(layers * d, batch, h + 1, dtype=dtype))
        args = (params, bias, nl, dropout, train, bidir, batch_first)
        if mode == "lstm":
            hx = [h0] if bad == "one" else [h0, c0]
            return L.lstm(x, hx, *args)
        return getattr(L, mode)(x, h0, *args)
    return f


def seq_half(mode, to):
    """the whole sequence op in a reduced dtype"""
    def f(L, T):
        x, h0, c0 = rand(3, 2, 5), rand(2, 2, 4), rand(2, 2, 4)
        ps = [getattr(T(p), to)() for p in seq_arrays(mode, 3, 2, 5, 4, 1, True, True, np.float32)]
        x, h0, c0 = getattr(T(x), to)(), getattr(T(h0), to)(), getattr(T(c0), to)()
        args = (ps, True, 1, 0.0, False, True, False)
        if mode == "lstm":
            return L.lstm(x, [h0, c0], *args)
        return getattr(L, mode)(x, h0, *args)
    return f


def seq_cases(mode):
    out = [seq(mode), seq(mode, layers=2), seq(mode, bidir=True), seq(mode, layers=3, bidir=True, batch_first=True),
           seq(mode, bias=False, layers=2), seq(mode, batch_first=True), seq(mode, dtype=F64, layers=2, bidir=True),
           seq(mode, nc=True, bidir=True), seq(mode, steps=1, batch=1, isz=1, h=1), seq(mode, batch=0, layers=2),
           seq(mode, train=True, layers=2),   # training without dropout is the eval computation
           seq(mode, layers=3, dropout=0.5, train=True, seed=7),
           seq(mode, layers=2, bidir=True, dropout=0.3, train=True, seed=3, batch_first=True),
           seq(mode, layers=2, dropout=0.5, train=False, seed=1),
           seq(mode, layers=2, dropout=1.0, train=True, seed=2)]
    out += [seq_half(mode, "half"), seq_half(mode, "bfloat16")]
    out += [seq(mode, layers=2, bad=b) for b in ("params", "empty", "hsize")]
    if mode in ("lstm", "gru"):
        # (torch's rnn_tanh / rnn_relu broadcast a 2-D input's steps against the hidden state;
        # pyts raises there)
        out.append(seq(mode, layers=2, bad="x2d"))
    if mode == "lstm":
        # torch reads a too short parameter list for another layer count as projections (LSTM) or
        # runs past it (the others); only the LSTM raises
        out += [seq(mode, bad="one"), seq(mode, layers=2, bad="layers")]
    return out


# ---------------- hidden fused LSTM rows ----------------
def _fused_torch(L, ig, hg, cx, bi, bh):
    g = ig + hg
    if bi is not None:
        g = g + bi
    if bh is not None:
        g = g + bh
    i, f, c, o = g.chunk(4, 1)
    i, f, c, o = i.sigmoid(), f.sigmoid(), c.tanh(), o.sigmoid()
    cy = f * cx + i * c
    return o * cy.tanh(), cy, L.cat([i, f, c, o], 1)


def fused(b=3, h=4, dtype=np.float32, bias=True, bad=None):
    def f(L, T):
        ig, hg = T(rand(b, 4 * h, dtype=dtype)), T(rand(b, 4 * h, dtype=dtype))
        cx = T(rand(b, h, dtype=dtype))
        bi = T(rand(4 * h, dtype=dtype)) if bias else None
        bh = T(rand(4 * h, dtype=dtype)) if bias else None
        if bad == "cx":
            cx = T(rand(b, h + 1, dtype=dtype))
        elif bad == "gates":
            ig = T(rand(b, 4 * h + 2, dtype=dtype))
        elif bad == "dtype":
            cx = T(rand(b, h, dtype=F64 if dtype != F64 else np.float32))
        if L is pyts:
            return pyts._C._call_op("_THNN_FUSED_LSTM_CELL", ig, hg, cx, bi, bh)
        if bad:
            raise RuntimeError(bad)
        return _fused_torch(L, ig, hg, cx, bi, bh)
    return f


def fused_backward(b=3, h=4, dtype=np.float32, has_bias=True, grads="both"):
    def f(L, T):
        ig, hg = rand(b, 4 * h, dtype=dtype), rand(b, 4 * h, dtype=dtype)
        cx = rand(b, h, dtype=dtype)
        ghy, gcy = rand(b, h, dtype=dtype), rand(b, h, dtype=dtype)
        ghy_t = T(ghy) if grads in ("both", "hy") else None
        gcy_t = T(gcy) if grads in ("both", "cy") else None
        if L is pyts:
            hy, cy, ws = pyts._C._call_op("_THNN_FUSED_LSTM_CELL", T(ig), T(hg), T(cx), None, None)
            gg, gcx, gb = pyts._C._call_op("_THNN_FUSED_LSTM_CELL_BACKWARD_IMPL", ghy_t, gcy_t, T(cx), cy, ws,
                                           has_bias)
            return (gg, gcx, gb) if has_bias else (gg, gcx)
        g = T(ig + hg).requires_grad_()
        c = T(cx).requires_grad_()
        hy, cy, _ = _fused_torch(L, g, L.zeros_like(g), c, None, None)
        outs, gos = [], []
        if ghy_t is not None:
            outs.append(hy)
            gos.append(ghy_t)
        if gcy_t is not None:
            outs.append(cy)
            gos.append(gcy_t)
        L.autograd.backward(outs, gos)
        res = (g.grad, c.grad)
        return res + (g.grad.sum(0),) if has_bias else res
    return f


CASES = {
    "RNN_TANH_CELL": cell_cases("rnn_tanh"),
    "RNN_RELU_CELL": cell_cases("rnn_relu"),
    "GRU_CELL": cell_cases("gru"),
    "LSTM_CELL": cell_cases("lstm"),
    "LSTM_INPUT": seq_cases("lstm"),
    "GRU_INPUT": seq_cases("gru"),
    "RNN_TANH_INPUT": seq_cases("rnn_tanh"),
    "RNN_RELU_INPUT": seq_cases("rnn_relu"),
    "_THNN_FUSED_LSTM_CELL": [fused(), fused(dtype=F64), fused(bias=False), fused(b=0), fused(b=1, h=1),
                              fused(bad="cx"), fused(bad="gates"), fused(bad="dtype")],
    "_THNN_FUSED_LSTM_CELL_BACKWARD_IMPL": [fused_backward(), fused_backward(dtype=F64),
                                            fused_backward(has_bias=False), fused_backward(grads="hy"),
                                            fused_backward(grads="cy"), fused_backward(b=0)],
}
