"""Differential cases for csrc/ops/ops_jit.def (hidden TorchScript builtins archive code uses):
rows run through ``pyts._C._call_op``; on the torch side the same overload of torch.ops.aten /
torch.ops.prim. dtypes compare as their ScalarType numbers, devices as their type string."""
import numpy as np
from oracle import noncontig, rand

import pyts

DTYPES = ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int8", "uint8", "bool")


def _row(L, row_id, ns, name, *args):
    if L is pyts:
        return pyts._C._call_op(row_id, *args)
    op = getattr(getattr(L.ops, ns), name.split(".")[0])
    return getattr(op, name.split(".")[1] if "." in name else "default")(*args)


def _dev(L, row_id, ns, name, *args):
    r = _row(L, row_id, ns, name, *args)
    return str(r) if L is pyts else r.type + (f":{r.index}" if r.index is not None else "")


def _dtype_num(L, T, dt):
    x = T(rand(2, 3, dtype=dt))
    r = _row(L, "PRIM_DTYPE", "prim", "dtype", x)
    return r if L is pyts else int(r)


def _tensor(L, row_id, data, dtype=None, requires_grad=False):
    """aten::tensor rows; torch.ops cannot call the generic `t[]` overload from Python, so the
    torch side is torch.tensor, which shares its rules for shapes and dtypes. The scalar rows
    (not generic) bind through the Python binding, positional only: dtype and requires_grad are
    exercised on the list row, whose kernel they share."""
    if L is pyts:
        if row_id != "TENSOR_LIST":
            return pyts._C._call_op(row_id, data)
        dt = None if dtype is None else getattr(pyts, dtype)._id
        return pyts._C._call_op(row_id, data, dt, None, requires_grad)
    return L.tensor(data, dtype=None if dtype is None else getattr(L, dtype), requires_grad=requires_grad)


CASES = {
    "SIZE": [
        lambda L, T: _row(L, "SIZE", "aten", "size", T(rand(2, 3, 4))),
        lambda L, T: _row(L, "SIZE", "aten", "size", T(rand())),                  # 0-dim: []
        lambda L, T: _row(L, "SIZE", "aten", "size", T(np.zeros((0, 5), np.float32))),
        lambda L, T: _row(L, "SIZE", "aten", "size", T(noncontig(rand(4, 6)))),
        lambda L, T: _row(L, "SIZE", "aten", "size", T(rand(2, 3, dtype="int64")).t()),
    ],
    "PRIM_DTYPE": [lambda L, T, d=d: _dtype_num(L, T, d) for d in DTYPES],
    "PRIM_DEVICE": [
        lambda L, T: str(_row(L, "PRIM_DEVICE", "prim", "device", T(rand(2)))),
        lambda L, T: str(_row(L, "PRIM_DEVICE", "prim", "device", T(rand()))),
    ],
    "PRIM_TYPE": [
        lambda L, T: _row(L, "PRIM_TYPE", "prim", "type",
                          _row(L, "PRIM_DEVICE", "prim", "device", T(rand(2)))),
    ],
    "DEVICE_STR": [
        lambda L, T: _dev(L, "DEVICE_STR", "aten", "device", "cpu"),
        lambda L, T: _row(L, "DEVICE_STR", "aten", "device", "nonsense:1"),       # RuntimeError both
        lambda L, T: _row(L, "DEVICE_STR", "aten", "device", ""),
    ],
    "IS_FLOATING_POINT": [
        lambda L, T, d=d: _row(L, "IS_FLOATING_POINT", "aten", "is_floating_point", T(rand(3, dtype=d))) for d in DTYPES
    ] + [lambda L, T: _row(L, "IS_FLOATING_POINT", "aten", "is_floating_point", T(np.zeros((0,), np.float64)))],
    "EQ_INT_LIST": [
        lambda L, T: _row(L, "EQ_INT_LIST", "aten", "eq.int_list", [1, 2, 3], [1, 2, 3]),
        lambda L, T: _row(L, "EQ_INT_LIST", "aten", "eq.int_list", [1, 2, 3], [1, 2]),
        lambda L, T: _row(L, "EQ_INT_LIST", "aten", "eq.int_list", [], []),
        lambda L, T: _row(L, "EQ_INT_LIST", "aten", "eq.int_list", [1, -2], [1, 2]),
    ],
    "NE_INT_LIST": [
        lambda L, T: _row(L, "NE_INT_LIST", "aten", "ne.int_list", [1, 2, 3], [1, 2, 3]),
        lambda L, T: _row(L, "NE_INT_LIST", "aten", "ne.int_list", [4], [4, 4]),
        lambda L, T: _row(L, "NE_INT_LIST", "aten", "ne.int_list", [], [0]),
    ],
    "EQ_DEVICE": [
        lambda L, T: _row(L, "EQ_DEVICE", "aten", "eq.device", L.device("cpu"), L.device("cpu")),
        lambda L, T: _row(L, "EQ_DEVICE", "aten", "eq.device", L.ones(1).device, L.device("cpu")),
        lambda L, T: _row(L, "EQ_DEVICE", "aten", "eq.device", L.device("cpu"), "cpu"),
    ],
    "NE_DEVICE": [
        lambda L, T: _row(L, "NE_DEVICE", "aten", "ne.device", L.device("cpu"), L.device("cpu")),
        lambda L, T: _row(L, "NE_DEVICE", "aten", "ne.device", "cpu", L.zeros(2).device),
    ],
    "TENSOR_BOOL": [lambda L, T: _tensor(L, "TENSOR_BOOL", True)],
    "TENSOR_FLOAT": [lambda L, T: _tensor(L, "TENSOR_FLOAT", 2.5), lambda L, T: _tensor(L, "TENSOR_FLOAT", -1e300)],
    "TENSOR_INT": [lambda L, T: _tensor(L, "TENSOR_INT", 3), lambda L, T: _tensor(L, "TENSOR_INT", 2 ** 40)],
    "TENSOR_LIST": [
        lambda L, T: _tensor(L, "TENSOR_LIST", [[1.0, 2.0], [3.0, 4.0]]),
        lambda L, T: _tensor(L, "TENSOR_LIST", [1, 2, 3]),
        lambda L, T: _tensor(L, "TENSOR_LIST", [True, False]),
        lambda L, T: _tensor(L, "TENSOR_LIST", [[1, 2]], "float64"),
        lambda L, T: _tensor(L, "TENSOR_LIST", [2.7, -1.5], "int32"),
        lambda L, T: _tensor(L, "TENSOR_LIST", [False, True], "float16"),
        lambda L, T: _tensor(L, "TENSOR_LIST", [[[0.5]], [[1.5]]], "bfloat16"),
        lambda L, T: _tensor(L, "TENSOR_LIST", [[], []]).shape,
        lambda L, T: _tensor(L, "TENSOR_LIST", [1.5, 2.5], requires_grad=True).requires_grad,
        lambda L, T: _tensor(L, "TENSOR_LIST", [[1.0, 2.0], 3.0]),          # TypeError
        lambda L, T: _tensor(L, "TENSOR_LIST", [[1.0], [[2.0]]]),
    ],
}
