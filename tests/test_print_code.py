"""The code printer (`.code`, archive code/ files) on the language beyond tensors: for each function
of test_script.LANG, pyts's printed code must compile in torch (as archive code, the way
torch.jit.load reads it) and give pyts's results, pyts.jit.save of it must load and run in torch,
and the text must equal torch's own `.code` where both compilers build the same graph."""
import copy
import io
import re
import zipfile

import numpy as np
import pytest
import torch

import pyts
from test_script import HERE, LANG, _arg, _define_lang, _golden_expectations, _same_value

# the two compilers build different graphs here (torch folds the loop over a tuple; pyts lowers
# enumerate/zip and dict.items() loops another way, and hoists fewer
# values): the text differs, the printed code must still compile in torch and agree in results
DIFFERENT_GRAPH = {"for_tuple", "for_enum_zip", "for_dict", "str_ops"}


def torch_compile_code(code, name, like):
    """Compile `.code` text of function `name` in torch as archive code: torch saves a scripted
    function as the forward of a placeholder module, so take torch's archive of `like` (a torch
    ScriptFunction of the same signature) and put `code`, as that forward, in its place."""
    buf = io.BytesIO()
    torch.jit.save(like, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    body = re.sub(r"^def %s\(" % name, "def forward(self: __torch__.PlaceholderModule,\n    ", code, count=1)
    body = body.replace("forward(self: __torch__.PlaceholderModule,\n    ) ->", "forward(self: __torch__.PlaceholderModule) ->")
    text = ("class PlaceholderModule(Module):\n  __parameters__ = []\n  __buffers__ = []\n  training : bool\n"
            + "".join("  " + ln + "\n" if ln else "\n" for ln in body.splitlines()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            if n.endswith("code/__torch__.py"):
                z.writestr(n, text)
            elif not n.endswith(".debug_pkl"):
                z.writestr(n, src.read(n))
    return torch.jit.load(io.BytesIO(out.getvalue()))


# printer forms LANG does not reach: indexing an inlined container (parenthesized, as torch
# does), annotated empty List[Tensor] / Dict[int, Tensor], prim:: number builtins, print
EXTRA = {
    "nested_index": ("def nested_index(d: Dict[str, List[int]], xs: List[List[int]], i: int) -> int:\n"
                     "    print('x', d['a'][0], xs[1][0] + 1)\n"
                     "    return d['a'][0] + xs[0][1] + [4, 5, i][i] + len('abc'[i])\n",
                     [({"a": [7]}, [[1, 2], [3]], 1), ({"a": [-1, 0]}, [[0, 5], [9]], 0)]),
    "tensor_containers": ("def tensor_containers(x, ts: List[Tensor]) -> Tensor:\n    ys: List[Tensor] = []\n"
                          "    for t in ts:\n        ys.append(t * x)\n    d: Dict[int, Tensor] = {}\n    d[0] = x\n"
                          "    return torch.cat(ys) + d[0]\n",
                          [(np.array([2.0]), [np.array([1.0, 2.0]), np.array([3.0])])]),
    "prim_builtins": ("def prim_builtins(xs: List[float], n: int) -> List[float]:\n"
                      "    ys = [float(v) for v in range(n)]\n"
                      "    return [max(ys) if len(ys) > 0 else 0.0, min(xs), abs(-xs[0]), float(abs(-n)), float(min(n, 2))]\n",
                      [([1.5, -2.0], 3), ([-0.5], 0)]),
}
CASES = {**LANG, **EXTRA}


def _as_pyts(v):
    """A torch result with its tensors as pyts tensors, to compare two torch runs with _same_value."""
    if isinstance(v, torch.Tensor):
        return pyts.tensor(v.numpy())
    if isinstance(v, (list, tuple)):
        return type(v)(_as_pyts(x) for x in v)
    if isinstance(v, dict):
        return {k: _as_pyts(x) for k, x in v.items()}
    return v


def _arg_of(lib, a):
    if isinstance(a, list):
        return [_arg_of(lib, x) for x in a]
    return _arg(lib, copy.deepcopy(a))


def _run_all(f, lib, calls, capfd):
    """Results of f on every call, and what the calls printed."""
    capfd.readouterr()
    res = [f(*[_arg_of(lib, a) for a in args]) for args in calls]
    return res, capfd.readouterr().out


@pytest.mark.parametrize("name", sorted(CASES))
def test_printed_code_compiles_in_torch_and_matches(tmp_path, name, capfd):
    src, calls = CASES[name]
    fp = pyts.jit.script(_define_lang(tmp_path, name, src, pyts))
    ft = torch.jit.script(_define_lang(tmp_path, name, src, torch))
    want, printed = _run_all(ft, torch, calls, capfd)
    assert bool(printed) == ("print(" in src)
    buf = io.BytesIO()
    pyts.jit.save(fp, buf)
    runs = [(fp, pyts), (torch_compile_code(fp.code, name, ft), torch), (torch.jit.load(io.BytesIO(buf.getvalue())), torch)]
    for f, lib in runs:
        got, out = _run_all(f, lib, calls, capfd)
        assert out == printed
        for g, t in zip(got, want):
            _same_value(g if lib is pyts else _as_pyts(g), t)
    if name not in DIFFERENT_GRAPH:
        assert fp.code == ft.code


def test_helper_compiles_torch_own_code(tmp_path):
    """The helper itself: torch's own `.code` goes through it and runs; bad code is an error."""
    src, calls = LANG["for_list"]
    ft = torch.jit.script(_define_lang(tmp_path, "for_list", src, torch))
    assert torch_compile_code(ft.code, "for_list", ft)([1, 2, 3]) == 14
    with pytest.raises(RuntimeError):
        torch_compile_code(ft.code.replace("torch.mul", "torch.no_such_op"), "for_list", ft)


GOLDEN = [p for p in sorted((HERE / "script").glob("*.py")) if "# expect error:" not in p.read_text()]


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_cases_saved_by_pyts_run_in_torch(path, capfd):
    """Every compiling golden case (tests/script/) saved by pyts.jit.save loads in torch.jit.load;
    its calls give the expected results there too (and print the same text as in pyts); calls
    expected to raise raise in torch as well."""
    text = path.read_text()
    calls, _ = _golden_expectations(text)
    ns = {"torch": pyts, "__name__": f"golden_{path.stem}"}
    exec(compile(text, str(path), "exec"), ns)
    fp = pyts.jit.script(ns["f"])
    buf = io.BytesIO()
    pyts.jit.save(fp, buf)
    ft = torch.jit.load(io.BytesIO(buf.getvalue()))
    for args, (kind, want) in calls:
        if kind == "value":
            capfd.readouterr()
            got_p = fp(*eval(args, {"torch": pyts}))
            out_p = capfd.readouterr().out
            got_t = ft(*eval(args, {"torch": torch}))
            assert capfd.readouterr().out == out_p
            assert str(got_p) == want and str(got_t) == want, (got_p, got_t)
        else:
            with pytest.raises(Exception):
                ft(*eval(args, {"torch": torch}))


def test_print_code_runs_in_torch(tmp_path, capfd):
    """print(...) prints as Python's print, and the recompiled code prints what torch prints."""
    src = ("def pr(xs: List[int], d: Dict[str, float], s: str) -> int:\n"
           "    print('hi', 3, 2.5, True, None, xs, d, s, [s], (1, s), xs[0], d['a'])\n    return len(xs)\n")
    fp = pyts.jit.script(_define_lang(tmp_path, "pr", src, pyts))
    ft = torch.jit.script(_define_lang(tmp_path, "pr", src, torch))
    assert fp.code == ft.code
    assert "  print(\"hi\", 3, 2.5, True, None, xs, d, s, [s], (1, s), xs[0], d[\"a\"])\n" in fp.code
    args = ([1, 2], {"a": 1.5}, "str")
    outs = []
    for f in (ft, torch_compile_code(fp.code, "pr", ft), fp):
        capfd.readouterr()
        assert f(*copy.deepcopy(args)) == 2
        outs.append(capfd.readouterr().out)
    assert outs[0] == outs[1] == outs[2] and outs[0].startswith("hi 3 2.5 True None [1, 2]")


def test_traced_empty_int_lists_are_annotated():
    """A traced empty int[] argument prints as torch does, annotate(List[int], []), and the saved
    trace runs in torch."""
    def f(x):
        return x.reshape([]) + x.sum([])
    tp = pyts.jit.trace(f, (pyts.ones([1]),))
    tt = torch.jit.trace(f, (torch.ones([1]),))
    assert tp.code == tt.code
    assert "torch.reshape(x, annotate(List[int], []))" in tp.code
    buf = io.BytesIO()
    pyts.jit.save(tp, buf)
    loaded = torch.jit.load(io.BytesIO(buf.getvalue()))
    assert loaded(torch.full([1], 3.0)).item() == 6.0
    assert torch_compile_code(tp.code, "f", tt)(torch.full([1], 2.0)).item() == 4.0
