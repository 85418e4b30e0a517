"""Differential cases for ops_act.def rows (see tests/oracle.py): torch.nn.functional's
leaky_relu, elu, softplus, hardtanh, relu6 (torch._C._nn in torch) and their *_backward rows."""
import numpy as np

from case_builders import E, inplace, nn, special, u_fn, u_out, zeros  # noqa: F401
from oracle import noncontig, rand
f32, f64, f16, i64, i32, i16, i8, u8, b8 = (np.float32, np.float64, np.float16, np.int64, np.int32,
                                            np.int16, np.int8, np.uint8, np.bool_)
NAN, INF = float("nan"), float("inf")


def aten(L, key, *args):
    """Registry row `key` in pyts, the same aten overload in torch."""
    if L.__name__ == "torch":
        name, _, overload = key.partition(".")
        return getattr(getattr(L.ops.aten, name), overload or "default")(*args)
    return L._C._call_row(key, *args)


def ip_cases(name, *args, **kw):
    """In-place function cases: contiguous, non-contiguous, 0-dim float64, float16, int (error
    for the float-only ops, clamped for hardtanh)."""
    return [
        lambda L, T: inplace(T(rand(3, 4, low=-3, high=3)), lambda x: getattr(nn(L), name)(x, *args, **kw)),
        lambda L, T: inplace(T(noncontig(rand(3, 4, low=-3, high=3))), lambda x: getattr(nn(L), name)(x, *args, **kw)),
        lambda L, T: inplace(T(rand(low=-3, high=3, dtype=f64)), lambda x: getattr(nn(L), name)(x, *args, **kw)),
        lambda L, T: inplace(T(rand(3, low=-3, high=3, dtype=f16)), lambda x: getattr(nn(L), name)(x, *args, **kw)),
        lambda L, T: inplace(T(rand(3, low=-3, high=3, dtype=i64)), lambda x: getattr(nn(L), name)(x, *args, **kw)),
    ]


def bw_cases(key, make_args):
    """*_backward row cases: make_args(T, g, x) -> the row's arguments."""
    return [
        lambda L, T: aten(L, key, *make_args(T, T(rand(3, 4)), T(rand(3, 4, low=-3, high=3)))),
        lambda L, T: aten(L, key, *make_args(T, T(noncontig(rand(3, 4))), T(rand(3, 4, low=-3, high=3)))),
        lambda L, T: aten(L, key, *make_args(T, T(rand(2, 3, dtype=f64)), T(rand(2, 3, low=-3, high=3, dtype=f64)))),
        lambda L, T: aten(L, key, *make_args(T, T(rand(4, dtype=f16)), T(rand(4, low=-3, high=3, dtype=f16)))),
        lambda L, T: aten(L, key, *make_args(T, T(rand(0, 3)), T(rand(0, 3)))),
        lambda L, T: aten(L, key, *make_args(T, T(rand()), T(rand(low=-3, high=3)))),
        lambda L, T: aten(L, key, *make_args(T, T(rand(3, 4)), T(rand(4, low=-3, high=3)))),   # broadcast
    ]


CASES = {}

# ---- leaky_relu ----
CASES["LEAKY_RELU"] = u_fn(lambda L: nn(L).leaky_relu, lo=-3, hi=3) + [
    lambda L, T: nn(L).leaky_relu(T(rand(3, 4, low=-3, high=3)), 0.2),
    lambda L, T: nn(L).leaky_relu(T(rand(3, 4, low=-3, high=3)), negative_slope=-1.5),
    lambda L, T: nn(L).leaky_relu(T(rand(3, 4, low=-3, high=3, dtype=f64)), 2),
    lambda L, T: nn(L).leaky_relu(T(special()), 0.1),
]
CASES["LEAKY_RELU_"] = ip_cases("leaky_relu_") + ip_cases("leaky_relu_", 0.3)[:1]
CASES["LEAKY_RELU_OUT"] = u_out(lambda L: nn(L).leaky_relu) + [
    lambda L, T: (lambda o: (nn(L).leaky_relu(T(rand(3, low=-3, high=3)), 0.5, out=o) is o, o))(T(zeros(3))),
]
CASES["LEAKY_RELU_BACKWARD"] = bw_cases("leaky_relu_backward", lambda T, g, x: (g, x, 0.1, False)) + [
    lambda L, T: aten(L, "leaky_relu_backward", T(rand(3)), T(rand(3, low=-3, high=3)), 0.2, True),
    lambda L, T: aten(L, "leaky_relu_backward", T(rand(3)), T(rand(3, low=-3, high=3)), -0.2, True),   # error
    lambda L, T: aten(L, "leaky_relu_backward", T(rand(3, dtype=i64)), T(rand(3, dtype=i64)), 0.2, False),
]

# ---- elu ----
CASES["ELU"] = u_fn(lambda L: nn(L).elu, lo=-3, hi=3) + [
    lambda L, T: nn(L).elu(T(rand(3, 4, low=-3, high=3)), 0.5),
    lambda L, T: nn(L).elu(T(rand(3, 4, low=-3, high=3)), alpha=1.6732632423543772, scale=1.0507009873554805),
    lambda L, T: nn(L).elu(T(rand(3, 4, low=-3, high=3, dtype=f64)), 2.0, 1.5, 0.5),
    lambda L, T: nn(L).elu(T(rand(3, 4, low=-3, high=3)), input_scale=2),
]
CASES["ELU_"] = ip_cases("elu_") + ip_cases("elu_", 0.7, 1.2, 0.5)[:1]
CASES["ELU_OUT"] = u_out(lambda L: nn(L).elu) + [
    lambda L, T: (lambda o: (nn(L).elu(T(rand(3, low=-3, high=3)), 0.5, 2.0, 1.5, out=o) is o, o))(T(zeros(3))),
]
CASES["ELU_BACKWARD"] = bw_cases("elu_backward", lambda T, g, x: (g, 1.0, 1.0, 1.0, False, x)) + \
    bw_cases("elu_backward", lambda T, g, x: (g, 0.5, 1.5, 2.0, False, x))[:3] + \
    bw_cases("elu_backward", lambda T, g, x: (g, 0.5, 1.5, 2.0, True, x))[:3] + [
    lambda L, T: aten(L, "elu_backward", T(rand(3)), -0.5, 1.0, 1.0, True, T(rand(3))),   # error
]

# ---- softplus ----
CASES["SOFTPLUS"] = u_fn(lambda L: nn(L).softplus, lo=-5, hi=5) + [
    lambda L, T: nn(L).softplus(T(rand(3, 4, low=-5, high=5)), 2),
    lambda L, T: nn(L).softplus(T(rand(3, 4, low=-5, high=5)), beta=0.5, threshold=1),
    lambda L, T: nn(L).softplus(T(rand(3, 4, low=-50, high=50, dtype=f64)), 1, 20),
    lambda L, T: nn(L).softplus(T(np.array([100.0, -100.0, 19.9, 20.1], f32))),
]
CASES["SOFTPLUS_OUT"] = u_out(lambda L: nn(L).softplus) + [
    lambda L, T: (lambda o: (nn(L).softplus(T(rand(3, low=-3, high=3)), 2, 3, out=o) is o, o))(T(zeros(3))),
]
CASES["SOFTPLUS_BACKWARD"] = bw_cases("softplus_backward", lambda T, g, x: (g, x, 1, 20)) + \
    bw_cases("softplus_backward", lambda T, g, x: (g, x, 2.0, 1.0))[:3]

# ---- hardtanh ----
CASES["HARDTANH"] = u_fn(lambda L: nn(L).hardtanh, lo=-3, hi=3) + [
    lambda L, T: nn(L).hardtanh(T(rand(3, 4, low=-3, high=3)), -0.5, 2),
    lambda L, T: nn(L).hardtanh(T(rand(3, 4, low=-3, high=3)), min_val=0.0, max_val=6.0),
    lambda L, T: nn(L).hardtanh(T(rand(3, 4, low=-3, high=3, dtype=f64)), 1, -1),   # min > max
    lambda L, T: nn(L).hardtanh(T(rand(3, 4, low=-9, high=9, dtype=i64)), -2, 5),
    lambda L, T: nn(L).hardtanh(T(rand(3, 4, low=-9, high=9, dtype=i32)), max_val=3),
]
CASES["HARDTANH_"] = ip_cases("hardtanh_") + ip_cases("hardtanh_", 0.0, 6.0)[:1] + [
    lambda L, T: nn(L).hardtanh_(T(rand(3, dtype=b8))),
]
CASES["HARDTANH_OUT"] = u_out(lambda L: nn(L).hardtanh) + [
    lambda L, T: (lambda o: (nn(L).hardtanh(T(rand(3, low=-3, high=3)), -2, 2, out=o) is o, o))(T(zeros(3))),
]
CASES["HARDTANH_BACKWARD"] = bw_cases("hardtanh_backward", lambda T, g, x: (g, x, -1, 1)) + \
    bw_cases("hardtanh_backward", lambda T, g, x: (g, x, 0.0, 6.0))[:3]

# ---- relu6 ----
CASES["RELU6"] = u_fn(lambda L: nn(L).relu6, lo=-3, hi=9) + [
    lambda L, T: nn(L).relu6(T(rand(3, 4, low=-9, high=9, dtype=i64))),
]
CASES["RELU6_"] = ip_cases("relu6_")
