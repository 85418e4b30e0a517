"""Differential cases for the list sorting rows of ops_sort.def that ops_builtin's cases do not
cover: the torch side is Python's sort (torch's order for these values; ties of tensors are
compared against torch.jit.script in tests/test_script_gaps8.py)."""
import numpy as np

import pyts


def row(L, row_id, *args, py):
    return pyts._C._call_op(row_id, *args) if L is pyts else py(*args)


def _sort(xs, reverse=False):
    xs.sort(reverse=reverse)


CASES = {
    "SORTED_BOOL": [lambda L, T: row(L, "SORTED_BOOL", [True, False, True], py=sorted)],
    "SORTED_ANY": [lambda L, T: row(L, "SORTED_ANY", [(1, "b"), (0, "c"), (1, "a")], py=sorted),
                   lambda L, T: row(L, "SORTED_ANY", [], py=sorted)],
    "SORTED_TENSOR": [lambda L, T: [x.item() for x in row(L, "SORTED_TENSOR", [T(np.array([3.0])), T(np.array([1.0]))],
                                                          py=lambda xs: sorted(xs, key=lambda t: t.item()))]],
    "SORT_ANY": [lambda L, T: row(L, "SORT_ANY", [(1, "b"), (0, "c")], True, py=_sort)],
    "SORT_TENSOR_LIST": [lambda L, T: row(L, "SORT_TENSOR_LIST", [T(np.array([3.0])), T(np.array([1.0]))], True, py=_sort)],
}
