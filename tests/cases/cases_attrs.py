"""Differential cases for ops_attrs.def: tensor attributes scripted code reads (torch's aten::
and prim:: ops, called through torch.ops), over dtypes, shapes and a non-leaf tensor."""
import numpy as np
from oracle import noncontig, rand

import pyts

_SCHEMAS = {r[0]: r[1] for r in pyts._C._ops()}
DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_,
          np.complex64, np.complex128]


def row(L, row_id, *args):
    if L is pyts:
        return pyts._C._call_op(row_id, *args)
    name = _SCHEMAS[row_id].split("(")[0]
    ns, _, name = name.rpartition("::")
    return getattr(getattr(L.ops, ns or "aten"), name).default(*args)


def _inputs():
    return ([lambda T, d=d: T(rand(2, 3, dtype=d)) for d in DTYPES] +
            [lambda T: T(rand(0, 4)), lambda T: T(np.array(1.5, np.float64)), lambda T: T(noncontig(rand(3, 4)))])


def _cases(row_id):
    return [lambda L, T, mk=mk: row(L, row_id, mk(T)) for mk in _inputs()]


def _non_leaf(L, T, row_id):
    x = T(rand(3)).requires_grad_(True)
    return row(L, row_id, x * 2), row(L, row_id, x), row(L, row_id, (x * 2).detach())


CASES = {rid: _cases(rid) for rid in ("ELEMENT_SIZE", "PRIM_NBYTES", "PRIM_ITEMSIZE", "IS_LEAF", "PRIM_LAYOUT",
                                     "GET_DEVICE", "IS_SIGNED", "PRIM_IS_SPARSE", "PRIM_IS_QUANTIZED", "PRIM_IS_META",
                                     "PRIM_IS_MKLDNN")}
CASES["IS_LEAF"].append(lambda L, T: _non_leaf(L, T, "IS_LEAF"))


# unique along a dim: ATen returns the inverse and the counts whatever the flags ask; dim=0 of a
# 1-d tensor is no dim for unique_consecutive (the flags hold), and a 0-d tensor has no dim to take
def _unique_dim(L, T, a, d, flags):
    x = T(a)
    if L is pyts:
        return pyts._C._call_row("unique_dim", x, d, True, *flags)
    return L.ops.aten.unique_dim(x, d, True, *flags)


_M = np.array([[1, 2], [1, 2], [0, 5]], np.int64)
CASES["UNIQUE_DIM"] = [lambda L, T, a=a, d=d, f=f: _unique_dim(L, T, a, d, f)
                       for a, d in ((_M, 0), (_M, 1), (_M, -1), (np.array([3, 1, 3], np.int64), 0),
                                    (np.array(5, np.int64), 0), (np.array(5, np.int64), -1))
                       for f in ((False, False), (True, False), (False, True))]
CASES["UNIQUE_CONSECUTIVE"] = [lambda L, T, a=a, d=d, f=f: row(L, "UNIQUE_CONSECUTIVE", T(a), *f, d)
                               for a, d in ((_M, 0), (_M, 1), (np.array([3, 3, 1, 3], np.int64), 0),
                                            (np.array([3, 3, 1, 3], np.int64), -1), (np.array(5, np.int64), 0),
                                            (np.array(5, np.int64), None))
                               for f in ((False, False), (True, False), (False, True))]


def _tensordot_out(L, T, a, b, da, db, out):
    o = L.zeros(out.shape, dtype=T(out).dtype)   # a resizable tensor (not numpy's memory)
    r = pyts._C._call_row("tensordot.out", T(a), T(b), da, db, out=o) if L is pyts else \
        L.ops.aten.tensordot.out(T(a), T(b), da, db, out=o)
    return r, o


_A, _B = rand(2, 3, 4), rand(4, 3, 5)
CASES["TENSORDOT_OUT"] = [lambda L, T: _tensordot_out(L, T, _A, _B, [1, 2], [1, 0], np.zeros((2, 5), np.float32)),
                          lambda L, T: _tensordot_out(L, T, _A, _B, [2], [0], np.zeros((0,), np.float32)),
                          lambda L, T: _tensordot_out(L, T, _A, _B, [2], [1], np.zeros((0,), np.float32)),
                          lambda L, T: _tensordot_out(L, T, _A, _B, [1, 2], [1, 0], np.zeros((2, 5), np.int64))]
