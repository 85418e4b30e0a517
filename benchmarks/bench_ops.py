"""Per-call time of a few ops in pyts, NumPy and PyTorch, side by side.

Overhead-bound: a + b, a * b, tanh(a), a.sum() on a 3x4 float32 tensor and 3x4 @ 4x4.
Bandwidth-bound: the same elementwise ops and sum on 1,000,000 float32 elements.
Compute-bound: 1024x1024 @ 1024x1024 float32.

Each time is the best of several timeit repeats, per call. All three libraries use the same
number of threads (--threads, default 1). An op a library lacks prints as n/a.

    python benchmarks/bench_ops.py [--threads N] [--quick]
"""
import argparse
import os
import sys
import timeit

ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
ap.add_argument("--threads", type=int, default=1, help="threads for every library (default 1)")
ap.add_argument("--quick", action="store_true", help="fewer repeats (a rough number in seconds)")
ARGS = ap.parse_args()

# NumPy's BLAS reads its thread count at load time: set it before anything imports numpy
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pyts  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:  # the table still shows pyts and NumPy
    torch = None

REPEATS = 3 if ARGS.quick else 7
TARGET = 0.02 if ARGS.quick else 0.05   # seconds per repeat


def calibrate(fn):
    """Calls per repeat so one repeat takes about TARGET seconds."""
    fn()  # warm up (and fail here, before timing, when the op is missing)
    timer = timeit.Timer(fn)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= TARGET / 5 or number >= 1 << 22:
            break
        number *= 4
    return timer, max(1, int(number * TARGET / max(elapsed, 1e-9)))


def per_call(fns):
    """Best per-call seconds of each library's callable. Libraries are timed in alternation,
    repeat by repeat, so that load from other processes hits them alike."""
    timers = {k: calibrate(f) for k, f in fns.items()}
    best = {k: float("inf") for k in fns}
    for _ in range(REPEATS):
        for k, (timer, number) in timers.items():
            best[k] = min(best[k], timer.timeit(number) / number)
    return best


def fmt(t):
    if t is None:
        return "n/a"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def ratio(a, b):
    return "n/a" if a is None or b is None else f"{a / b:.2f}x"


def to_numpy(x):
    return x if isinstance(x, np.ndarray) else np.asarray(x.detach().numpy() if hasattr(x, "detach") else x)


def cases():
    rng = np.random.default_rng(0)

    def arr(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    small_a, small_b, small_m = arr(3, 4), arr(3, 4), arr(4, 4)
    big_a, big_b = arr(1_000_000), arr(1_000_000)
    mm_a, mm_b = arr(1024, 1024), arr(1024, 1024)
    ops = [
        ("a + b", lambda L, a, b: lambda: a + b),
        ("a * b", lambda L, a, b: lambda: a * b),
        ("tanh(a)", lambda L, a, b: (lambda: np.tanh(a)) if L is np else (lambda: L.tanh(a))),
        ("a.sum()", lambda L, a, b: lambda: a.sum()),
    ]
    out = []
    for name, make in ops:
        out.append((name, "3x4", make, small_a, small_b))
    out.append(("a @ b", "3x4 @ 4x4", lambda L, a, b: lambda: a @ b, small_a, small_m))
    for name, make in ops:
        out.append((name, "1e6", make, big_a, big_b))
    out.append(("a @ b", "1024^2 @ 1024^2", lambda L, a, b: lambda: a @ b, mm_a, mm_b))
    return out


def blas_names():
    names = {"pyts": pyts._C.blas_name()}
    try:
        cfg = np.__config__.CONFIG["Build Dependencies"]["blas"]
        names["numpy"] = f"{cfg.get('name')} {cfg.get('version')}"
    except (AttributeError, KeyError, TypeError):
        names["numpy"] = "?"
    if torch is not None:
        info = [w for w in torch.__config__.show().replace(",", " ").split() if w.startswith("BLAS_INFO=")]
        names["torch"] = info[0].split("=", 1)[1] if info else "?"
    return names


def main():
    pyts.set_num_threads(ARGS.threads)
    libs = [("pyts", pyts, lambda x: pyts.from_numpy(x.copy())), ("numpy", np, lambda x: x.copy())]
    if torch is not None:
        torch.set_num_threads(ARGS.threads)
        libs.append(("torch", torch, lambda x: torch.from_numpy(x.copy())))
    print(f"threads: {ARGS.threads} (pyts {pyts.get_num_threads()}"
          + (f", torch {torch.get_num_threads()})" if torch is not None else ")"))
    for k, v in blas_names().items():
        print(f"BLAS {k}: {v}")
    head = f"{'op':<9} {'size':<16} {'pyts':>10} {'numpy':>10} {'torch':>10} {'pyts/torch':>11} {'pyts/numpy':>11}"
    print(head)
    print("-" * len(head))
    for name, size, make, a, b in cases():
        times, results, fns = {}, {}, {}
        for lname, L, conv in libs:
            try:
                fn = make(L, conv(a), conv(b))
                results[lname] = to_numpy(fn())
                fns[lname] = fn
            except Exception as e:  # noqa: BLE001 - a missing op is reported, not fatal
                results[lname] = f"{type(e).__name__}"
        times = per_call(fns)
        flag = ""
        p, n = results.get("pyts"), results.get("numpy")
        if isinstance(p, np.ndarray) and isinstance(n, np.ndarray):
            scale = max(1.0, float(np.abs(n).max()))
            if p.shape != n.shape or not np.allclose(p, n, rtol=1e-3, atol=1e-3 * scale):
                flag = "  (pyts result differs!)"
        print(f"{name:<9} {size:<16} {fmt(times.get('pyts')):>10} {fmt(times.get('numpy')):>10} "
              f"{fmt(times.get('torch')):>10} {ratio(times.get('pyts'), times.get('torch')):>11} "
              f"{ratio(times.get('pyts'), times.get('numpy')):>11}{flag}")
    print("targets: overhead-bound (3x4) pyts/torch <= 0.5x and pyts/numpy <= 1x; "
          "1e6 elementwise pyts/numpy <= 1.2x; 1024^2 matmul pyts/torch <= 1.1x")


if __name__ == "__main__":
    main()
