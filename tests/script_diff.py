"""What the differential tests of scripted code share: a source compiled as a module of either
library (`torch` in it is pyts or torch), arguments built for either library from NumPy arrays
and Python values, results compared with torch's (same Python types, same tensor values), and the
outcome of a call (a value or the class of the exception raised)."""
import copy
import typing

import numpy as np
import torch

import pyts

NAMES = {"List": typing.List, "Dict": typing.Dict, "Tuple": typing.Tuple, "Optional": typing.Optional,
         "Union": typing.Union, "Final": typing.Final}


def define(tmp_path, name, src, lib, prefix, **extra):
    """Run `src` as the module <prefix>_<name> with `torch` = lib; returns its namespace."""
    path = tmp_path / f"{name}_{lib.__name__}.py"
    path.write_text(src)
    ns = {"torch": lib, "Tensor": lib.Tensor, "__name__": f"{prefix}_{name}", **NAMES, **extra}
    exec(compile(src, str(path), "exec"), ns)
    return ns


def to_lib(lib, a, dtype=None):
    """An argument for lib: arrays become tensors (of dtype when given), containers recursively."""
    if isinstance(a, np.ndarray):
        return lib.tensor(a if dtype is None else a.astype(dtype))
    if isinstance(a, list):
        return [to_lib(lib, x, dtype) for x in a]
    if isinstance(a, tuple):
        return tuple(to_lib(lib, x, dtype) for x in a)
    if isinstance(a, dict):
        return {k: to_lib(lib, x, dtype) for k, x in a.items()}
    return copy.deepcopy(a)


def as_pyts(v):
    """A torch result as pyts would give it (to compare a recompiled module's results)."""
    if isinstance(v, torch.Tensor):
        return pyts.tensor(v.detach().numpy())
    if isinstance(v, (list, tuple)):
        return type(v)(as_pyts(x) for x in v)
    if isinstance(v, dict):
        return {k: as_pyts(x) for k, x in v.items()}
    return v


def same_value(p, t, rtol=1e-6):
    """p (pyts or torch) is t (torch): same Python types, tensors with the same values, NaN is NaN."""
    if isinstance(t, (tuple, list)):
        assert type(p) is type(t) and len(p) == len(t), (p, t)
        for a, b in zip(p, t):
            same_value(a, b, rtol)
    elif isinstance(t, dict):
        assert isinstance(p, dict) and list(p) == list(t), (p, t)
        for k in t:
            same_value(p[k], t[k], rtol)
    elif isinstance(t, torch.Tensor):
        assert isinstance(p, (pyts.Tensor, torch.Tensor)), (p, t)
        np.testing.assert_allclose(p.detach().numpy(), t.detach().numpy(), rtol=rtol)
    elif isinstance(t, float) and t != t:
        assert isinstance(p, float) and p != p
    else:
        assert type(p) is type(t) and p == t, (p, t)


def outcome(f, lib, args, dtype=None, no_grad=False):
    """("ok", result) or ("raise", exception class) of f on args built for lib."""
    try:
        if no_grad:
            with lib.no_grad():
                return "ok", f(*[to_lib(lib, a, dtype) for a in args])
        return "ok", f(*[to_lib(lib, a, dtype) for a in args])
    except Exception as e:  # noqa: BLE001 (the class is compared)
        return "raise", type(e)


def same_outcomes(fp, ft, recompiled, name, calls, run):
    """Every call gives torch's outcome in pyts (fp) and in torch running pyts's .code
    (recompiled): the same value, or the same exception (torch.jit.Error, which a failed raise or
    assert in script gives, is pyts's RuntimeError). run(f, lib, args) is an outcome()."""
    for args in calls:
        kind, want = run(ft, torch, args)
        for f, lib in ((fp, pyts), (recompiled, torch)):
            k, got = run(f, lib, args)
            assert k == kind, (name, args, got, want)
            if kind == "raise":
                assert issubclass(got, want) or (issubclass(want, torch.jit.Error) and issubclass(got, RuntimeError)), \
                    (name, args, got, want)
            else:
                same_value(got if lib is pyts else as_pyts(got), want)


def script_both(define_one, tmp_path, name, src):
    """(pyts's scripted function, torch's, torch's compile of pyts's .code): define_one(tmp_path,
    name, src, lib) gives the Python function for lib."""
    from test_print_code import torch_compile_code
    fp = pyts.jit.script(define_one(tmp_path, name, src, pyts))
    ft = torch.jit.script(define_one(tmp_path, name, src, torch))
    return fp, ft, torch_compile_code(fp.code, name, ft)
