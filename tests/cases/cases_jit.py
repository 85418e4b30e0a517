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
}
