"""Differential cases for the dict rows keyed by float, bool, complex and Tensor
(csrc/ops/ops_dictkeys.def). torch.ops cannot take a Python dict for these schemas, so the torch
side runs Python's own dict operation (torch's behaviour, checked against torch.jit.script in
tests/test_script_gaps8.py); Tensor keys are the library's tensors, hashed by identity."""
import copy

import numpy as np

import pyts


def row(L, row_id, *args, py):
    return pyts._C._call_op(row_id, *args) if L is pyts else py(*args)


def _pc(row_id, py, *arg_tuples):
    return [lambda L, T, a=a: row(L, row_id, *(copy.deepcopy(a) if L is not pyts else a), py=py) for a in arg_tuples]


def _tc(row_id, py, make, post=None):
    """a case on Tensor keys: make(T) builds the arguments from the library's tensors; post (both
    sides) turns a dict result into its items, as its keys are other objects in each library"""
    if post is None:
        return [lambda L, T: row(L, row_id, *make(T), py=py)]
    return [lambda L, T: post(row(L, row_id, *make(T), py=py))]


def _popitem_first(d):
    if not d:
        raise RuntimeError("popitem(): dictionary is empty")
    k = next(iter(d))
    return k, d.pop(k)


def _set(d, k, v):
    d[k] = v


def _update(d, e):
    d.update(e)


def _delete_key(d, k):
    if k not in d:
        raise RuntimeError(f"KeyError: {k}")
    del d[k]


def _clear(d):
    d.clear()


def _getitem(d, k):
    if k not in d:
        raise RuntimeError(f"KeyError: {k}")
    return d[k]


def _pop(d, k):
    if k not in d:
        raise RuntimeError(f"KeyError: {k}")
    return d.pop(k)


# per key type: two distinct keys and a third one absent
KEYS = {"FLOAT": (1.5, -0.5, 7.0), "BOOL": (True, False, None), "COMPLEX": (1j, 2 + 0.5j, 3.0 + 0j)}
CASES = {}
for sfx, (k1, k2, k3) in KEYS.items():
    absent = k3 if k3 is not None else k2
    one = {k1: 1}
    two = {k1: 1, k2: 2}
    ops = {
        "LEN_DICT": (len, [(two,), ({},)]),
        "GETITEM_DICT": (_getitem, [(two, k2), (one, absent)]),
        "SET_ITEM": (_set, [(one, k2, 5), (one, k1, 6)]),
        "CONTAINS": (lambda d, k: k in d, [(two, k1), (one, absent)]),
        "KEYS": (lambda d: list(d), [(two,), ({},)]),
        "VALUES": (lambda d: list(d.values()), [(two,)]),
        "ITEMS": (lambda d: list(d.items()), [(two,), ({},)]),
        "GET": (lambda d, k: d.get(k), [(two, k1), (one, absent)]),
        "GET_DEFAULT": (lambda d, k, v: d.get(k, v), [(two, k2, 9), (one, absent, 9)]),
        "SETDEFAULT": (lambda d, k, v: d.setdefault(k, v), [(one, k1, 9), (one, absent, 9)]),
        "POP_DICT": (_pop, [(two, k1), (one, absent)]),
        "POP_DICT_DEFAULT": (lambda d, k, v: d.pop(k, v), [(two, k2, 0), (one, absent, 0)]),
        "POPITEM": (_popitem_first, [(two,), ({},)]),
        "UPDATE": (_update, [(one, {k2: 3, k1: 4})]),
        "DELETE_DICT": (_delete_key, [(two, k1), (one, absent)]),
        "CLEAR_DICT": (_clear, [(two,)]),
        "COPY_DICT": (lambda d: dict(d), [(two,), ({},)]),
        "DICT_DICT": (lambda d: dict(d), [(two,)]),
    }
    for base, (py, args) in ops.items():
        rid = f"{base}_{sfx}"
        if rid == "CONTAINS_FLOAT":
            rid = "CONTAINS_DICT_FLOAT"   # CONTAINS_FLOAT_LIST's neighbour: the dict row
        CASES[rid] = _pc(rid, py, *args)

# Tensor keys: by identity (an equal tensor that is another object is another key)
_A = np.array([1.0, 2.0], dtype=np.float32)


def _keys(T):
    a, b = T(_A), T(_A.copy())
    return a, b, {a: 1, b: 2}


CASES.update({
    "LEN_DICT_TENSOR": _tc("LEN_DICT_TENSOR", len, lambda T: (_keys(T)[2],)),
    "GETITEM_DICT_TENSOR": _tc("GETITEM_DICT_TENSOR", _getitem, lambda T: (_keys(T)[2], _keys(T)[0]))
    + _tc("GETITEM_DICT_TENSOR", lambda d, k: d[k], lambda T: (lambda a, b, d: (d, b))(*_keys(T))),
    "SET_ITEM_TENSOR": _tc("SET_ITEM_TENSOR", _set, lambda T: (lambda a, b, d: (d, a, 5))(*_keys(T))),
    "CONTAINS_TENSOR": _tc("CONTAINS_TENSOR", lambda d, k: k in d, lambda T: (lambda a, b, d: (d, a))(*_keys(T)))
    + _tc("CONTAINS_TENSOR", lambda d, k: k in d, lambda T: (lambda a, b, d: (d, T(_A)))(*_keys(T))),
    "KEYS_TENSOR": _tc("KEYS_TENSOR", lambda d: list(d), lambda T: (_keys(T)[2],)),
    "VALUES_TENSOR": _tc("VALUES_TENSOR", lambda d: list(d.values()), lambda T: (_keys(T)[2],)),
    "ITEMS_TENSOR": _tc("ITEMS_TENSOR", lambda d: list(d.items()), lambda T: (_keys(T)[2],)),
    "GET_TENSOR": _tc("GET_TENSOR", lambda d, k: d.get(k), lambda T: (lambda a, b, d: (d, b))(*_keys(T))),
    "GET_DEFAULT_TENSOR": _tc("GET_DEFAULT_TENSOR", lambda d, k, v: d.get(k, v), lambda T: (_keys(T)[2], T(_A), 9)),
    "SETDEFAULT_TENSOR": _tc("SETDEFAULT_TENSOR", lambda d, k, v: d.setdefault(k, v),
                             lambda T: (lambda a, b, d: (d, a, 9))(*_keys(T))),
    "POP_DICT_TENSOR": _tc("POP_DICT_TENSOR", lambda d, k: d.pop(k), lambda T: (lambda a, b, d: (d, a))(*_keys(T))),
    "POP_DICT_DEFAULT_TENSOR": _tc("POP_DICT_DEFAULT_TENSOR", lambda d, k, v: d.pop(k, v),
                                   lambda T: (_keys(T)[2], T(_A), 0)),
    "POPITEM_TENSOR": _tc("POPITEM_TENSOR", _popitem_first, lambda T: (_keys(T)[2],)),
    "UPDATE_TENSOR": _tc("UPDATE_TENSOR", _update, lambda T: (lambda a, b, d: (d, {a: 7, T(_A): 8}))(*_keys(T))),
    "DELETE_DICT_TENSOR": _tc("DELETE_DICT_TENSOR", _delete_key, lambda T: (lambda a, b, d: (d, b))(*_keys(T))),
    "CLEAR_DICT_TENSOR": _tc("CLEAR_DICT_TENSOR", _clear, lambda T: (_keys(T)[2],)),
    "COPY_DICT_TENSOR": _tc("COPY_DICT_TENSOR", dict, lambda T: (_keys(T)[2],), lambda d: list(d.items())),
    "DICT_DICT_TENSOR": _tc("DICT_DICT_TENSOR", dict, lambda T: (_keys(T)[2],), lambda d: list(d.items())),
})
