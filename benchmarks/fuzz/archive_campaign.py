"""Long robustness campaign for archives (not part of the test suite). Seeds: the archives written
by make_archives.py. Each case damages one archive (token mutations of code/ text, pickle opcode
and byte damage in data.pkl/constants.pkl, tensor records cut or grown, raw zip bytes, dropped or
duplicated records), loads it with pyts.jit.load and runs forward on the saved inputs; every
CLI_EVERY-th case also goes through the C runtime CLI (pyts-run) as a file. Loading may only fail
with ArchiveError; running may fail with the usual exceptions; the CLI must exit 0 or 1 without
a sanitizer report. Crashes and hangs are reported with the case by the parent.

    python benchmarks/fuzz/archive_campaign.py ARCHIVE_DIR [--n 3000] [--cli PATH] [--out DIR]"""
import argparse
import io
import json
import os
import random
import re
import struct
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _runner import drive  # noqa: E402

TOKEN_RE = re.compile(r"\w+|[ \t]+|\n|.", re.S)
CODE_POOL = ["(", ")", "[", "]", ":", ",", ".", "=", "return", "if", "else", "for", "in", "None", "0", "-1",
             "1.5", "9223372036854775807", "Tensor", "int", "List[int]", "Optional[Tensor]", "Tuple[int, int]",
             "torch.add", "ops.prim.", "annotate", "self", "self.", "CONSTANTS.c0", "CONSTANTS.c99", "\n",
             "\n    ", "__torch__.", "def", "unchecked_cast", "uninitialized", "_0", "_1", "while", "break"]


def members(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def rezip(items):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for n, d in items:
            z.writestr(n, d)
    return b.getvalue()


def byte_mutate(rng, buf):
    b = bytearray(buf)
    for _ in range(rng.randint(1, 4)):
        if not b:
            b.append(rng.randrange(256))
            continue
        i = rng.randrange(len(b))
        k = rng.random()
        if k < 0.4:
            b[i] = rng.randrange(256)
        elif k < 0.55:
            del b[i:i + rng.randint(1, 8)]
        elif k < 0.7:
            v = rng.choice([0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF])
            b[i:i + 4] = struct.pack("<I", v)
        elif k < 0.85:
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randint(1, 32)]
        else:
            b[i] = rng.choice(b"(.JKMNQRXabcd}ehjl]qrst)u\x80\x81\x85\x86\x87\x88\x89\x8a\x8dG")
    return bytes(b)


def code_mutate(rng, text):
    toks = TOKEN_RE.findall(text)
    for _ in range(rng.randint(1, 3)):
        if not toks:
            break
        i = rng.randrange(len(toks))
        op = rng.randrange(6)
        if op == 0:
            del toks[i]
        elif op == 1:
            toks.insert(i, rng.choice(CODE_POOL))
        elif op == 2:
            toks.insert(i, toks[i])
        elif op == 3:
            j = rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        elif op == 4:
            nums = [k for k, t in enumerate(toks) if t.isdigit()]
            if nums:
                toks[rng.choice(nums)] = rng.choice(["0", "-1", "2", "99", "9223372036854775807", "1e400"])
        else:
            names = [k for k, t in enumerate(toks) if t.isidentifier()]
            if names:
                toks[rng.choice(names)] = toks[rng.choice(names)]
    return "".join(toks).encode("utf-8", "surrogatepass")


def damage(rng, data):
    items = members(data)
    k = rng.random()
    if k < 0.1:
        return "bytes", byte_mutate(rng, data)
    if k < 0.45:
        code = [i for i, (n, _) in enumerate(items) if n.endswith(".py") and "/code/" in n]
        if code:
            i = rng.choice(code)
            items[i] = (items[i][0], code_mutate(rng, items[i][1].decode("utf-8", "replace")))
            return "code " + items[i][0], rezip(items)
    if k < 0.7:
        pk = [i for i, (n, _) in enumerate(items) if n.endswith((".pkl", "version", "byteorder"))]
        i = rng.choice(pk)
        items[i] = (items[i][0], byte_mutate(rng, items[i][1]))
        return "pickle " + items[i][0], rezip(items)
    if k < 0.85:
        recs = [i for i, (n, _) in enumerate(items) if re.search(r"/(data|constants)/\d+$", n)]
        if recs:
            i = rng.choice(recs)
            n, d = items[i]
            d = d[:rng.randrange(len(d) + 1)] if rng.random() < 0.6 else d + bytes(rng.randint(1, 64))
            items[i] = (n, d)
            return "record " + n, rezip(items)
    d = list(items)
    op = rng.random()
    if op < 0.4:
        del d[rng.randrange(len(d))]
    elif op < 0.7:
        d.append(rng.choice(d))
    else:
        rng.shuffle(d)
    try:
        return "structure", rezip(d)
    except (ValueError, zipfile.BadZipFile):
        return "structure", data


def load_seeds(directory):
    out = []
    for name in sorted(os.listdir(directory)):
        if name.endswith(".pt"):
            base = os.path.join(directory, name[:-3])
            args = json.load(open(base + ".args")) if os.path.exists(base + ".args") else None
            out.append((name, open(os.path.join(directory, name), "rb").read(), args))
    return out


def py_args(pyts, args):
    import numpy as np
    return [pyts.from_numpy(np.array(a, dtype=np.float32)) if isinstance(a, list) else a for a in args]


def run_cli(cli, path, args, tmp):
    import numpy as np
    argv = [cli, path]
    for k, a in enumerate(args or []):
        if isinstance(a, list):
            p = os.path.join(tmp, f"in{k}.npy")
            np.save(p, np.array(a, dtype=np.float32))
            argv.append(p)
        elif isinstance(a, bool):
            argv.append(f"bool:{str(a).lower()}")
        elif isinstance(a, int):
            argv.append(f"int:{a}")
        else:
            argv.append(f"float:{a}")
    argv += ["-o", os.path.join(tmp, "out")]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:exitcode=86")
    env.pop("LD_PRELOAD", None)
    env.pop("PYTHONMALLOC", None)
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20, env=env)
    except subprocess.TimeoutExpired:
        return "CLI HANG"
    if r.returncode not in (0, 1) or "Sanitizer" in r.stderr or "runtime error" in r.stderr:
        return f"CLI rc={r.returncode} {r.stderr[-1500:]}"
    return None


def child(a):
    import warnings
    warnings.filterwarnings("ignore")
    import pyts
    import pyts.jit
    seeds = load_seeds(a.dir)
    tmp = os.path.join(a.out, "archive_tmp")
    os.makedirs(tmp, exist_ok=True)
    prog = open(a.progress, "a", buffering=1)
    stats = {}
    for i in range(a.start, a.n if a.replay is None else a.replay + 1):
        rng = random.Random(f"{a.seed}-{i}")
        name, data, args = seeds[rng.randrange(len(seeds))]
        what, bad = damage(rng, data)
        prog.write(f"{i} {name} {what}\n")
        path = os.path.join(tmp, "case.pt")
        if a.replay is not None:
            open(path, "wb").write(bad)
            print("wrote", path)
        outcome = "load-err"
        try:
            try:
                m = pyts.jit.load(io.BytesIO(bad))
                outcome = "loaded"
            except pyts.jit.ArchiveError:
                m = None
            if m is not None and args is not None:
                try:
                    m(*py_args(pyts, args))
                    outcome = "ran"
                except (TypeError, RuntimeError, IndexError, ValueError, KeyError, ZeroDivisionError,
                        AssertionError, NotImplementedError, MemoryError) as e:
                    if isinstance(e, KeyError) or "Error" not in type(e).__name__:
                        print(f"ODDEXC {type(e).__name__}: {e} :: {i} {name} {what}", flush=True)
                    outcome = "run-err"
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # noqa: BLE001
            print(f"BADEXC {type(e).__name__}: {str(e)[:300]} :: {i} {name} {what}", flush=True)
        stats[outcome] = stats.get(outcome, 0) + 1
        if a.cli and (i % a.cli_every == 0 or a.replay is not None):
            open(path, "wb").write(bad)
            prog.write(f"{i} cli\n")
            msg = run_cli(a.cli, path, args, tmp)
            if msg:
                print(f"{msg} :: {i} {name} {what}", flush=True)
    print("STATS", stats, flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--progress")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cli")
    ap.add_argument("--cli-every", type=int, default=5)
    ap.add_argument("--hang", type=float, default=20)
    ap.add_argument("--out", default=".")
    ap.add_argument("--replay", type=int)
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)
    if a.replay is not None:
        a.progress, a.start = os.devnull, a.replay
        child(a)
    elif a.child:
        child(a)
    else:
        extra = ["--cli", a.cli, "--cli-every", str(a.cli_every)] if a.cli else []
        drive(os.path.abspath(__file__), [a.dir, "--n", str(a.n), "--seed", str(a.seed), "--out", a.out] + extra,
              os.path.join(a.out, "archive_progress.txt"), a.hang)
