"""Not a test: script every function and module of the differential script suites with pyts and
with torch and compare `.code` byte for byte. Prints each differing case (a unified diff) and a
count of the distinct differing line pairs, most frequent first.
Run: PYTHONPATH=. python tests/code_parity_sweep.py [-v] [name-substring]"""
import collections
import difflib
import os
import pathlib
import sys
import tempfile

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("PYTS_VERIFY", "1")

import torch  # noqa: E402

import pyts  # noqa: E402


def cases():
    """(label, build(lib) -> the object to script) for every case of the suites."""
    import test_print_code as pc
    import test_script as ts
    import test_script_builtins as sb
    import test_script_lang2 as l2
    import test_script_lang3 as l3
    import test_script_tolist as tl
    import test_script_union as un
    out = []
    for mod, table in ((sb, sb.CASES), (l2, l2.CASES), (un, un.CASES), (tl, tl.CASES)):
        for name, row in table.items():
            out.append((f"{mod.__name__}:{name}", lambda tmp, lib, m=mod, n=name, s=row[0]: m._define(tmp, n, s, lib)))
    for name, row in pc.CASES.items():
        out.append((f"test_print_code:{name}", lambda tmp, lib, n=name, s=row[0]: ts._define_lang(tmp, n, s, lib)))
    for name, src in ts.FUNCTIONS.items():
        out.append((f"test_script:{name}", lambda tmp, lib, n=name, s=src: ts._define(tmp, n, s, lib)))
    for name, row in l3.FUNCS.items():
        out.append((f"lang3:{name}", lambda tmp, lib, n=name, s=row[0]: l3._exec(tmp, n, s, lib)[n]))
    for name, row in l3.MODULES.items():
        out.append((f"lang3.M:{name}", lambda tmp, lib, n=name, s=row[0]: l3._exec(tmp, n, l3.PRELUDE + s, lib)["M"]()))
    for path in sorted((HERE / "script").glob("*.py")):
        text = path.read_text()
        if "# expect error:" in text:
            continue

        def golden(tmp, lib, text=text, path=path):
            ns = {"torch": lib, "__name__": f"golden_{path.stem}"}
            exec(compile(text, str(path), "exec"), ns)
            return ns["f"]
        out.append((f"golden:{path.stem}", golden))
    return out


def main():
    verbose = "-v" in sys.argv
    want = [a for a in sys.argv[1:] if a != "-v"]
    kinds = collections.Counter()
    ndiff = nsame = nfail = 0
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="sweep", dir=os.environ.get("SWEEP_TMP")))
    for label, build in cases():
        if want and not any(w in label for w in want):
            continue
        try:
            ct = torch.jit.script(build(tmp, torch)).code
        except Exception as e:  # noqa: BLE001
            print(f"-- {label}: torch does not compile it ({type(e).__name__})")
            continue
        try:
            cp = pyts.jit.script(build(tmp, pyts)).code
        except Exception as e:  # noqa: BLE001
            print(f"-- {label}: pyts fails: {type(e).__name__}: {str(e)[:200]}")
            nfail += 1
            continue
        if cp == ct:
            nsame += 1
            continue
        ndiff += 1
        tally(kinds, label, ct, cp, verbose)
    print(f"\nsame {nsame}, different {ndiff}, pyts failed {nfail}")
    print_kinds(kinds)


def tally(kinds, label, torch_text, pyts_text, verbose):
    """Print a differing case (its diff with verbose) and count its first differing lines in kinds."""
    d = list(difflib.unified_diff(torch_text.splitlines(), pyts_text.splitlines(), "torch", "pyts", lineterm="", n=1))
    print(f"== {label}")
    if verbose:
        print("\n".join(d))
    minus = [ln[1:].strip() for ln in d[2:] if ln.startswith("-")]
    plus = [ln[1:].strip() for ln in d[2:] if ln.startswith("+")]
    kinds[("\n".join(minus[:3]), "\n".join(plus[:3]))] += 1


def print_kinds(kinds):
    """The distinct differing line pairs, most frequent first."""
    for (m, p), c in kinds.most_common():
        print(f"\n[{c}] torch:\n  " + m.replace("\n", "\n  ") + "\n pyts:\n  " + p.replace("\n", "\n  "))


if __name__ == "__main__":
    main()
