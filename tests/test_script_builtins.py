"""TorchScript's builtin ops on lists, dicts, strings, numbers and tensors (issue 5): list methods
and `del`, str comparisons and methods, ord/chr/hex/oct/bin, int()/float() of str, math.isfinite,
tensor item() and attributes. Each case is compiled by pyts.jit.script and torch.jit.script from
the same source and run on several inputs: same results and result types, or the same exception
class; pyts's `.code` must compile in torch (as archive code) and give the same results, and
equal torch's `.code` where both build the same graph."""
import copy
import math
import typing

import numpy as np
import pytest
import torch

import pyts
from test_print_code import torch_compile_code
from test_script import _same_value

# name: (source of def <name>, calls, printed code equal to torch's). Mutating methods return the
# list they changed, so the mutation itself is compared.
CASES = {
    "list_insert": ("def list_insert(a: List[int], i: int, v: int) -> List[int]:\n    a.insert(i, v)\n    return a\n",
                    [([1, 2, 3], 1, 9), ([1, 2], 99, 5), ([1, 2], -99, 5), ([1, 2], -1, 7), ([], 0, 1),
                     ([4, 5], 2, 6)], True),
    "list_insert_str": ("def list_insert_str(a: List[str]) -> List[str]:\n    a.insert(0, 'z')\n    return a\n",
                        [(["a"],), ([],)], True),
    "list_index": ("def list_index(a: List[int], v: int) -> int:\n    return a.index(v)\n",
                   [([1, 2, 3, 2], 2), ([1, 2], 99), ([], 0)], True),
    "list_index_types": ("def list_index_types(a: List[float], b: List[str], c: List[bool]) -> Tuple[int, int, int]:\n"
                         "    return a.index(2.5), b.index('y'), c.index(True)\n",
                         [([1.0, 2.5], ["x", "y"], [False, True]), ([2.5], ["z"], [True]), ([0.5], ["y"], [True])], True),
    "list_count": ("def list_count(a: List[int], b: List[float], c: List[str], d: List[bool]) -> Tuple[int, int, int, int]:\n"
                   "    return a.count(2), b.count(0.5), c.count('a'), d.count(False)\n",
                   [([1, 2, 2], [0.5, 1.0, 0.5], ["a", "b", "a", "a"], [True, False]), ([], [], [], [])], True),
    "list_remove": ("def list_remove(a: List[int], v: int) -> List[int]:\n    a.remove(v)\n    return a\n",
                    [([1, 2, 3, 2], 2), ([1], 1), ([1, 2], 99), ([], 0)], True),
    "list_remove_str": ("def list_remove_str(a: List[str], b: List[float], c: List[bool]) -> Tuple[List[str], List[float], List[bool]]:\n"
                        "    a.remove('b')\n    b.remove(1.5)\n    c.remove(True)\n    return a, b, c\n",
                        [(["a", "b", "b"], [1.5, 2.0], [False, True]), (["a"], [1.5], [True])], True),
    "list_sort": ("def list_sort(a: List[int], b: List[float], c: List[str], d: List[bool]) -> Tuple[List[int], List[float], List[str], List[bool]]:\n"
                  "    a.sort()\n    b.sort()\n    c.sort()\n    d.sort()\n    return a, b, c, d\n",
                  [([3, 1, 2, -5], [2.5, -1.0, 0.0], ["b", "a", "ab", "B", ""], [True, False, True]), ([], [], [], [])], True),
    "list_sort_reverse": ("def list_sort_reverse(a: List[int], c: List[str], r: bool) -> Tuple[List[int], List[str]]:\n"
                          "    a.sort(reverse=True)\n    c.sort(reverse=r)\n    return a, c\n",
                          [([3, 1, 2, 3], ["b", "a", "c"], True), ([1], ["x", "a"], False)], True),
    "list_reverse_clear": ("def list_reverse_clear(a: List[int], b: List[str]) -> Tuple[List[int], List[str], int]:\n"
                           "    a.reverse()\n    c = a.copy()\n    b.clear()\n    a.clear()\n    return c, b, len(a)\n",
                           [([1, 2, 3], ["x"]), ([], [])], True),
    "list_extend_copy": ("def list_extend_copy(a: List[int], b: List[int]) -> Tuple[List[int], List[int]]:\n"
                         "    c = a.copy()\n    c.append(0)\n    a.extend(b)\n    a.extend(a)\n    return a, c\n",
                         [([1], [2, 3]), ([], [])], True),
    "list_tensor_methods": ("def list_tensor_methods(x) -> Tuple[int, Tensor]:\n"
                            "    ts = [x, x + 1]\n    ts.insert(0, x * 2)\n    ts.reverse()\n    us = ts.copy()\n"
                            "    ts.clear()\n    return len(ts), us[0] + us[2]\n",
                            [(np.array([1.0, 2.0]),)], True),
    "del_list": ("def del_list(a: List[int], i: int) -> List[int]:\n    del a[i]\n    return a\n",
                 [([1, 2, 3], 0), ([1, 2, 3], -1), ([1, 2], 5), ([1, 2], -3), ([], 0)], True),
    "del_dict": ("def del_dict(d: Dict[str, int], k: str) -> Dict[str, int]:\n    del d[k]\n    return d\n",
                 [({"a": 1, "b": 2, "c": 3}, "b"), ({"a": 1}, "x"), ({}, "a")], True),
    "del_dict_int": ("def del_dict_int(d: Dict[int, str], k: int) -> Dict[int, str]:\n    del d[k]\n    d[7] = 'n'\n    return d\n",
                     [({1: "a", 2: "b"}, 1), ({1: "a"}, 3)], True),
    "dict_clear_copy": ("def dict_clear_copy(d: Dict[str, int]) -> Tuple[Dict[str, int], Dict[str, int]]:\n"
                        "    e = d.copy()\n    d.clear()\n    d['z'] = 1\n    e['y'] = 2\n    return d, e\n",
                        [({"a": 1, "b": 2},), ({},)], True),
}

NAMES = {"List": typing.List, "Dict": typing.Dict, "Tuple": typing.Tuple, "Optional": typing.Optional}


def _define(tmp_path, name, src, lib):
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    ns = {"torch": lib, "Tensor": lib.Tensor, "math": math, "__name__": f"builtins_{name}", **NAMES}
    exec(compile(src, str(path), "exec"), ns)
    return ns[name]


def _arg(lib, a):
    if isinstance(a, np.ndarray):
        return lib.tensor(a)
    if isinstance(a, list):
        return [_arg(lib, x) for x in a]
    if isinstance(a, tuple):
        return tuple(_arg(lib, x) for x in a)
    return copy.deepcopy(a)


def _as_pyts(v):
    if isinstance(v, torch.Tensor):
        return pyts.tensor(v.numpy())
    if isinstance(v, (list, tuple)):
        return type(v)(_as_pyts(x) for x in v)
    if isinstance(v, dict):
        return {k: _as_pyts(x) for k, x in v.items()}
    return v


def _outcome(f, lib, args):
    try:
        return "ok", f(*[_arg(lib, a) for a in args])
    except Exception as e:  # noqa: BLE001 (the class is compared)
        return "raise", type(e)


def _check(fp, ft, recompiled, name, calls):
    for args in calls:
        kind, want = _outcome(ft, torch, args)
        for f, lib in ((fp, pyts), (recompiled, torch)):
            k, got = _outcome(f, lib, args)
            assert k == kind, (name, args, got, want)
            if kind == "raise":
                # torch's failing builtins raise torch.jit.Error, a RuntimeError
                assert issubclass(got, want) or (issubclass(want, torch.jit.Error) and got is RuntimeError), (name, args, got, want)
            else:
                _same_value(got if lib is pyts else _as_pyts(got), want)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_as_torch(tmp_path, name):
    src, calls, same_code = CASES[name]
    fp = pyts.jit.script(_define(tmp_path, name, src, pyts))
    ft = torch.jit.script(_define(tmp_path, name, src, torch))
    recompiled = torch_compile_code(fp.code, name, ft)
    _check(fp, ft, recompiled, name, calls)
    if same_code:
        assert fp.code == ft.code
