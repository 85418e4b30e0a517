"""Not a test: script every function and module of the differential script suites with pyts and
with torch and compare `str(graph)`. Source locations are compared with the file name dropped (the
two libraries compile copies of the source in different files). A graph counts as equal when the
texts are equal after that; "equal but for temporaries" when they are equal once the numbered
temporaries (%12) are renumbered in order of appearance (torch numbers them by every value its
frontend creates, erased ones included). Prints each differing case (with -v a unified diff of the
renumbered texts) and the distinct differing line pairs, most frequent first.
Run: PYTHONPATH=. python tests/graph_parity_sweep.py [-v] [-x] [name-substring ...]
(-x: also list the names of the cases that are exactly equal)"""
import collections
import os
import pathlib
import re
import sys
import tempfile

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("PYTS_VERIFY", "1")

import torch  # noqa: E402

import pyts  # noqa: E402
from code_parity_sweep import cases, print_kinds, tally  # noqa: E402

LOC = re.compile(r" # [^\n]*?(:\d+:\d+)$", re.M)
TEMP = re.compile(r"%(\d+)\b")


def normal(g):
    """The graph text with the file names of source locations dropped."""
    return LOC.sub(r" # \1", g)


def renumbered(g):
    seen = {}
    return TEMP.sub(lambda m: "%t" + seen.setdefault(m.group(1), str(len(seen))), g)


def main():
    verbose = "-v" in sys.argv
    list_same = "-x" in sys.argv
    want = [a for a in sys.argv[1:] if not a.startswith("-")]
    kinds = collections.Counter()
    nsame = nalmost = ndiff = nfail = 0
    same_names = []
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="gsweep", dir=os.environ.get("SWEEP_TMP")))
    for label, build in cases():
        if want and not any(w in label for w in want):
            continue
        try:
            gt = normal(str(torch.jit.script(build(tmp, torch)).graph))
        except Exception as e:  # noqa: BLE001
            print(f"-- {label}: torch does not compile it ({type(e).__name__})")
            continue
        try:
            gp = normal(str(pyts.jit.script(build(tmp, pyts)).graph))
        except Exception as e:  # noqa: BLE001
            print(f"-- {label}: pyts fails: {type(e).__name__}: {str(e)[:200]}")
            nfail += 1
            continue
        if gp == gt:
            nsame += 1
            same_names.append(label)
            continue
        rt, rp = renumbered(gt), renumbered(gp)
        if rt == rp:
            nalmost += 1
            print(f"~~ {label}")
            continue
        ndiff += 1
        tally(kinds, label, rt, rp, verbose)
    total = nsame + nalmost + ndiff + nfail
    print(f"\nequal {nsame}, equal but for temporaries {nalmost}, different {ndiff}, pyts failed {nfail}"
          f" (total {total})")
    if list_same:
        print("equal:", " ".join(same_names))
    print_kinds(kinds)


if __name__ == "__main__":
    main()
