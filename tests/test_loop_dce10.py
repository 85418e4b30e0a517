"""Loop-carried values that nothing reads (neither after the loop nor in its body) are dropped,
as torch's dead code elimination drops them: `.code` and values equal torch's."""
import importlib.util

import pytest
import torch

import pyts

SOURCES = {
    "unused_after": "def f(n: int) -> int:\n    a = 0\n    b = 1\n    for i in range(n):\n        a = i\n        b = b + 1\n    return b\n",
    "target_bound_before_unused": ("def f(xs: List[int]) -> int:\n    v = 5\n    s = 0\n    for v in xs:\n"
                                   "        s += v\n    return s\n"),
    "target_bound_before_used": ("def f(xs: List[int]) -> int:\n    v = 5\n    s = 0\n    for v in xs:\n"
                                 "        s += v\n    return s + v\n"),
    "while_unused": ("def f(n: int) -> int:\n    i = 0\n    t = 0\n    k = 3\n    while i < n:\n        k = i * 2\n"
                     "        t += i\n        i += 1\n    return t\n"),
    "chain_dead": ("def f(n: int) -> int:\n    a = 0\n    b = 0\n    c = 0\n    for i in range(n):\n        b = a + i\n"
                   "        a = b * 2\n        c += 1\n    return c\n"),
    "read_in_body_kept": ("def f(n: int) -> int:\n    a = 1\n    c = 0\n    for i in range(n):\n        c += a\n"
                          "        a = a + 1\n    return c\n"),
}


def _fn(tmp_path, name, src, lib):
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text("from typing import List\n" + src)
    spec = importlib.util.spec_from_file_location(f"dce_{name}_{lib.__name__}", path)
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m.f


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_dead_loop_carried_values_go(tmp_path, name):
    src = SOURCES[name]
    ft = torch.jit.script(_fn(tmp_path, name, src, torch))
    fp = pyts.jit.script(_fn(tmp_path, name, src, pyts))
    assert fp.code == ft.code
    arg = [3, 4, 9] if "xs" in src else 5
    assert fp(arg) == ft(arg)
    empty = [] if "xs" in src else 0
    assert fp(empty) == ft(empty)
