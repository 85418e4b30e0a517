"""Differential cases for ops_nn.def rows (see tests/oracle.py).

Rows that PyTorch keeps in torch._C._nn (avg_pool2d, pad, the losses, ...) are reached through
``nn(L)``. Loss cases always pass ``reduction`` explicitly: torch's Python binding of
torch._C._nn reads the schema default ``reduction=Mean`` as 0, while TorchScript (and pyts)
read it as 1."""
import math

import numpy as np

from oracle import noncontig, rand

F64, F16, I64, I32 = np.float64, np.float16, np.int64, np.int32


def nn(L):
    """torch._C._nn for torch, the pyts module itself for pyts."""
    return L._C._nn if L.__name__ == "torch" else L


def bf16(L, a):
    """A bfloat16 tensor of the float32 array a (NumPy has no bfloat16)."""
    return L.from_numpy(np.asarray(a, np.float32)).bfloat16()


def idx(*shape, n=3):
    return rand(*shape, dtype=I64, low=0, high=n - 1)


# ---- batch_norm with running statistics: the result and the updated buffers ----
def bn_train(L, T, shape=(4, 3), dtype=np.float32, momentum=0.1, weight=True):
    x = T(rand(*shape, dtype=dtype))
    c = shape[1]
    rm, rv = T(np.zeros(c, dtype)), T(np.ones(c, dtype))
    w = T(rand(c, dtype=dtype)) if weight else None
    b = T(rand(c, dtype=dtype)) if weight else None
    y = L.batch_norm(x, w, b, rm, rv, True, momentum, 1e-5, False)
    return y, rm, rv


def bn_eval(L, T, shape=(4, 3, 5), dtype=np.float32):
    c = shape[1]
    rm, rv = T(rand(c, dtype=dtype)), T(rand(c, dtype=dtype, low=0.5, high=2))
    return L.batch_norm(T(rand(*shape, dtype=dtype)), T(rand(c, dtype=dtype)), T(rand(c, dtype=dtype)),
                        rm, rv, False, 0.1, 1e-5, False)


def native_bn_train(L, T):
    rm, rv = T(np.zeros(3, np.float32)), T(np.ones(3, np.float32))
    out = L.native_batch_norm(T(rand(5, 3, 2)), T(rand(3)), T(rand(3)), rm, rv, True, 0.3, 1e-5)
    return tuple(out) + (rm, rv)


def bn_half(L, T):
    rm, rv = T(np.zeros(3, np.float32)), T(np.ones(3, np.float32))
    x = T(rand(4, 3, 2)).half()
    return L.batch_norm(x, T(rand(3)), T(rand(3)), rm, rv, True, 0.1, 1e-5, False), rm, rv


def dropout_pattern(L, T):
    """Random mask: every output is 0 or x / (1 - p), and both kinds occur."""
    a = rand(1000, low=1, high=2)
    y = L.dropout(T(a), 0.25, True).numpy()
    kept = np.isclose(y, a / 0.75, rtol=1e-6)
    dropped = y == 0
    return bool(np.all(kept | dropped)), bool(0.6 < kept.mean() < 0.9)


CASES = {
    # ---------------- softmax family ----------------
    "SOFTMAX_INT": [
        lambda L, T: L.softmax(T(rand(3, 4)), 1),
        lambda L, T: L.softmax(T(rand(3, 4)), 0),
        lambda L, T: L.softmax(T(rand(2, 3, 4)), -2),
        lambda L, T: L.softmax(T(rand(2, 3, 4)), dim=2),
        lambda L, T: T(rand(3, 4)).softmax(1),
        lambda L, T: T(rand(3, 4)).softmax(dim=0, dtype=L.float64),
        lambda L, T: L.softmax(T(noncontig(rand(3, 4))), 1),
        lambda L, T: L.softmax(T(noncontig(rand(3, 4, 5))), 0),
        lambda L, T: L.softmax(T(rand(3, 4) * 100), 1),                  # large values stay stable
        lambda L, T: L.softmax(T(np.array([[-math.inf, -math.inf], [1.0, -math.inf]], np.float32)), 1),
        lambda L, T: L.softmax(T(np.array([1.0, math.nan, 2.0], np.float32)), 0),
        lambda L, T: L.softmax(T(np.array(2.5, np.float32)), 0),
        lambda L, T: L.softmax(T(np.array([[math.inf, 1.0], [2.0, -math.inf]], np.float32)), 1),
        lambda L, T: L.softmax(T(rand(5, 1003) * 30), 1),                # vector body + tail
        lambda L, T: L.softmax(T(rand(7, 13, 3) * 30), 1),              # strided, odd inner
        lambda L, T: L.softmax(T(rand(3, 4, 5, dtype=F64) * 30), 1),
        lambda L, T: L.softmax(T(rand(0, 4)), 1),
        lambda L, T: L.softmax(T(rand(3, 0)), 1),
        lambda L, T: L.softmax(T(rand(1, 5, dtype=F64)), 1),
        lambda L, T: L.softmax(T(rand(3, 4, dtype=F16)), 1),
        lambda L, T: L.softmax(bf16(L, rand(3, 4)), 1),
        lambda L, T: L.softmax(T(rand(3, 4, dtype=I64)), 1, dtype=L.float32),
        lambda L, T: L.softmax(T(rand(3, 4, dtype=I64)), 1),             # NotImplementedError
        lambda L, T: L.softmax(T(rand(3, 4, dtype=I32)), 0),
        lambda L, T: L.softmax(T(rand(3, 4)), 2),                        # IndexError
    ],
    "_SOFTMAX": [
        lambda L, T: L._softmax(T(rand(3, 4)), 1, False),
        lambda L, T: L._softmax(T(rand(2, 3, 4, dtype=F64)), 1, False),
        lambda L, T: L._softmax(T(rand(3, 4, dtype=F16)), 1, True),     # not supported on CPU
    ],
    "LOG_SOFTMAX_INT": [
        lambda L, T: L.log_softmax(T(rand(3, 4)), 1),
        lambda L, T: L.log_softmax(T(rand(2, 3, 4)), 1),
        lambda L, T: T(rand(3, 4)).log_softmax(-1),
        lambda L, T: L.log_softmax(T(rand(3, 4) * 50), 0, dtype=L.float64),
        lambda L, T: L.log_softmax(T(noncontig(rand(4, 6))), 1),
        lambda L, T: L.log_softmax(T(np.array(-1.0, np.float32)), 0),
        lambda L, T: L.log_softmax(T(np.array([[1.0, math.nan, 2.0], [math.inf, 0, 1]], np.float32)), 1),
        lambda L, T: L.log_softmax(T(np.array([[1.0, math.nan], [-math.inf, 0]], np.float32)), 0),
        lambda L, T: L.log_softmax(T(rand(4, 1001) * 30), 1),
        lambda L, T: L.log_softmax(T(rand(6, 9, 5) * 30), 1),
        lambda L, T: L.log_softmax(T(rand(0, 3)), 1),
        lambda L, T: L.log_softmax(T(rand(2, 5, dtype=F16)), 1),
        lambda L, T: L.log_softmax(bf16(L, rand(2, 5)), 0),
        lambda L, T: L.log_softmax(T(rand(3, dtype=np.bool_)), 0),
        lambda L, T: L.log_softmax(T(rand(3, 4)), -3),
    ],
    "_LOG_SOFTMAX": [
        lambda L, T: L._log_softmax(T(rand(3, 4)), 0, False),
        lambda L, T: L._log_softmax(T(rand(3, 4)), 1, True),
    ],
    # ---------------- attention (torch: torch.bilinear, torch._C._nn.scaled_dot_product_attention) ----
    "BILINEAR": [
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3, 4)), T(rand(5))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3, 4))),
        lambda L, T: L.bilinear(T(rand(2, 3, 3)), T(rand(2, 3, 4)), T(rand(5, 3, 4)), bias=T(rand(5))),
        lambda L, T: L.bilinear(input1=T(rand(3)), input2=T(rand(4)), weight=T(rand(2, 3, 4))),
        lambda L, T: L.bilinear(T(noncontig(rand(2, 3))), T(noncontig(rand(2, 4))), T(noncontig(rand(5, 3, 4))),
                                T(noncontig(rand(5)))),
        lambda L, T: L.bilinear(T(rand(2, 3, dtype=F64)), T(rand(2, 4, dtype=F64)), T(rand(5, 3, 4, dtype=F64)),
                                T(rand(5, dtype=F64))),
        lambda L, T: L.bilinear(T(rand(2, 3, dtype=F16)), T(rand(2, 4, dtype=F16)), T(rand(5, 3, 4, dtype=F16))),
        lambda L, T: L.bilinear(bf16(L, rand(2, 3)), bf16(L, rand(2, 4)), bf16(L, rand(5, 3, 4))),
        lambda L, T: L.bilinear(T(rand(2, 3, dtype=I64)), T(rand(2, 4, dtype=I64)), T(rand(5, 3, 4, dtype=I64))),
        lambda L, T: L.bilinear(T(rand(0, 3)), T(rand(0, 4)), T(rand(5, 3, 4)), T(rand(5))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(0, 3, 4))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3, 4)), T(rand(1))),
        # errors: dtype, rank, batch, sizes, weight rank, bias rank / size, 0-dim, bool, empty feature
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4, dtype=F64)), T(rand(5, 3, 4)), T(rand(5))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3, 4)), T(rand(5, dtype=F64))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(4)), T(rand(5, 3, 4))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(3, 4)), T(rand(5, 3, 4))),
        lambda L, T: L.bilinear(T(rand(2, 2)), T(rand(2, 4)), T(rand(5, 3, 4))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 5)), T(rand(5, 3, 4))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3, 4, 1))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3, 4)), T(rand(6))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3, 4)), T(rand(5, 1))),
        lambda L, T: L.bilinear(T(rand(2, 3)), T(rand(2, 4)), T(rand(5, 3, 4)), T(np.array(1.0, np.float32))),
        lambda L, T: L.bilinear(T(np.array(1.0, np.float32)), T(np.array(1.0, np.float32)), T(rand(5, 3, 4))),
        lambda L, T: L.bilinear(T(rand(2, 3, dtype=np.bool_)), T(rand(2, 4, dtype=np.bool_)),
                                T(rand(5, 3, 4, dtype=np.bool_))),
        lambda L, T: L.bilinear(T(rand(2, 0)), T(rand(2, 4)), T(rand(5, 0, 4))),
    ],
    "SCALED_DOT_PRODUCT_ATTENTION": [
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 3, 4)), T(rand(2, 5, 4)), T(rand(2, 5, 6))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 2, 3, 4)), T(rand(2, 2, 5, 4)), T(rand(2, 2, 5, 4)),
                                                        T(rand(3, 5))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)),
                                                        attn_mask=T(rand(3, 5, dtype=np.bool_))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)),
                                                        attn_mask=T(np.array([[True] * 5, [False] * 5, [True, False] * 2 + [True]]))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)),
                                                        attn_mask=T(np.full((3, 5), -math.inf, np.float32))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 4, 4)), T(rand(2, 4, 4)), T(rand(2, 4, 3)),
                                                        is_causal=True),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 3, 4)), T(rand(2, 5, 4)), T(rand(2, 5, 3)),
                                                        None, 0.0, True),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 3, 4)), T(rand(2, 5, 4)), T(rand(2, 5, 3)),
                                                        scale=0.3),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 3, 4)), T(rand(2, 5, 4)), T(rand(2, 5, 3)),
                                                        scale=-0.5),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 3, 4, dtype=F64)), T(rand(2, 5, 4, dtype=F64)),
                                                        T(rand(2, 5, 3, dtype=F64)), T(rand(2, 3, 5, dtype=F64))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 3, 4, dtype=F64)), T(rand(2, 5, 4, dtype=F64)),
                                                        T(rand(2, 5, 3, dtype=F64)), T(rand(2, 3, 5))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4, dtype=F16)), T(rand(5, 4, dtype=F16)),
                                                        T(rand(5, 6, dtype=F16))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(noncontig(rand(2, 3, 4))), T(noncontig(rand(2, 5, 4))),
                                                        T(noncontig(rand(2, 5, 6))), T(noncontig(rand(3, 5)))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 4, 3, 4)), T(rand(2, 2, 5, 4)), T(rand(2, 2, 5, 6)),
                                                        enable_gqa=True),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 4, 3, 4)), T(rand(2, 4, 5, 4)), T(rand(2, 4, 5, 6)),
                                                        enable_gqa=True),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(0, 4)), T(rand(5, 4)), T(rand(5, 6))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(0, 4)), T(rand(0, 6))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)), dropout_p=-1.0),
        # errors
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 3, 4)), T(rand(2, 5, 4, dtype=F64)), T(rand(2, 5, 6))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3)), T(rand(5, 4)), T(rand(5, 6))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)),
                                                        attn_mask=T(rand(3, 5, dtype=I64))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)),
                                                        attn_mask=T(rand(3, 5, dtype=np.bool_)), is_causal=True),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 3)), T(rand(5, 6))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(6, 6))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)), T(rand(2, 5))),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(2, 4, 3, 4)), T(rand(2, 3, 5, 4)), T(rand(2, 3, 5, 6)),
                                                        enable_gqa=True),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)), enable_gqa=True),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4)), T(rand(5, 4)), T(rand(5, 6)), dropout_p=1.5),
        lambda L, T: nn(L).scaled_dot_product_attention(T(rand(3, 4, dtype=I64)), T(rand(5, 4, dtype=I64)),
                                                        T(rand(5, 6, dtype=I64))),
    ],
    # ---------------- normalisation ----------------
    "LAYER_NORM": [
        lambda L, T: L.layer_norm(T(rand(4, 5)), [5]),
        lambda L, T: L.layer_norm(T(rand(2, 3, 4)), [3, 4], T(rand(3, 4)), T(rand(3, 4))),
        lambda L, T: L.layer_norm(T(rand(2, 3, 4)), (4,), T(rand(4)), None, 1e-3),
        lambda L, T: L.layer_norm(T(rand(2, 3, 4)), [4], None, T(rand(4)), eps=0.1),
        lambda L, T: L.layer_norm(T(rand(1, 7)), [7]),
        lambda L, T: L.layer_norm(T(noncontig(rand(3, 6))), [6], T(noncontig(rand(6)))),
        lambda L, T: L.layer_norm(T(rand(6)), [6]),
        lambda L, T: L.layer_norm(T(rand(0, 4)), [4]),
        lambda L, T: L.layer_norm(T(rand(3, 4, dtype=F64)), [4], T(rand(4, dtype=F64))),
        lambda L, T: L.layer_norm(T(rand(3, 4, dtype=F16)), [4], T(rand(4, dtype=F16)), T(rand(4, dtype=F16))),
        lambda L, T: L.layer_norm(T(rand(3, 4, dtype=F16)), [4], T(rand(4)), T(rand(4))),   # mixed
        lambda L, T: L.layer_norm(bf16(L, rand(3, 8)), [8]),
        lambda L, T: L.layer_norm(T(rand(3, 4)), [4], T(rand(4, dtype=F64))),                # mixed: error
        lambda L, T: L.layer_norm(T(rand(3, 4)), [5]),
        lambda L, T: L.layer_norm(T(rand(3, 4)), [2, 3, 4]),
        lambda L, T: L.layer_norm(T(rand(3, 4)), []),
        lambda L, T: L.layer_norm(T(rand(3, 4)), [4], T(rand(3))),
        lambda L, T: L.layer_norm(T(rand(3, 4)), [4], None, T(rand(4, 1))),
        lambda L, T: L.layer_norm(T(rand(3, 4, dtype=I64)), [4]),
    ],
    "NATIVE_LAYER_NORM": [
        lambda L, T: L.native_layer_norm(T(rand(4, 5)), [5], None, None, 1e-5),
        lambda L, T: L.native_layer_norm(T(rand(2, 3, 4)), [3, 4], T(rand(3, 4)), T(rand(3, 4)), 1e-5),
        lambda L, T: L.native_layer_norm(T(rand(2, 4, dtype=F16)), [4], None, None, 1e-5),
        lambda L, T: L.native_layer_norm(T(rand(2, 4, dtype=F16)), [4], T(rand(4)), None, 1e-5),
        lambda L, T: L.native_layer_norm(bf16(L, rand(2, 4)), [4], None, T(rand(4)), 1e-5),
        lambda L, T: L.native_layer_norm(T(rand(2, 4, dtype=F64)), [4], None, T(rand(4, dtype=F64)), 0.5),
    ],
    "BATCH_NORM": [
        lambda L, T: bn_train(L, T),
        lambda L, T: bn_train(L, T, shape=(2, 3, 4, 5), momentum=0.5),
        lambda L, T: bn_train(L, T, shape=(5, 2, 3), weight=False),
        lambda L, T: bn_train(L, T, shape=(4, 3), dtype=F64),
        lambda L, T: bn_train(L, T, shape=(1, 3, 4)),                      # batch 1
        lambda L, T: bn_train(L, T, shape=(1, 3))[1:],    # one value per channel: running_var NaN
        lambda L, T: bn_eval(L, T),
        lambda L, T: bn_eval(L, T, shape=(2, 3)),
        lambda L, T: bn_eval(L, T, shape=(2, 4, 3, 3), dtype=F64),
        lambda L, T: bn_half(L, T),
        lambda L, T: L.batch_norm(T(rand(4, 3)), None, None, None, None, True, 0.1, 1e-5, False),
        lambda L, T: L.batch_norm(T(noncontig(rand(4, 3, 2))), None, None, None, None, True, 0.1, 1e-5, False),
        lambda L, T: L.batch_norm(T(rand(0, 3)), None, None, None, None, True, 0.1, 1e-5, False).shape,
        lambda L, T: L.batch_norm(T(rand(4, 3)), None, None, None, None, False, 0.1, 1e-5, False),
        lambda L, T: L.batch_norm(T(rand(4, 3)), None, None, T(np.zeros(3, np.float32)), None, False, 0.1, 1e-5, False),
        lambda L, T: L.batch_norm(T(rand(4, 3)), None, None, T(np.zeros(4, np.float32)), None, True, 0.1, 1e-5, False),
        lambda L, T: L.batch_norm(T(rand(4, 3)), T(rand(2)), None, None, None, True, 0.1, 1e-5, False),
        lambda L, T: L.batch_norm(T(rand(4, 3)), T(rand(3, dtype=F64)), None, None, None, True, 0.1, 1e-5, False),
        lambda L, T: L.batch_norm(T(rand(3)), None, None, None, None, True, 0.1, 1e-5, False),
        lambda L, T: L.batch_norm(T(rand(4, 3, dtype=I64)), None, None, None, None, True, 0.1, 1e-5, False),
    ],
    "NATIVE_BATCH_NORM": [
        native_bn_train,
        lambda L, T: L.native_batch_norm(T(rand(4, 3)), None, None, None, None, True, 0.1, 1e-5),
        lambda L, T: L.native_batch_norm(T(rand(4, 3, dtype=F64)), None, None, T(rand(3, dtype=F64)),
                                         T(rand(3, dtype=F64, low=1, high=2)), False, 0.1, 1e-5),
        lambda L, T: L.native_batch_norm(T(rand(4, 3, 2, dtype=F16)), None, None, None, None, True, 0.1, 1e-5),
        lambda L, T: L.native_batch_norm(T(rand(4, 3, dtype=F16)), T(rand(3)), None, None, None, True, 0.1, 1e-5),
        lambda L, T: L.native_batch_norm(bf16(L, rand(4, 3)), None, None, T(rand(3)), T(rand(3, low=1, high=2)),
                                         False, 0.1, 1e-5),
    ],
    # ---------------- dropout ----------------
    "DROPOUT": [
        lambda L, T: L.dropout(T(rand(3, 4)), 0.5, False),
        lambda L, T: L.dropout(T(rand(3, 4)), 0.0, True),
        lambda L, T: L.dropout(T(rand(3, 4)), 1.0, True),
        lambda L, T: L.dropout(T(rand(3, dtype=I64)), 1.0, True),
        lambda L, T: L.dropout(T(rand(0, 4)), 0.5, True),
        lambda L, T: (lambda x: L.dropout(x, 0.3, False) is x)(T(rand(3))),
        dropout_pattern,
        lambda L, T: L.dropout(T(rand(3)), 1.5, True),
        lambda L, T: L.dropout(T(rand(3)), -0.1, False),
        lambda L, T: L.dropout(T(rand(3, dtype=I64)), 0.5, True),
    ],
    "DROPOUT_": [
        lambda L, T: (lambda x: (L.dropout_(x, 1.0, True), x))(T(rand(3, 4))),
        lambda L, T: (lambda x: (L.dropout_(x, 0.5, False) is x, x))(T(rand(3, 4))),
        lambda L, T: (lambda x: L.dropout_(x, 0.5, True) is x)(T(rand(3, 4))),
        lambda L, T: L.dropout_(T(rand(3)), 2.0, True),
    ],
    # ---------------- lookup ----------------
    "EMBEDDING": [
        lambda L, T: L.embedding(T(rand(5, 3)), T(idx(4, n=5))),
        lambda L, T: L.embedding(T(rand(5, 3)), T(idx(2, 3, n=5))),
        lambda L, T: L.embedding(T(rand(5, 3)), T(idx(4, n=5).astype(I32)), padding_idx=1),
        lambda L, T: L.embedding(T(noncontig(rand(5, 3))), T(idx(4, n=5))),
        lambda L, T: L.embedding(T(rand(5, 3).T), T(idx(4, n=3))),
        lambda L, T: L.embedding(T(rand(5, 3)), T(np.array(2))),
        lambda L, T: L.embedding(T(rand(5, 3)), T(np.zeros(0, I64))),
        lambda L, T: L.embedding(T(rand(5, 3, dtype=I64)), T(idx(4, n=5))),
        lambda L, T: L.embedding(T(rand(5, 3, dtype=F16)), T(idx(4, n=5))),
        lambda L, T: L.embedding(T(rand(5, 3)), T(np.array([1, 5]))),
        lambda L, T: L.embedding(T(rand(5, 3)), T(np.array([-1]))),
        lambda L, T: L.embedding(T(rand(5)), T(np.array([1]))),
        lambda L, T: L.embedding(T(rand(5, 3)), T(np.array([1.0], np.float32))),
    ],
    "ONE_HOT": [
        lambda L, T: nn(L).one_hot(T(np.array([0, 2, 1]))),
        lambda L, T: nn(L).one_hot(T(np.array([0, 2, 1])), 5),
        lambda L, T: nn(L).one_hot(T(idx(2, 3, n=4)), num_classes=4),
        lambda L, T: nn(L).one_hot(T(np.array(3))),
        lambda L, T: nn(L).one_hot(T(np.zeros(0, I64)), 3),
        lambda L, T: nn(L).one_hot(T(noncontig(idx(2, 3)))),
        lambda L, T: nn(L).one_hot(T(np.zeros(0, I64))),
        lambda L, T: nn(L).one_hot(T(np.array([-1, 0]))),
        lambda L, T: nn(L).one_hot(T(np.array([3, 0])), 3),
        lambda L, T: nn(L).one_hot(T(np.array([0, 1], I32))),
    ],
    # ---------------- convolution ----------------
    "CONV1D": [
        lambda L, T: L.conv1d(T(rand(2, 3, 10)), T(rand(4, 3, 3))),
        lambda L, T: L.conv1d(T(rand(2, 3, 10)), T(rand(4, 3, 3)), T(rand(4)), stride=2, padding=1),
        lambda L, T: L.conv1d(T(rand(1, 4, 9)), T(rand(6, 2, 3)), None, 1, 2, 2, 2),
        lambda L, T: L.conv1d(T(rand(3, 10)), T(rand(4, 3, 3))),                       # unbatched
        lambda L, T: L.conv1d(T(rand(2, 3, 10, dtype=F64)), T(rand(4, 3, 1, dtype=F64))),
        lambda L, T: L.conv1d(T(rand(2, 3, 8, dtype=I64)), T(rand(2, 3, 3, dtype=I64)), T(rand(2, dtype=I64))),
        lambda L, T: L.conv1d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3))),
        lambda L, T: L.conv1d(T(rand(1, 2, 5)), T(rand(1, 3, 3))),
    ],
    "CONV1D_PADDING": [
        lambda L, T: L.conv1d(T(rand(2, 3, 10)), T(rand(4, 3, 3)), padding="same"),
        lambda L, T: L.conv1d(T(rand(2, 3, 10)), T(rand(4, 3, 4)), padding="same", dilation=3),
        lambda L, T: L.conv1d(T(rand(3, 10)), T(rand(4, 3, 3)), None, 2, "valid"),
        lambda L, T: L.conv1d(T(rand(2, 3, 10)), T(rand(4, 3, 3)), None, 2, "same"),
    ],
    "CONV2D": [
        lambda L, T: L.conv2d(T(rand(2, 3, 8, 8)), T(rand(4, 3, 3, 3))),
        lambda L, T: L.conv2d(T(rand(2, 3, 8, 8)), T(rand(4, 3, 3, 3)), T(rand(4)), padding=1),
        lambda L, T: L.conv2d(T(rand(1, 3, 9, 7)), T(rand(5, 3, 3, 2)), T(rand(5)), stride=(2, 1), padding=(1, 0)),
        lambda L, T: L.conv2d(T(rand(2, 4, 9, 9)), T(rand(6, 2, 3, 3)), None, 1, 1, 1, 2),       # groups
        lambda L, T: L.conv2d(T(rand(2, 4, 9, 9)), T(rand(4, 1, 3, 3)), T(rand(4)), groups=4),  # depthwise
        lambda L, T: L.conv2d(T(rand(2, 3, 9, 8)), T(rand(6, 1, 3, 2)), None, (2, 3), (1, 2), (1, 2), 3),
        lambda L, T: L.conv2d(T(rand(3, 9, 8, dtype=F64)), T(rand(3, 1, 5, 5, dtype=F64)), padding=2, groups=3),
        lambda L, T: L.conv1d(T(rand(2, 4, 9)), T(rand(8, 1, 3)), T(rand(8)), 1, 1, 1, 4),
        lambda L, T: L.conv2d(T(rand(1, 2, 11, 11)), T(rand(3, 2, 3, 3)), dilation=2, padding=2),
        lambda L, T: L.conv2d(T(rand(1, 2, 11, 10)), T(rand(3, 2, 3, 3)), stride=3, dilation=(2, 1)),
        lambda L, T: L.conv2d(T(rand(2, 8, 5, 5)), T(rand(4, 8, 1, 1)), T(rand(4))),            # 1x1
        lambda L, T: L.conv2d(T(rand(2, 8, 5, 5)), T(rand(4, 8, 1, 1)), stride=2),
        lambda L, T: L.conv2d(T(rand(3, 8, 8)), T(rand(4, 3, 3, 3)), padding=1),                # unbatched
        lambda L, T: L.conv2d(T(noncontig(rand(2, 3, 6, 6))), T(noncontig(rand(4, 3, 2, 2)))),
        lambda L, T: L.conv2d(T(rand(0, 3, 6, 6)), T(rand(4, 3, 3, 3))),
        lambda L, T: L.conv2d(T(rand(2, 3, 6, 6, dtype=F64)), T(rand(4, 3, 3, 3, dtype=F64)), T(rand(4, dtype=F64))),
        lambda L, T: L.conv2d(T(rand(1, 2, 5, 5, dtype=F16)), T(rand(3, 2, 3, 3, dtype=F16))),
        lambda L, T: L.conv2d(bf16(L, rand(1, 2, 5, 5)), bf16(L, rand(3, 2, 3, 3))),
        lambda L, T: L.conv2d(T(rand(1, 2, 5, 5, dtype=I64)), T(rand(3, 2, 3, 3, dtype=I64)), padding=1),
        lambda L, T: L.conv2d(T(rand(1, 2, 5, 5, dtype=I32)), T(rand(3, 2, 2, 2, dtype=I32))),
        lambda L, T: L.conv2d(T(rand(1, 2, 4, 4, dtype=np.uint8, low=0, high=3)), T(rand(1, 2, 2, 2, dtype=np.uint8, low=0, high=3))),
        lambda L, T: L.conv2d(T(rand(1, 2, 5, 5, dtype=np.bool_)), T(rand(3, 2, 3, 3, dtype=np.bool_))),
        lambda L, T: L.conv2d(T(rand(3, 3)), T(rand(1, 1, 2, 2))),
        lambda L, T: L.conv2d(T(rand(1, 2, 5, 5)), T(rand(4, 3, 3, 3))),
        lambda L, T: L.conv2d(T(rand(1, 2, 5, 5)), T(rand(3, 1, 3, 3)), groups=2),
        lambda L, T: L.conv2d(T(rand(1, 1, 2, 2)), T(rand(1, 1, 3, 3))),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3)), stride=0),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3)), padding=-1),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3)), dilation=0),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3)), groups=0),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(2, 1, 3, 3)), T(rand(3))),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 3, 3))),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3, dtype=F64))),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3)), T(rand(1, dtype=F64))),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(0, 1, 3, 3))),
    ],
    "CONV2D_PADDING": [
        lambda L, T: L.conv2d(T(rand(2, 3, 7, 7)), T(rand(4, 3, 3, 3)), T(rand(4)), padding="same"),
        lambda L, T: L.conv2d(T(rand(1, 2, 6, 5)), T(rand(3, 2, 2, 4)), padding="same"),         # asymmetric
        lambda L, T: L.conv2d(T(rand(1, 2, 6, 5)), T(rand(3, 2, 3, 2)), padding="same", dilation=(2, 3)),
        lambda L, T: L.conv2d(T(rand(2, 7, 7)), T(rand(4, 2, 3, 3)), padding="valid"),
        lambda L, T: L.conv2d(T(rand(1, 4, 7, 7)), T(rand(4, 2, 3, 3)), None, 1, "same", 1, 2),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3)), stride=2, padding="same"),
        lambda L, T: L.conv2d(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3)), padding="full"),
    ],
    "CONVOLUTION": [
        lambda L, T: L.convolution(T(rand(2, 3, 8, 8)), T(rand(4, 3, 3, 3)), T(rand(4)), [1, 1], [1, 1], [1, 1],
                                   False, [0, 0], 1),
        lambda L, T: L.convolution(T(rand(2, 4, 9)), T(rand(4, 2, 3)), None, [2], [1], [1], False, [0], 2),
        lambda L, T: L.convolution(T(rand(1, 2, 4, 5, 5)), T(rand(3, 2, 2, 3, 3)), T(rand(3)), [1, 1, 2],
                                   [0, 1, 1], [1, 1, 1], False, [0, 0, 0], 1),
        lambda L, T: L.convolution(T(rand(2, 3, 8)), T(rand(4, 3, 3, 3)), None, [1], [0], [1], False, [0], 1),
    ],
    "_CONVOLUTION": [
        lambda L, T: L._convolution(T(rand(2, 3, 8, 8)), T(rand(4, 3, 3, 3)), None, [2, 2], [1, 1], [1, 1],
                                    False, [0, 0], 1, False, False, True, True),
        lambda L, T: L._convolution(T(rand(1, 4, 8, 8)), T(rand(4, 1, 3, 3)), T(rand(4)), [1], [2], [2],
                                    False, [0], 4, False, False, True, True),
        lambda L, T: L._convolution(T(rand(1, 5, 5)), T(rand(1, 1, 3, 3)), None, [1, 1], [0, 0], [1, 1],
                                    False, [0, 0], 1, False, False, False, False),
        lambda L, T: L._convolution(T(rand(1, 1, 5, 5)), T(rand(1, 1, 3, 3)), None, [1, 1, 1], [0, 0], [1, 1],
                                    False, [0, 0], 1, False, False, False, False),
    ],
    "_CONVOLUTION_MODE": [
        lambda L, T: L._convolution_mode(T(rand(2, 3, 8, 8)), T(rand(4, 3, 2, 2)), T(rand(4)), [1, 1], "same",
                                         [1, 1], 1),
        lambda L, T: L._convolution_mode(T(rand(2, 3, 8)), T(rand(4, 3, 3)), None, [2], "valid", [1], 1),
    ],
    # ---------------- pooling ----------------
    "MAX_POOL2D": [
        lambda L, T: L.max_pool2d(T(rand(2, 3, 8, 8)), 2),
        lambda L, T: L.max_pool2d(T(rand(2, 3, 9, 7)), (3, 2), stride=(2, 1), padding=(1, 1)),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 10, 10)), 3, 2, 1, 2),                      # dilation
        lambda L, T: L.max_pool2d(T(rand(1, 2, 7, 7)), 2, ceil_mode=True),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 8, 8)), 3, 3, 1, 1, True),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6)), 3, 2, 1, ceil_mode=True),
        lambda L, T: L.max_pool2d(T(rand(3, 8, 8)), 2),                                      # unbatched
        lambda L, T: L.max_pool2d(T(noncontig(rand(2, 2, 6, 6))), 2),
        lambda L, T: L.max_pool2d(T(rand(0, 2, 6, 6)), 2),
        lambda L, T: L.max_pool2d(T(np.array([[[[1, math.nan], [3, 4]]]], np.float32)), 2),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6, dtype=F64)), 2),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6, dtype=F16)), 2),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6, dtype=I64, low=-50, high=50)), 2),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6, dtype=np.int8, low=-50, high=50)), 3, 1, 1),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6, dtype=np.bool_)), 2),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6)), 2, 0),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6)), 2, 2, 2),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6)), 2, 2, -1),
        lambda L, T: L.max_pool2d(T(rand(1, 2, 6, 6)), 2, 1, 0, 0),
        lambda L, T: L.max_pool2d(T(rand(6, 6)), 2),
        lambda L, T: L.max_pool2d(T(rand(1, 1, 2, 2)), 3),
        lambda L, T: L.max_pool2d(T(rand(1, 0, 4, 4)), 2),
    ],
    "MAX_POOL2D_WITH_INDICES": [
        lambda L, T: nn(L).max_pool2d_with_indices(T(rand(2, 3, 8, 8)), 2),
        lambda L, T: nn(L).max_pool2d_with_indices(T(rand(1, 2, 9, 9)), 3, 2, 1, 2, True),
        lambda L, T: nn(L).max_pool2d_with_indices(T(rand(2, 5, 5)), [2, 3], [1, 2]),
        lambda L, T: nn(L).max_pool2d_with_indices(T(np.full((1, 1, 3, 3), -math.inf, np.float32)), 2, 1, 1),
    ],
    "AVG_POOL2D": [
        lambda L, T: nn(L).avg_pool2d(T(rand(2, 3, 8, 8)), 2),
        lambda L, T: nn(L).avg_pool2d(T(rand(2, 3, 9, 7)), (3, 2), (2, 1), (1, 1)),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 7, 7)), 3, 2, 1, count_include_pad=False),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 7, 7)), 2, ceil_mode=True),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 6, 6)), 3, 2, 1, True, False),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 6, 6)), 3, 2, 1, True, True),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 6, 6)), 2, divisor_override=3),
        lambda L, T: nn(L).avg_pool2d(T(rand(3, 6, 6)), 2),
        lambda L, T: nn(L).avg_pool2d(T(noncontig(rand(2, 2, 6, 6))), 3, 1),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 6, 6, dtype=F64)), 2),
        lambda L, T: nn(L).avg_pool2d(bf16(L, rand(1, 2, 6, 6)), 2),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 6, 6, dtype=I64, low=-9, high=9)), 2, 1, 1),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 6, 6, dtype=I32)), 2),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 6, 6)), 2, divisor_override=0),
        lambda L, T: nn(L).avg_pool2d(T(rand(1, 2, 6, 6)), 2, 1, 2),
        lambda L, T: nn(L).avg_pool2d(T(rand(6, 6)), 2),
    ],
    "ADAPTIVE_AVG_POOL2D": [
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(2, 3, 8, 8)), [2, 2]),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(2, 3, 7, 5)), [3, 2]),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(2, 3, 5, 5)), [7, 6]),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(2, 3, 5, 5)), 1),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(5, 5)), 1),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(3, 5, 5)), [2, 3]),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(noncontig(rand(1, 2, 6, 6))), 4),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(1, 0, 4, 4)), [2, 2]),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(1, 1, 4, 4)), [0, 2]),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(1, 2, 6, 6, dtype=F64)), 3),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(1, 2, 6, 6, dtype=F16)), 3),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(1, 2, 6, 6, dtype=I64)), 3),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(1, 2, 6, 6, dtype=I64)), 1),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(1, 2, 6, 6)), [-1, 2]),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(5, 5)), 2),
        lambda L, T: nn(L).adaptive_avg_pool2d(T(rand(1, 1, 0, 4)), 2),
    ],
    "_ADAPTIVE_AVG_POOL2D": [
        lambda L, T: L._adaptive_avg_pool2d(T(rand(2, 3, 8, 8)), [1, 1]),
        lambda L, T: L._adaptive_avg_pool2d(T(rand(2, 3, 7, 9)), [3, 4]),
        lambda L, T: L._adaptive_avg_pool2d(T(rand(3, 3)), [1, 1]),
    ],
    # ---------------- padding ----------------
    "CONSTANT_PAD_ND": [
        lambda L, T: L.constant_pad_nd(T(rand(2, 3)), [1, 2]),
        lambda L, T: L.constant_pad_nd(T(rand(2, 3)), [1, 2, 0, 1], 1.5),
        lambda L, T: L.constant_pad_nd(T(rand(2, 3, 4)), [1, 1, 1, 1, 1, 1], value=-2),
        lambda L, T: L.constant_pad_nd(T(rand(2, 5)), [-1, 2]),
        lambda L, T: L.constant_pad_nd(T(rand(2, 5)), [-1, -2, 1, 0]),
        lambda L, T: L.constant_pad_nd(T(rand(2, 5)), [-1, -2]),
        lambda L, T: L.constant_pad_nd(T(noncontig(rand(3, 4))), [2, 0]),
        lambda L, T: L.constant_pad_nd(T(rand(0, 3)), [1, 1, 1, 1]),
        lambda L, T: L.constant_pad_nd(T(np.array(1.5, np.float32)), []),
        lambda L, T: L.constant_pad_nd(T(rand(3, dtype=I64)), [1, 1], 2.5),
        lambda L, T: L.constant_pad_nd(T(rand(3, dtype=np.bool_)), [1, 1], 2),
        lambda L, T: L.constant_pad_nd(T(rand(3, dtype=F16)), [2, 1], 0.5),
        lambda L, T: L.constant_pad_nd(T(rand(3, dtype=I32)), [2, 1], 7),
        lambda L, T: L.constant_pad_nd(T(rand(2, 3)), [1, 2, 3]),
        lambda L, T: L.constant_pad_nd(T(rand(2)), [1, 1, 1, 1]),
        lambda L, T: L.constant_pad_nd(T(rand(2, 2)), [-3, 0]),
    ],
    "PAD": [
        lambda L, T: nn(L).pad(T(rand(2, 3)), [1, 2]),
        lambda L, T: nn(L).pad(T(rand(2, 3)), [1, 2], "constant", 3.0),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [2, 3], "reflect"),
        lambda L, T: nn(L).pad(T(rand(2, 5)), [2, 1], mode="replicate"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [2, 3], "circular"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 4, 5)), [1, 2, 2, 1], "reflect"),
        lambda L, T: nn(L).pad(T(rand(2, 4, 5)), [1, 2, 2, 1], "replicate"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 4, 5)), [1, 2, 2, 1], "circular"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 3, 4, 5)), [1, 2, 2, 1, 1, 1], "reflect"),
        lambda L, T: nn(L).pad(T(rand(2, 3, 4, 5)), [1, 0, 2, 1, 0, 1], "replicate"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 3, 4, 5)), [1, 2, 2, 1, 1, 1], "circular"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [1, 1], "reflect", 0.0),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [-1, 2], "reflect"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [-1, 2], "replicate"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [-1, 2], "circular"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [1, 1, 1, 1], "circular"),
        lambda L, T: nn(L).pad(T(noncontig(rand(2, 3, 4))), [1, 2], "reflect"),
        lambda L, T: nn(L).pad(T(rand(0, 2, 5)), [1, 2], "reflect"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5, dtype=I64)), [1, 2], "reflect"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5, dtype=F16)), [1, 2], "replicate"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5, dtype=np.bool_)), [1, 2], "replicate"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [1, 1], "reflect", 1.0),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [1, 1], "foo"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [1, 1, 1], "reflect"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5, 5)), [1, 1], "reflect"),
        lambda L, T: nn(L).pad(T(rand(5)), [1, 1], "circular"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [5, 5], "reflect"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 5)), [6, 2], "circular"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 0)), [1, 2], "replicate"),
        lambda L, T: nn(L).pad(T(rand(1, 2, 3, 4)), [0, 0, -1, -2], "reflect"),      # one empty dim
        lambda L, T: nn(L).pad(T(rand(1, 2, 3, 4)), [0, -4, -1, -2], "replicate"),   # all empty
        lambda L, T: nn(L).pad(T(rand(1, 2, 3)), [1, -4], "reflect"),
        lambda L, T: nn(L).pad(T(rand(2)), [1, 1, 1, 1]),
    ],
    "REFLECTION_PAD1D": [
        lambda L, T: nn(L).reflection_pad1d(T(rand(2, 3, 6)), [2, 5]),
        lambda L, T: nn(L).reflection_pad1d(T(rand(3, 6)), [0, 1]),
        lambda L, T: nn(L).reflection_pad1d(T(rand(1, 2, 3, 6)), [1, 1]),
        lambda L, T: nn(L).reflection_pad1d(T(rand(1, 2, 3)), [3, 0]),
    ],
    "REFLECTION_PAD2D": [
        lambda L, T: nn(L).reflection_pad2d(T(rand(2, 3, 4, 6)), [2, 1, 3, 0]),
        lambda L, T: nn(L).reflection_pad2d(T(rand(3, 4, 6)), [1, 1, 1, 1]),
        lambda L, T: nn(L).reflection_pad2d(T(rand(3, 4, 6)), [1, 1, 4, 1]),
    ],
    "REFLECTION_PAD3D": [
        lambda L, T: nn(L).reflection_pad3d(T(rand(1, 2, 3, 4, 5)), [1, 2, 0, 3, 2, 1]),
        lambda L, T: nn(L).reflection_pad3d(T(rand(2, 3, 4, 5)), [1, 1, 1, 1, 1, 1]),
    ],
    "REPLICATION_PAD1D": [
        lambda L, T: nn(L).replication_pad1d(T(rand(2, 3, 4)), [3, 5]),
        lambda L, T: nn(L).replication_pad1d(T(rand(3, 4, dtype=I64)), [1, 0]),
        lambda L, T: nn(L).replication_pad1d(T(rand(1, 3, 2)), [-3, 0]),
    ],
    "REPLICATION_PAD2D": [
        lambda L, T: nn(L).replication_pad2d(T(rand(2, 3, 4, 5)), [3, 5, 1, 2]),
        lambda L, T: nn(L).replication_pad2d(T(rand(3, 4, 5)), [0, 1, 2, 0]),
    ],
    "REPLICATION_PAD3D": [
        lambda L, T: nn(L).replication_pad3d(T(rand(1, 2, 3, 4, 5)), [1, 2, 0, 3, 2, 1]),
    ],
    "_PAD_CIRCULAR": [
        lambda L, T: nn(L)._pad_circular(T(rand(2, 3, 5)), [2, 1]),
        lambda L, T: nn(L)._pad_circular(T(rand(2, 5)), [1, 2]),
        lambda L, T: nn(L)._pad_circular(T(rand(1, 2, 3, 4)), [1, 2, 3, 0]),
        lambda L, T: nn(L)._pad_circular(T(rand(5)), [1, 1]),
        lambda L, T: nn(L)._pad_circular(T(rand(2, 3)), [4, 1]),
    ],
    # ---------------- losses ----------------
    "CROSS_ENTROPY_LOSS": [
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 0),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 2),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), T(rand(5, low=0.1, high=2)), 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(np.array([0, -100, 2, 1])), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(np.array([0, 3, 3, 1])), None, 0, 3),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(5)), T(np.array(2)), None, 1),         # unbatched
        lambda L, T: nn(L).cross_entropy_loss(T(rand(2, 4, 3, 3)), T(idx(2, 3, 3, n=4)), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(2, 4, 3)), T(idx(2, 3, n=4)), None, 0),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(2, 4, 3, dtype=F64)), T(idx(2, 3, n=4)), None, 2),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(1, 3)), T(np.array([1])), None, 1),   # batch 1
        # label smoothing
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 1, -100, 0.1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 0, -100, 0.2),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 2, -100, 0.3),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(np.array([0, -100, 2, 1])),
                                              T(rand(5, low=0.1, high=2)), 1, -100, 0.1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(np.array([0, 4, 2, 4])),
                                              T(rand(5, low=0.1, high=2)), 0, 4, 0.25),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(2, 3, 4)), T(idx(2, 4, n=3)), None, 1, -100, 0.15),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(3)), T(np.array(1)), None, 1, -100, 0.4),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 1, -100, -0.5),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(2, 3)), T(np.array([-100, -100])), None, 1, -100, 0.1),
        # class probabilities
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(rand(4, 5, low=0, high=1)), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(rand(4, 5, low=0, high=1)), None, 0),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(rand(4, 5, low=0, high=1)),
                                              T(rand(5, low=0, high=1)), 2, -100, 0.2),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(2, 3, 4)), T(rand(2, 3, 4, low=0, high=1)), None, 1, -1, 0.1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(0, 3)), T(rand(0, 3)), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(rand(4, 5)), None, 1, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(2, 2)), T(np.ones((2, 2), I64)), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(rand(4, 5)), T(rand(4)), 1),
        # errors
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 1, -100, 1.5),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(np.array([0, 5, 1, 1])), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5)), T(idx(3, n=5)), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(np.array(1.0, np.float32)), T(np.array(0)), None, 1),
        lambda L, T: nn(L).cross_entropy_loss(T(rand(4, 5, dtype=I64)), T(idx(4, n=5)), None, 1),
    ],
    "NLL_LOSS": [
        lambda L, T: nn(L).nll_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(4, 5)), T(idx(4, n=5)), None, 0, -100),
        lambda L, T: nn(L).nll_loss(T(rand(4, 5)), T(idx(4, n=5)), T(rand(5, low=0, high=1)), 2),
        lambda L, T: nn(L).nll_loss(T(rand(4, 5)), T(np.array([1, 2, 1, 0])), T(rand(5, low=0, high=1)), 1, 1),
        lambda L, T: nn(L).nll_loss(T(rand(4, 5)), T(np.array([1, 2, 1, 0], np.uint8)), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(5)), T(np.array(3)), None, 0),
        lambda L, T: nn(L).nll_loss(T(rand(5)), T(np.array([3])), None, 1),
        lambda L, T: nn(L).nll_loss(T(noncontig(rand(3, 4))), T(noncontig(idx(3, n=4))), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(np.array([-100, -100])), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(np.array([-100, -100])), None, 0),
        lambda L, T: nn(L).nll_loss(T(rand(0, 3)), T(np.zeros(0, I64)), None, 0),
        lambda L, T: nn(L).nll_loss(T(rand(4, 5, dtype=F64)), T(idx(4, n=5)), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(4, 5, dtype=F16)), T(idx(4, n=5)), None, 2),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(np.array([0, 3])), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(np.array([0, -1])), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3, 4)), T(idx(2, 4)), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(idx(2, 1)), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(idx(3)), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(idx(2)), T(rand(4)), 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(idx(2)), T(rand(3, dtype=F64)), 1),
        lambda L, T: nn(L).nll_loss(T(rand(3)), T(np.array([1, 2, 0])), None, 0),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3)), T(idx(2).astype(I32)), None, 1),
        lambda L, T: nn(L).nll_loss(T(rand(2, 3, dtype=I64)), T(idx(2)), None, 1),
    ],
    "NLL_LOSS_ND": [
        lambda L, T: nn(L).nll_loss_nd(T(rand(4, 5)), T(idx(4, n=5)), None, 1),
        lambda L, T: nn(L).nll_loss_nd(T(rand(2, 3, 4)), T(idx(2, 4)), None, 1),
        lambda L, T: nn(L).nll_loss_nd(T(rand(2, 3, 4)), T(idx(2, 4)), T(rand(3, low=0, high=1)), 0),
        lambda L, T: nn(L).nll_loss_nd(T(rand(2, 3, 2, 2)), T(idx(2, 2, 2)), None, 2),
        lambda L, T: nn(L).nll_loss_nd(T(rand(2, 3, 2, 2, 2)), T(idx(2, 2, 2, 2)), None, 0),
        lambda L, T: nn(L).nll_loss_nd(T(rand(2, 3, 2, 2, 2)), T(np.full((2, 2, 2, 2), 1)), None, 1, 1),
        lambda L, T: nn(L).nll_loss_nd(T(rand(0, 3, 2)), T(np.zeros((0, 2), I64)), None, 0),
        lambda L, T: nn(L).nll_loss_nd(T(rand(3)), T(np.array(1)), None, 1),
        lambda L, T: nn(L).nll_loss_nd(T(np.array(1.0, np.float32)), T(np.array(0)), None, 1),
        lambda L, T: nn(L).nll_loss_nd(T(rand(3, 2, 2)), T(idx(2, 2)), None, 1),
        lambda L, T: nn(L).nll_loss_nd(T(rand(3, 2, 2)), T(idx(3, 3)), None, 1),
    ],
    "NLL_LOSS2D": [
        lambda L, T: nn(L).nll_loss2d(T(rand(2, 3, 4, 5)), T(idx(2, 4, 5)), None, 1),
        lambda L, T: nn(L).nll_loss2d(T(rand(2, 3, 4, 5)), T(idx(2, 4, 5)), T(rand(3, low=0, high=1)), 0, 2),
        lambda L, T: nn(L).nll_loss2d(T(rand(1, 3, 2, 2)), T(np.zeros((1, 2, 2), np.uint8)), None, 1),
        lambda L, T: nn(L).nll_loss2d(T(rand(1, 3, 2, 2)), T(idx(1, 2)), None, 1),
        lambda L, T: nn(L).nll_loss2d(T(rand(3, 2, 2)), T(idx(1, 2, 2)), None, 1),
        lambda L, T: nn(L).nll_loss2d(T(rand(1, 3, 2, 2)), T(idx(1, 2, 3)), None, 1),
    ],
    "MSE_LOSS": [
        lambda L, T: nn(L).mse_loss(T(rand(3, 4)), T(rand(3, 4)), 1),
        lambda L, T: nn(L).mse_loss(T(rand(3, 4)), T(rand(3, 4)), 0),
        lambda L, T: nn(L).mse_loss(T(rand(3, 4)), T(rand(3, 4)), reduction=2),
        lambda L, T: nn(L).mse_loss(T(rand(3, 4)), T(rand(4)), 0),
        lambda L, T: nn(L).mse_loss(T(noncontig(rand(3, 4))), T(rand(3, 1)), 1),
        lambda L, T: nn(L).mse_loss(T(rand(3)), T(rand(3, dtype=F64)), 1),
        lambda L, T: nn(L).mse_loss(T(rand(3, dtype=F16)), T(rand(3, dtype=F16)), 2),
        lambda L, T: nn(L).mse_loss(T(np.array(1.0, np.float32)), T(np.array(3.0, np.float32)), 1),
        lambda L, T: nn(L).mse_loss(T(rand(0)), T(rand(0)), 1),
        lambda L, T: nn(L).mse_loss(T(rand(0)), T(rand(0)), 2),
        lambda L, T: nn(L).mse_loss(T(rand(3, 4)), T(rand(4, 3)), 1),
        lambda L, T: nn(L).mse_loss(T(rand(3, dtype=I64)), T(rand(3, dtype=I64)), 1),
    ],
    "BINARY_CROSS_ENTROPY": [
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, 4, low=0, high=1)), T(rand(3, 4, low=0, high=1)), None, 1),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, 4, low=0, high=1)), T(rand(3, 4, low=0, high=1)), None, 0),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, 4, low=0, high=1)), T(rand(3, 4, low=0, high=1)),
                                                T(rand(3, 4, low=0, high=1)), 2),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, 4, low=0, high=1)), T(rand(4, low=0, high=1)),
                                                T(rand(4, low=0, high=2)), 0),
        lambda L, T: nn(L).binary_cross_entropy(T(np.array([0.0, 1.0, 0.5], np.float32)),
                                                T(np.array([1.0, 0.0, 0.5], np.float32)), None, 0),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, low=0, high=1, dtype=F64)), T(rand(3, low=0, high=1, dtype=F64)), None, 1),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, low=0, high=1)), T(rand(3, low=0, high=1)),
                                                T(rand(3, low=0, high=1, dtype=F64)), 0),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3) + 2), T(rand(3, low=0, high=1)), None, 1),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, low=0, high=1)), T(rand(3) + 2), None, 1),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, low=0, high=1)), T(rand(3, dtype=F64)), None, 1),
        lambda L, T: nn(L).binary_cross_entropy(T(rand(3, dtype=I64)), T(rand(3, dtype=I64)), None, 1),
    ],
    "BINARY_CROSS_ENTROPY_WITH_LOGITS": [
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(3, 4)), T(rand(3, 4, low=0, high=1)), None, None, 1),
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(3, 4) * 50), T(rand(3, 4, low=0, high=1)), None, None, 0),
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(3, 4)), T(rand(3, 4, low=0, high=1)),
                                                        T(rand(4)), T(rand(4, low=0, high=3)), 2),
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(4)), T(rand(3, 4, low=0, high=1)), None, None, 0),
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(3, 4)), T(rand(3, 4, dtype=F64, low=0, high=1)), None, None, 1),
        lambda L, T: L.binary_cross_entropy_with_logits(T(noncontig(rand(2, 3))), T(rand(2, 3)), None, T(rand(3)), 0),
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(0, 3)), T(rand(0, 3)), None, None, 1),
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(3, 4)), T(rand(4)), None, None, 0),
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(3, 4)), T(np.ones((3, 4), I64)), None, None, 1),
        lambda L, T: L.binary_cross_entropy_with_logits(T(rand(3, dtype=I64)), T(rand(3)), None, None, 1),
    ],
}


# ---- backward ops (hidden rows: pyts._C._call_row against torch.ops.aten) ----
def aten(L, key, *args):
    """Registry row `key` ("reflection_pad2d_backward") in pyts, the same aten overload in torch."""
    if L.__name__ == "torch":
        name, _, overload = key.partition(".")
        return getattr(getattr(L.ops.aten, name), overload or "default")(*args)
    return L._C._call_row(key, *args)


def _pad_bw_cases(kind, dim):
    key = f"{kind}_pad{dim}d_backward"
    shape = [(2, 5), (2, 4, 5), (1, 3, 4, 5)][dim - 1]
    pads = [[1, 2], [2, 1, 0, 3], [1, 0, 2, 1, 1, 1]][dim - 1]
    neg = [[2, -1], [-1, 2, 1, -1], [0, -1, 1, 1, -1, 1]][dim - 1]

    def out(s, p):
        s = list(s)
        for k in range(dim):
            s[-1 - k] += p[2 * k] + p[2 * k + 1]
        return tuple(s)

    batched = (2,) + shape
    return [
        lambda L, T: aten(L, key, T(rand(*out(shape, pads))), T(rand(*shape)), pads),
        lambda L, T: aten(L, key, T(rand(*out(batched, pads))), T(rand(*batched)), pads),
        lambda L, T: aten(L, key, T(rand(*out(shape, neg))), T(rand(*shape)), neg),
        lambda L, T: aten(L, key, T(noncontig(rand(*out(shape, pads)))), T(rand(*shape)), pads),
        lambda L, T: aten(L, key, T(rand(*out(shape, pads), dtype=F64)), T(rand(*shape, dtype=F64)), pads),
        lambda L, T: aten(L, key, T(rand(*out(shape, pads), dtype=F16)), T(rand(*shape, dtype=F16)), pads),
        lambda L, T: aten(L, key, T(rand(*out((0,) + shape, pads))), T(rand(0, *shape)), pads),
        # errors: grad_output of the wrong size, dtypes that differ, integer dtypes
        lambda L, T: aten(L, key, T(rand(*shape)), T(rand(*shape)), pads),
        lambda L, T: aten(L, key, T(rand(*out(shape, pads), dtype=F64)), T(rand(*shape)), pads),
        lambda L, T: aten(L, key, T(rand(*out(shape, pads), dtype=I64)), T(rand(*shape, dtype=I64)), pads),
    ]


for _kind in ("reflection", "replication"):
    for _dim in (1, 2, 3):
        CASES[f"{_kind.upper()}_PAD{_dim}D_BACKWARD"] = _pad_bw_cases(_kind, _dim)

CASES["AVG_POOL2D_BACKWARD"] = [
    lambda L, T: aten(L, "avg_pool2d_backward", T(rand(2, 3, 2, 2)), T(rand(2, 3, 4, 5)), [2, 2], [2, 2], [0, 0],
                      False, True, None),
    lambda L, T: aten(L, "avg_pool2d_backward", T(rand(3, 3, 3)), T(rand(3, 5, 5)), [3, 3], [2, 2], [1, 1],
                      False, False, None),
    lambda L, T: aten(L, "avg_pool2d_backward", T(rand(1, 2, 3, 3)), T(rand(1, 2, 5, 5)), [3, 3], [2, 2], [1, 1],
                      True, True, None),
    lambda L, T: aten(L, "avg_pool2d_backward", T(noncontig(rand(1, 2, 4, 3))), T(rand(1, 2, 4, 4)), [2, 3],
                      [1, 2], [1, 1], False, True, 5),
    lambda L, T: aten(L, "avg_pool2d_backward", T(rand(1, 2, 2, 2, dtype=F64)), T(rand(1, 2, 4, 4, dtype=F64)),
                      [2, 2], [2, 2], [0, 0], False, True, None),
    lambda L, T: aten(L, "avg_pool2d_backward", T(rand(0, 2, 2, 2)), T(rand(0, 2, 4, 4)), [2, 2], [2, 2], [0, 0],
                      False, True, None),
    # errors: grad_output of the wrong size, differing dtypes, a zero divisor
    lambda L, T: aten(L, "avg_pool2d_backward", T(rand(1, 2, 3, 2)), T(rand(1, 2, 4, 4)), [2, 2], [2, 2], [0, 0],
                      False, True, None),
    lambda L, T: aten(L, "avg_pool2d_backward", T(rand(1, 2, 2, 2, dtype=F64)), T(rand(1, 2, 4, 4)), [2, 2],
                      [2, 2], [0, 0], False, True, None),
    lambda L, T: aten(L, "avg_pool2d_backward", T(rand(1, 2, 2, 2)), T(rand(1, 2, 4, 4)), [2, 2], [2, 2], [0, 0],
                      False, True, 0),
]

CASES["_ADAPTIVE_AVG_POOL2D_BACKWARD"] = [
    lambda L, T: aten(L, "_adaptive_avg_pool2d_backward", T(rand(2, 3, 2, 3)), T(rand(2, 3, 5, 7))),
    lambda L, T: aten(L, "_adaptive_avg_pool2d_backward", T(rand(3, 4, 4)), T(rand(3, 3, 3))),
    lambda L, T: aten(L, "_adaptive_avg_pool2d_backward", T(noncontig(rand(1, 2, 3, 3))), T(rand(1, 2, 6, 6))),
    lambda L, T: aten(L, "_adaptive_avg_pool2d_backward", T(rand(1, 2, 1, 1, dtype=F64)), T(rand(1, 2, 4, 5, dtype=F64))),
    lambda L, T: aten(L, "_adaptive_avg_pool2d_backward", T(rand(1, 2, 2, 2, dtype=F16)), T(rand(1, 2, 4, 4, dtype=F16))),
    lambda L, T: aten(L, "_adaptive_avg_pool2d_backward", T(rand(1, 2, 2, 2, dtype=F64)), T(rand(1, 2, 4, 4))),
    lambda L, T: aten(L, "_adaptive_avg_pool2d_backward", T(rand(2, 2, 2)), T(rand(5, 5))),
]

_CBW = "convolution_backward"
CASES["CONVOLUTION_BACKWARD"] = [
    lambda L, T: aten(L, _CBW, T(rand(2, 4, 5, 2)), T(rand(2, 4, 5, 5)), T(rand(4, 2, 3, 3)), [4], [1, 2], [1, 0],
                      [1, 1], False, [0, 0], 2, [True, True, True]),
    lambda L, T: aten(L, _CBW, T(rand(2, 2, 4)), T(rand(2, 3, 7)), T(rand(2, 3, 2)), [2], [2], [1], [2], False,
                      [0], 1, [True, True, True]),
    lambda L, T: aten(L, _CBW, T(rand(1, 4, 5, 5, dtype=F64)), T(rand(1, 4, 5, 5, dtype=F64)),
                      T(rand(4, 1, 3, 3, dtype=F64)), [4], [1, 1], [1, 1], [1, 1], False, [0, 0], 4, [True, True, True]),
    lambda L, T: aten(L, _CBW, T(noncontig(rand(2, 3, 4, 4))), T(noncontig(rand(2, 2, 6, 6))), T(rand(3, 2, 3, 3)),
                      [3], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, [True, True, True]),
    lambda L, T: aten(L, _CBW, T(rand(2, 3, 1, 1, 2)), T(rand(2, 2, 3, 3, 4)), T(rand(3, 2, 3, 3, 3)),
                      [3], [1, 1, 1], [0, 0, 0], [1, 1, 1], False, [0, 0, 0], 1, [True, True, True]),
    lambda L, T: aten(L, _CBW, T(rand(0, 3, 4, 4)), T(rand(0, 2, 6, 6)), T(rand(3, 2, 3, 3)),
                      [3], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, [True, True, True]),
    # errors: grad_output of the wrong shape, dtypes that differ, channel mismatch, integers
    lambda L, T: aten(L, _CBW, T(rand(2, 3, 5, 4)), T(rand(2, 2, 6, 6)), T(rand(3, 2, 3, 3)),
                      [3], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, [True, True, True]),
    lambda L, T: aten(L, _CBW, T(rand(2, 3, 4, 4)), T(rand(2, 3, 6, 6)), T(rand(3, 2, 3, 3)),
                      [3], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, [True, True, True]),
    lambda L, T: aten(L, _CBW, T(rand(2, 3, 4, 4, dtype=I64)), T(rand(2, 2, 6, 6, dtype=I64)),
                      T(rand(3, 2, 3, 3, dtype=I64)), [3], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, [True, True, True]),
]


# ---- transformer fast path (k_nn_fastpath.c) ----
def _ops_row(L, row_id, ns, name, *args):
    """A hidden row through pyts._C._call_op; torch.ops.<ns>.<name>.<overload> on the torch side."""
    if L.__name__ == "pyts":
        return L._C._call_op(row_id, *args)
    base, _, overload = name.partition(".")
    return getattr(getattr(getattr(L.ops, ns), base), overload or "default")(*args)


def _rg(L, T, grad, op=None):
    x = T(rand(2, 3))
    if grad:
        x.requires_grad_(True)
    if op == "mul":
        x = x * 2
    elif op == "detach":
        x = x.detach()
    return _ops_row(L, "PRIM_REQUIRES_GRAD", "prim", "requires_grad", x)


def _mha(L, T, B=2, S=3, D=4, H=2, dtype=np.float32, mask=None, kw=None, same=True, nc=False, dims=None):
    """_native_multi_head_attention on random weights; mask is a numpy array (or None)."""
    q = rand(B, S, D, dtype=dtype)
    k, v = (q, q) if same else (rand(B, S, D, dtype=dtype), rand(B, S, D, dtype=dtype))
    w, b = rand(3 * D, D, dtype=dtype), rand(3 * D, dtype=dtype)
    pw, pb = rand(D, D, dtype=dtype), rand(D, dtype=dtype)
    if nc:
        q, w = noncontig(q), noncontig(w)
    if dims is not None:       # (embed_dim, num_heads) passed as they are (error cases)
        D, H = dims
    qt = T(q)
    kt, vt = (qt, qt) if same else (T(k), T(v))
    return L._native_multi_head_attention(qt, kt, vt, D, H, T(w), T(b), T(pw), T(pb),
                                          None if mask is None else T(mask), **(kw or {}))


def _pad_mask(B, S, dtype=np.bool_):
    m = np.zeros((B, S), dtype=np.bool_)
    for i in range(B):
        m[i, S - 1 - (i % S):] = True if i % S else False
    return m if dtype == np.bool_ else np.where(m, -np.inf, 0.0).astype(dtype)


def _tel(L, T, B=2, S=3, D=4, H=2, F=6, gelu=False, norm_first=False, mask=None, mask_type=None,
         dtype=np.float32, eps=1e-5):
    r = lambda *s: T(rand(*s, dtype=dtype))
    return L._transformer_encoder_layer_fwd(
        r(B, S, D), D, H, r(3 * D, D), r(3 * D), r(D, D), r(D), gelu, norm_first, eps,
        r(D), r(D), r(D), r(D), r(F, D), r(F), r(D, F), r(D),
        None if mask is None else T(mask), mask_type)


def _left_aligned(L, T, mask, shape=None, mdtype=None):
    m = np.asarray(mask)
    t = T(rand(*(shape or (m.shape[0], m.shape[1] if m.ndim > 1 else 1, 2))))
    mt = T(m if mdtype is None else m.astype(mdtype))
    return L._nested_tensor_from_mask_left_aligned(t, mt)


CASES.update({
    "PRIM_REQUIRES_GRAD": [lambda L, T: _rg(L, T, False), lambda L, T: _rg(L, T, True),
                           lambda L, T: _rg(L, T, True, "mul"), lambda L, T: _rg(L, T, True, "detach")],
    "PRIM_IS_NESTED": [lambda L, T: _ops_row(L, "PRIM_IS_NESTED", "prim", "is_nested", T(rand(2, 3))),
                       lambda L, T: _ops_row(L, "PRIM_IS_NESTED", "prim", "is_nested", T(rand()))],
    "IS_AUTOCAST_ENABLED": [lambda L, T: _ops_row(L, "IS_AUTOCAST_ENABLED", "aten", "is_autocast_enabled")],
    "ANY_INT_LIST": [lambda L, T, xs=xs: _ops_row(L, "ANY_INT_LIST", "aten", "any.int", xs)
                     for xs in ([0, 2], [0, 0], [], [-1])],
    "_NESTED_TENSOR_FROM_MASK_LEFT_ALIGNED": [
        lambda L, T: _left_aligned(L, T, [[True, True, False], [True, False, False]]),
        lambda L, T: _left_aligned(L, T, [[True, False, True], [True, False, False]]),
        lambda L, T: _left_aligned(L, T, [[False, False], [True, True]]),
        lambda L, T: _left_aligned(L, T, np.ones((2, 3), np.bool_)[:, ::1]),
        lambda L, T: _left_aligned(L, T, noncontig(np.array([[True, False], [True, True]]))),
        lambda L, T: _left_aligned(L, T, np.zeros((0, 3), np.bool_)),
        lambda L, T: _left_aligned(L, T, [[True, True]], mdtype=np.float32),             # not bool
        lambda L, T: _left_aligned(L, T, [True, True], shape=(1, 2, 2)),                  # 1-D mask
        lambda L, T: _left_aligned(L, T, [[True, True]], shape=(1, 2)),                   # 2-D input
        lambda L, T: _left_aligned(L, T, [[True, True]], shape=(1, 3, 2)),                # size mismatch
    ],
    "_NATIVE_MULTI_HEAD_ATTENTION": [
        lambda L, T: _mha(L, T),
        lambda L, T: _mha(L, T, kw={"need_weights": False}),
        lambda L, T: _mha(L, T, kw={"average_attn_weights": False}),
        lambda L, T: _mha(L, T, same=False, dtype=F64),
        lambda L, T: _mha(L, T, nc=True),
        lambda L, T: _mha(L, T, B=3, S=4, D=8, H=2, mask=_pad_mask(3, 4), kw={"mask_type": 1}, dtype=F64),
        lambda L, T: _mha(L, T, B=3, S=4, D=8, H=4, mask=_pad_mask(3, 4, F64), kw={"mask_type": 1}, dtype=F64),
        lambda L, T: _mha(L, T, S=4, mask=np.triu(np.ones((4, 4), np.bool_), 1), kw={"mask_type": 0}),
        # a float mask is read as bool: any nonzero value masks the position out
        lambda L, T: _mha(L, T, S=4, mask=np.triu(np.full((4, 4), 0.5, np.float32), 1), kw={"mask_type": 0}),
        lambda L, T: _mha(L, T, B=2, S=3, H=2, mask=rand(2, 2, 3, 3, dtype=np.bool_), kw={"mask_type": 2}),
        # rows masked out entirely are NaN
        lambda L, T: _mha(L, T, B=2, S=3, mask=np.array([[True] * 3, [False, True, True]]), kw={"mask_type": 1}),
        lambda L, T: _mha(L, T, B=2, S=0),
        lambda L, T: _mha(L, T, dims=(5, 2)),                                                # embed_dim mismatch
        lambda L, T: _mha(L, T, D=6, H=4, dims=(6, 4)),                                      # heads do not divide
        lambda L, T: _mha(L, T, mask=np.ones((2, 2, 3, 3), np.bool_)[:, :1], kw={"mask_type": 2}),  # bad shape
        lambda L, T: _mha(L, T, mask=np.ones((3, 3), np.bool_), kw={"mask_type": 1}),       # (B, L) mismatch
    ],
    "_TRANSFORMER_ENCODER_LAYER_FWD": [
        lambda L, T: _tel(L, T),
        lambda L, T: _tel(L, T, gelu=True),
        lambda L, T: _tel(L, T, norm_first=True),
        lambda L, T: _tel(L, T, gelu=True, norm_first=True, dtype=F64, eps=1e-6),
        lambda L, T: _tel(L, T, B=3, S=4, D=8, H=2, mask=_pad_mask(3, 4), mask_type=1, dtype=F64),
        lambda L, T: _tel(L, T, B=2, S=4, D=8, H=2, mask=np.triu(np.ones((4, 4), np.bool_), 1), mask_type=0),
        lambda L, T: _tel(L, T, B=2, S=3, D=4, H=2, mask=rand(2, 2, 3, 3, dtype=np.bool_), mask_type=2,
                          norm_first=True),
        lambda L, T: _tel(L, T, B=0),
        lambda L, T: _tel(L, T, D=6, H=4),                                                   # heads do not divide
    ],
    "BADDBMM": [
        lambda L, T: L.baddbmm(T(rand(2, 3, 5)), T(rand(2, 3, 4)), T(rand(2, 4, 5))),
        lambda L, T: L.baddbmm(T(rand(5)), T(rand(2, 3, 4)), T(rand(2, 4, 5)), beta=0.5, alpha=2),
        lambda L, T: L.baddbmm(T(rand(3, 1)), T(noncontig(rand(2, 3, 4))), T(rand(2, 4, 5)), alpha=-1.5),
        lambda L, T: T(rand(2, 3, 5, dtype=F64)).baddbmm(T(rand(2, 3, 4, dtype=F64)), T(rand(2, 4, 5, dtype=F64))),
        lambda L, T: L.baddbmm(T(np.full((2, 3, 5), np.nan, np.float32)), T(rand(2, 3, 4)), T(rand(2, 4, 5)), beta=0),
        lambda L, T: L.baddbmm(T(rand(2, 3, 5, dtype=I32)), T(rand(2, 3, 4, dtype=I32)), T(rand(2, 4, 5, dtype=I32)),
                               beta=2, alpha=3),
        lambda L, T: L.baddbmm(T(rand(0, 3, 5)), T(rand(0, 3, 4)), T(rand(0, 4, 5))),
        lambda L, T: L.baddbmm(T(rand(2, 3, 5)), T(rand(2, 3, 0)), T(rand(2, 0, 5))),
        lambda L, T: L.baddbmm(T(rand(2, 3, 5, dtype=F64)), T(rand(2, 3, 4)), T(rand(2, 4, 5))),   # dtypes differ
        lambda L, T: L.baddbmm(T(rand(2, 3, 5)), T(rand(2, 3, 4)), T(rand(3, 4, 5))),              # batches differ
        lambda L, T: L.baddbmm(T(rand(2, 3, 5)), T(rand(2, 3, 4)), T(rand(2, 3, 5))),              # inner sizes
        lambda L, T: L.baddbmm(T(rand(4, 3, 5)), T(rand(2, 3, 4)), T(rand(2, 4, 5))),              # self not expandable
    ],
})


# no nested tensors in pyts: a valid call raises NotImplementedError (tests/test_compat_torch.py),
# bad inputs raise torch's errors; to_padded_tensor of a dense tensor has no kernel in torch either
CASES["_NESTED_TENSOR_FROM_MASK"] = [
    lambda L, T: L._nested_tensor_from_mask(T(rand(2, 3, 4)), T(np.ones((2, 3), np.float32)), False),
    lambda L, T: L._nested_tensor_from_mask(T(rand(2, 3)), T(np.ones((2, 3), np.bool_))),
    lambda L, T: L._nested_tensor_from_mask(T(rand(2, 3, 4)), T(np.ones((2, 4), np.bool_))),
]
CASES["TO_PADDED_TENSOR"] = [
    lambda L, T: _ops_row(L, "TO_PADDED_TENSOR", "aten", "to_padded_tensor", T(rand(2, 3)), 0.0),
]
