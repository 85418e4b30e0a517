"""Long robustness campaign for the op registry (not part of the test suite): every registry row,
through pyts._C._call_op, and every public function and Tensor method, called with hostile
arguments (wrong types, None, huge/negative sizes, empty/0-dim/non-contiguous/broadcast tensors,
mixed dtypes, out= aliasing the input). A crash, sanitizer report or hang is always a bug; with
torch importable (not under ASan) a call where torch raises and pyts returns is reported too.

    python benchmarks/fuzz/ops_campaign.py [--n 40] [--seed 0] [--only REGEX] [--no-torch]

The parent runs a child worker and restarts it after each crash or hang (>10 s without progress),
printing the call that killed it; the child logs each call to a progress file before making it."""
import argparse
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOWED = (TypeError, RuntimeError, IndexError, ValueError, NotImplementedError, MemoryError)


# ---------------------------------------------------------------- hostile values
def schema_args(schema):
    """[(type, name, kwonly)] of a schema string."""
    inner = schema[schema.index("(") + 1:schema.rindex(") ->")]
    out, depth, cur, kwonly = [], 0, "", False
    for ch in inner + ",":
        if ch == "," and depth == 0:
            a = cur.strip()
            cur = ""
            if not a:
                continue
            if a == "*":
                kwonly = True
                continue
            a = a.split("=")[0].strip()
            t, _, n = a.rpartition(" ")
            out.append((t, n, kwonly))
            continue
        depth += ch in "([" and 1 or 0
        depth -= ch in ")]" and 1 or 0
        cur += ch
    return out


DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]
SHAPES = [(), (0,), (3,), (2, 3), (0, 3), (3, 0), (1, 1), (2, 3, 4), (1, 2, 3, 2), (2, 1, 3, 4, 1), (5,)]
HUGE = [2 ** 31, 2 ** 32, 2 ** 40, 2 ** 62, 2 ** 63 - 1, -2 ** 63, -2 ** 31 - 1]
INTS = [0, 1, 2, -1, -2, 3, 5, -7] + HUGE
FLOATS = [0.0, 1.5, -0.5, float("nan"), float("inf"), -float("inf"), 1e308, -1e-308]
JUNK = [None, "s", object(), [None], (1, "a"), {}, b"x", 1.5, True, [1.5], [[1]], slice(1)]


class TSpec:
    """A tensor described independently of the library: built the same way in both."""

    def __init__(self, rng, dtype=None, shape=None):
        self.dtype = dtype or rng.choice(DTYPES)
        self.shape = shape if shape is not None else rng.choice(SHAPES)
        self.layout = rng.choice(["c", "c", "c", "t", "step", "bcast", "neg0"])
        self.seed = rng.randrange(1 << 30)

    def array(self):
        import numpy as np
        r = np.random.default_rng(self.seed)
        dt = np.dtype(self.dtype) if self.dtype != "bfloat16" else np.dtype("float32")
        shape = self.shape
        if self.layout == "step":
            shape = tuple(s * 2 for s in shape)
        if dt.kind == "b":
            a = r.random(shape) < 0.5
        elif dt.kind in "iu":
            a = r.integers(0 if dt.kind == "u" else -3, 4, size=shape).astype(dt)
        else:
            a = ((r.random(shape) - 0.5) * 4).astype(dt)
        a = np.asarray(a)
        if self.layout == "step" and shape:
            a = a[tuple(slice(None, None, 2) for _ in shape)]
        elif self.layout == "t":
            a = a.T
        elif self.layout == "bcast" and len(shape):
            a = np.broadcast_to(a[..., :1] if shape[-1] else a, shape)
        return a

    def make(self, lib):
        import numpy as np
        a = np.array(self.array(), copy=True) if self.layout in ("bcast",) else self.array()
        if self.layout == "bcast":
            # a stride-0 view made by the library itself
            t = lib.from_numpy(np.ascontiguousarray(a[..., :1] if a.ndim and a.shape[-1] else a))
            t = t.expand(*a.shape) if a.ndim else t
        else:
            t = lib.from_numpy(np.ascontiguousarray(a) if lib.__name__ == "torch" and any(s < 0 for s in a.strides) else a)
        if self.dtype == "bfloat16":
            t = t.to(lib.bfloat16)
        return t

    def __repr__(self):
        return f"T({self.dtype},{self.shape},{self.layout})"


class Same:
    """The same object as argument k (aliasing: out= the input)."""

    def __init__(self, k, view=False):
        self.k, self.view = k, view

    def __repr__(self):
        return f"Same({self.k}{',view' if self.view else ''})"


class DT:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"dtype.{self.name}"


def value_for(t, rng, tensors, name):
    opt = t.endswith("?")
    base = t.rstrip("?")
    r = rng.random()
    if opt and r < 0.15:
        return None
    if r < 0.08:
        return rng.choice(JUNK)
    if base.startswith("Tensor(") and "!" in base or (base == "Tensor" and name == "out"):
        if tensors and rng.random() < 0.5:
            return Same(rng.randrange(len(tensors)), view=rng.random() < 0.3)
        return TSpec(rng)
    if base.startswith("Tensor["):
        n = rng.choice([0, 1, 2, 3])
        dt = rng.choice(DTYPES)
        return [TSpec(rng, dtype=dt if rng.random() < 0.7 else None) for _ in range(n)]
    if base.startswith("Tensor"):
        if rng.random() < 0.1:
            return rng.choice(INTS + FLOATS[:3])
        if tensors and rng.random() < 0.4:
            # mostly a tensor shaped like an earlier one (so the call gets past shape checks)
            first = tensors[0]
            return TSpec(rng, shape=first.shape, dtype=first.dtype if rng.random() < 0.6 else None)
        return TSpec(rng)
    if base.startswith("int[") or base == "SymInt[]" or base.startswith("SymInt["):
        k = rng.random()
        if k < 0.5:
            return [rng.choice([0, 1, 2, 3, -1]) for _ in range(rng.randint(0, 4))]
        if k < 0.8:
            return [rng.choice(INTS) for _ in range(rng.randint(0, 3))]
        return rng.choice(INTS)
    if base in ("int", "SymInt"):
        return rng.choice(INTS) if rng.random() < 0.4 else rng.choice([0, 1, 2, -1, 3])
    if base == "float":
        return rng.choice(FLOATS + [1, 2, 0])
    if base == "float[]":
        return [rng.choice(FLOATS) for _ in range(rng.randint(0, 3))]
    if base == "bool":
        return rng.choice([True, False, 0, 1])
    if base == "bool[]" or base.startswith("bool["):
        return [rng.choice([True, False]) for _ in range(rng.randint(0, 4))]
    if base == "Scalar":
        return rng.choice(INTS + FLOATS + [True, False])
    if base == "ScalarType":
        return DT(rng.choice(DTYPES))
    if base == "str":
        return rng.choice(["none", "mean", "sum", "tanh", "floor", "trunc", "", "same", "valid", "x" * 300, "é"])
    if base == "str[]":
        return [rng.choice(["a", "b", ""]) for _ in range(rng.randint(0, 3))]
    if base == "Generator":
        return None
    if base in ("Device", "Layout", "MemoryFormat"):
        return None
    # generic (t, t1, Any, List[t], Dict...) and anything unknown
    return rng.choice(INTS + FLOATS[:3] + [[1, 2], [TSpec(rng)], "ab", None, (1, 2), {"a": 1}, TSpec(rng)])


def realize(v, lib, made):
    if isinstance(v, TSpec):
        return v.make(lib)
    if isinstance(v, Same):
        t = made[v.k]
        if v.view and hasattr(t, "dim") and t.dim() > 0:
            return t[..., :1] if t.shape[-1] > 1 else t.t() if t.dim() == 2 else t
        return t
    if isinstance(v, DT):
        return getattr(lib, v.name)
    if isinstance(v, list):
        return [realize(x, lib, made) for x in v]
    if isinstance(v, tuple):
        return tuple(realize(x, lib, made) for x in v)
    if isinstance(v, dict):
        return {k: realize(x, lib, made) for k, x in v.items()}
    return v


def sane_value(t, rng, shape, dtype, name):
    """A well-typed, small value: calls built from these get past argument checks into kernels."""
    base = t.rstrip("?")
    if base.startswith("Tensor["):
        return [TSpec(rng, dtype=dtype, shape=shape) for _ in range(rng.randint(1, 3))]
    if base.startswith("Tensor"):
        return TSpec(rng, dtype=dtype if rng.random() < 0.8 else None,
                     shape=shape if rng.random() < 0.8 else shape[rng.randrange(len(shape) + 1):])
    if base.startswith(("int[", "SymInt[")):
        m = re.search(r"\[(\d+)\]", base)
        k = int(m.group(1)) if m else rng.randint(0, max(1, len(shape)))
        return [rng.choice([0, 1, -1, 2]) for _ in range(k)]
    if base in ("int", "SymInt"):
        return rng.choice([0, 1, -1, 2, len(shape)])
    if base == "float":
        return rng.choice([0.5, 1.0, 0.0, 2.0])
    if base == "Scalar":
        return rng.choice([0, 1, 2, 0.5, -1])
    if base == "bool":
        return rng.random() < 0.5
    if base == "ScalarType":
        return None if t.endswith("?") and rng.random() < 0.6 else DT(rng.choice(DTYPES))
    return value_for(t, rng, [], name)


def gen_call(schema, rng):
    args = schema_args(schema)
    specs, tensors = [], []
    sane = rng.random() < 0.5
    shape = rng.choice(SHAPES)
    dtype = rng.choice(DTYPES)
    for t, n, kw in args:
        if sane and not (t.endswith("?") and rng.random() < 0.3):
            v = sane_value(t, rng, shape, dtype, n)
            if isinstance(v, TSpec):
                tensors.append(v)
            specs.append((n, kw, v))
            continue
        v = value_for(t, rng, tensors, n)
        if isinstance(v, TSpec):
            tensors.append(v)
        specs.append((n, kw, v))
    # sometimes a wrong argument count
    r = rng.random()
    if r < 0.04 and specs:
        specs = specs[:-1]
    elif r < 0.08:
        specs = specs + [("extra", False, rng.choice(INTS))]
    return specs


def realize_all(specs, lib):
    made, tens = [], []
    pos, kw = [], {}
    for n, k, v in specs:
        x = realize(v, lib, tens)
        if isinstance(v, TSpec):
            tens.append(x)
        (kw.__setitem__(n, x) if k else pos.append(x))
    return pos, kw


# ---------------------------------------------------------------- targets
def targets(pyts, only):
    out = []
    for row_id, schema, name, flags in pyts._C._ops():
        out.append(("row", row_id, schema, name))
    for name, f in sorted(pyts._C._functions.items()):
        for s in f._schemas:
            out.append(("fn", name, s, name))
    rows_by_name = {}
    for row_id, schema, name, flags in pyts._C._ops():
        if flags & 2:
            rows_by_name.setdefault(name, []).append(schema)
    for name in sorted(rows_by_name):
        for s in rows_by_name[name]:
            out.append(("method", name, s, name))
    if only:
        out = [t for t in out if re.search(only, t[1] + " " + t[2])]
    return out


def torch_target(torch, kind, key, schema, name):
    try:
        if kind == "row":
            ov = schema[:schema.index("(")].partition(".")[2] or "default"
            return getattr(getattr(torch.ops.aten, name), ov)
        if kind == "fn":
            for ns in (torch, torch._C._nn, torch.nn.functional):
                if hasattr(ns, name):
                    return getattr(ns, name)
            return None
        return "method"
    except (AttributeError, RuntimeError):
        return None


def call(lib, kind, key, name, specs, fn, schema_key=None):
    pos, kw = realize_all(specs, lib)
    if kind == "row" and lib.__name__ == "pyts":
        if kw:   # hidden rows have no keyword-only arguments; _call_row binds by name
            return lib._C._call_row(schema_key, *pos, **kw)
        return lib._C._call_op(key, *pos)
    if kind == "method":
        if not pos or not hasattr(pos[0], "dim"):
            raise TypeError("no self tensor")
        m = getattr(pos[0], name, None)
        if m is None:
            raise TypeError("no method")
        return m(*pos[1:], **kw)
    return fn(*pos, **kw)


# torch.ops.aten rows that torch's Python binding cannot call (script-only builtins), and CUDA
NOISE = re.compile("Expected a value of type|INTERNAL ASSERT|implemented directly|expected at most|"
                   "pin_memory=True requires")


def child(args):
    if "LD_PRELOAD" not in os.environ:   # under ASan: ASAN_OPTIONS max_allocation_size_mb instead
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
    import warnings
    warnings.filterwarnings("ignore")
    import pyts
    torch = None
    if not args.no_torch:
        import torch
        torch.set_num_threads(1)
    pyts.set_num_threads(1)
    tg = targets(pyts, args.only)
    prog = open(args.progress, "a", buffering=1)
    stop = len(tg) * args.n if args.replay is None else args.replay + 1
    for i in range(args.start if args.replay is None else args.replay, stop):
        kind, key, schema, name = tg[i % len(tg)]
        rng = random.Random(f"{args.seed}-{i}")
        specs = gen_call(schema, rng)
        desc = f"{i} {kind} {key} | {schema} | {specs}"
        prog.write(desc + "\n")
        pf = None
        if kind == "fn":
            pf = pyts._C._functions[name]
        try:
            call(pyts, kind, key, name, specs, pf, schema[:schema.index("(")])
            perr = None
        except ALLOWED as e:
            perr = e
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # noqa: BLE001
            print(f"BADEXC {type(e).__name__}: {str(e)[:200]} :: {desc}", flush=True)
            continue
        if torch is None:
            continue
        tf = torch_target(torch, kind, key, schema, name)
        if tf is None:
            continue
        prog.write(f"{i} torch (the call above, in torch)\n")
        try:
            call(torch, kind, key, name, specs, tf)
            terr = None
        except Exception as e:  # noqa: BLE001
            terr = e
        if terr is not None and perr is None and not (kind == "row" and NOISE.search(str(terr))):
            print(f"NORAISE torch {type(terr).__name__}: {str(terr)[:150]} :: {desc}", flush=True)


def parent(args):
    progress = os.path.join(args.out, "ops_progress.txt")
    start = 0
    while True:
        open(progress, "w").close()
        cmd = [sys.executable, __file__, "--child", "--start", str(start), "--progress", progress,
               "--n", str(args.n), "--seed", str(args.seed)] + (["--only", args.only] if args.only else []) + \
              (["--no-torch"] if args.no_torch else [])
        p = subprocess.Popen(cmd)
        last, size = time.time(), 0
        while p.poll() is None:
            time.sleep(0.5)
            s = os.path.getsize(progress)
            if s != size:
                size, last = s, time.time()
            elif time.time() - last > args.hang:
                p.kill()
                p.wait()
                break
        lines = open(progress).read().splitlines()
        if p.returncode == 0:
            print("DONE", flush=True)
            return
        lastline = lines[-1] if lines else "?"
        what = "HANG" if p.returncode == -9 else f"CRASH rc={p.returncode}"
        print(f"{what} :: {lastline}", flush=True)
        start = int(lastline.split()[0]) + 1 if lines else start + 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--progress")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--hang", type=float, default=10)
    ap.add_argument("--out", default=".")
    ap.add_argument("--replay", type=int, help="run only call number REPLAY (in this process)")
    a = ap.parse_args()
    if a.replay is not None:
        a.progress = os.devnull
    child(a) if a.child or a.replay is not None else parent(a)
