"""The pyts C runtime against PyTorch, side by side in one run.

1. Whole-process time to answer one request: `pyts-run MODEL in.npy` versus a Python process that
   imports torch, loads the same archive with torch.jit.load, runs it on the same .npy and saves
   the result (wall time and CPU time, median of --repeat runs), for the tutorial's WrapRNN
   archive (saved by pyts and by PyTorch) and an MLP archive.
2. Per-call latency inside a warm process: `pyts-run --bench` versus timing the loaded module in
   the torch process.
3. Sizes on disk: libpyts and pyts-run (as built and stripped) versus libtorch_cpu.

Run: python benchmarks/bench_runtime.py [--repeat 10] [--calls 2000]
"""
import argparse
import os
import pathlib
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
warnings.filterwarnings("ignore")

import pyts  # noqa: E402
import pyts.config  # noqa: E402
import pyts.jit  # noqa: E402
import torch  # noqa: E402

from test_runtime import pyts_tutorial, torch_tutorial  # noqa: E402

TORCH_SCRIPT = """
import sys, time, numpy as np, torch
m = torch.jit.load(sys.argv[1])
x = torch.from_numpy(np.load(sys.argv[2]))
with torch.no_grad():
    y = m(x)
    if len(sys.argv) > 4:
        n = int(sys.argv[4])
        for _ in range(20):
            m(x)
        t = time.perf_counter()
        for _ in range(n):
            m(x)
        print("per_call_ms", (time.perf_counter() - t) / n * 1e3)
np.save(sys.argv[3], (y[0] if isinstance(y, tuple) else y).detach().numpy())
"""


def timed(cmd, env=None):
    """Wall and CPU (user+sys of the child) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode:
        raise RuntimeError(f"{cmd[0]} failed: {r.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, r.stdout


def median_times(cmd, repeat, env=None):
    runs = [timed(cmd, env) for _ in range(repeat)]
    return statistics.median(w for w, _, _ in runs), statistics.median(c for _, c, _ in runs)


def build_archives(d):
    wrap, _ = pyts_tutorial()
    pyts.jit.save(wrap, d / "tutorial_pyts.pt")
    torch.jit.save(torch_tutorial(), str(d / "tutorial_torch.pt"))
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(256, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
                              torch.nn.Linear(512, 10))
    torch.jit.save(torch.jit.script(mlp), str(d / "mlp_torch.pt"))
    rng = np.random.default_rng(0)
    np.save(d / "xs.npy", rng.random((10, 3, 4), dtype=np.float32))
    np.save(d / "x_mlp.npy", rng.random((64, 256), dtype=np.float32))
    return [("tutorial WrapRNN (saved by pyts)", d / "tutorial_pyts.pt", d / "xs.npy"),
            ("tutorial WrapRNN (saved by torch)", d / "tutorial_torch.pt", d / "xs.npy"),
            ("MLP 256-512-512-10, batch 64 (torch)", d / "mlp_torch.pt", d / "x_mlp.npy")]


def size(path):
    return os.path.getsize(path) / 1e6


def stripped_size(path, d):
    out = d / (pathlib.Path(path).name + ".stripped")
    if not shutil.which("strip"):
        return float("nan")
    subprocess.run(["strip", "-o", str(out), str(path)], check=True)
    return size(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1, help="BLAS/intra-op threads for both (default 1)")
    args = ap.parse_args()
    cli = pyts.config.get_cli()
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "OPENBLAS_NUM_THREADS": str(args.threads)}
    with tempfile.TemporaryDirectory() as tmp:
        d = pathlib.Path(tmp)
        cases = build_archives(d)
        script = d / "torch_run.py"
        script.write_text(TORCH_SCRIPT)
        print(f"pyts-run {cli}\nBLAS {pyts._C.blas_name() if hasattr(pyts._C, 'blas_name') else '?'}; torch {torch.__version__}; "
              f"{args.threads} thread(s); median of {args.repeat} processes\n")
        print(f"{'whole process, one request':40s} {'pyts-run wall':>14s} {'cpu':>8s} {'torch wall':>12s} {'cpu':>8s} "
              f"{'wall ratio':>10s}")
        for name, model, inp in cases:
            pw, pc = median_times([cli, str(model), str(inp), "-o", str(d / "p"), "--threads", str(args.threads)],
                                  args.repeat, env)
            tw, tc = median_times([sys.executable, str(script), str(model), str(inp), str(d / "t.npy")], args.repeat, env)
            same = np.allclose(np.load(d / "p0.npy"), np.load(d / "t.npy"), rtol=1e-4, atol=1e-5)
            print(f"{name:40s} {pw * 1e3:11.1f} ms {pc * 1e3:5.0f} ms {tw * 1e3:9.1f} ms {tc * 1e3:5.0f} ms "
                  f"{tw / pw:9.1f}x{'' if same else '  (OUTPUTS DIFFER)'}")
        print(f"\n{'per call in a warm process':40s} {'pyts':>14s} {'torch':>12s} {'ratio':>8s}")
        for name, model, inp in cases:
            _, _, out = timed([cli, str(model), str(inp), "-o", str(d / "p"), "--bench", str(args.calls), "--threads",
                               str(args.threads)], env)
            pm = float(re.search(r"mean ([\d.]+) ms", out).group(1))
            _, _, out = timed([sys.executable, str(script), str(model), str(inp), str(d / "t.npy"), str(args.calls)], env)
            tm = float(re.search(r"per_call_ms ([\d.eE+-]+)", out).group(1))
            print(f"{name:40s} {pm * 1e3:11.1f} us {tm * 1e3:9.1f} us {tm / pm:7.2f}x")
        torch_lib = pathlib.Path(torch.__file__).parent / "lib"
        libtorch = torch_lib / "libtorch_cpu.so"
        print(f"\n{'size on disk':40s} {'as built':>10s} {'stripped':>10s}")
        rows = [("libpyts.so.0", pyts.config.get_library()), ("pyts-run", cli), ("libtorch_cpu.so", libtorch)]
        for label, path in rows:
            print(f"{label:40s} {size(path):7.2f} MB {stripped_size(path, d):7.2f} MB")
        vendored = sorted((pathlib.Path(pyts.__file__).parent / ".libs").glob("*.so*"))
        if vendored:
            print(f"{'+ vendored OpenBLAS (pyts/.libs)':40s} {sum(size(p) for p in vendored):7.2f} MB")
        print(f"{'all of torch/lib':40s} {sum(size(p) for p in torch_lib.glob('*.so*')):7.2f} MB")


if __name__ == "__main__":
    main()
