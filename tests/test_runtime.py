"""The pyts C runtime without Python: libpyts, pyts.h and pyts-run. Archives saved by pyts and by
PyTorch run through the CLI with PyTorch's outputs; examples/c/run_model.c and tests/c/test_api.c
build against the shipped header and library with the flags of `python -m pyts.config`; nothing
links libpython; bad archives and bad .npy files fail with status 1 and a message, usage errors
with status 2."""
import io
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pytest

import pyts
import pyts.config
import pyts.jit
from tutorial_models import tutorial

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
warnings.filterwarnings("ignore", message=".*TorchScript.*")

ROOT = pathlib.Path(__file__).resolve().parent.parent
CLI = pyts.config.get_cli()
CC = shutil.which("cc") or shutil.which("gcc")


def run(*args, cwd=None):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120)


def rand(*shape, seed=0, dtype=np.float32):
    return (np.random.default_rng(seed).random(shape) - 0.5).astype(dtype)


# ---------------------------------------------------------------- models built with pyts
# Parameters are frozen: the archives hold plain weights, outputs feed .numpy() directly.
Module = pyts.nn.Module


def frozen(t):
    return pyts.nn.Parameter(t, requires_grad=False)


class Linear(Module):
    def __init__(self, i, o, seed=0):
        super().__init__()
        self.weight = frozen(pyts.tensor(rand(o, i, seed=seed)))
        self.bias = frozen(pyts.tensor(rand(o, seed=seed + 100)))

    def forward(self, input):
        return pyts.nn.functional.linear(input, self.weight, self.bias)


class MLP(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear(8, 32, seed=1)
        self.fc2 = Linear(32, 16, seed=2)
        self.fc3 = Linear(16, 4, seed=3)

    def forward(self, x):
        return self.fc3(pyts.relu(self.fc2(pyts.relu(self.fc1(x)))))


def trace(mod, *inputs):
    return pyts.jit.trace_module(mod, {"forward": inputs}, check_trace=False)


TP, TT = tutorial(pyts), tutorial(torch)   # the seed's modules for each library


def pyts_tutorial():
    """The tutorial's WrapRNN: traced around a scripted MyRNNLoop, which loops over a traced
    MyCell holding a scripted MyDecisionGate. Returns (WrapRNN, MyRNNLoop)."""
    x, h = pyts.tensor(rand(3, 4, seed=1)), pyts.tensor(rand(3, 4, seed=2))
    traced_cell = trace(TP.MyCell(pyts.jit.script(TP.MyDecisionGate())), x, h)
    rnn_loop = pyts.jit.script(TP.MyRNNLoop(traced_cell))
    return trace(TP.WrapRNN(rnn_loop), pyts.tensor(rand(10, 3, 4, seed=3))), rnn_loop


# ---------------------------------------------------------------- the same in PyTorch
class TScalars(torch.nn.Module):
    """Methods taking ints, floats and lists; a raise; a tuple of mixed results."""

    def forward(self, x, k: int, s: float = 0.5):
        if k < 0:
            raise ValueError("k must not be negative")
        return x * s + k, x.sum()

    @torch.jit.export
    def double(self, x):
        return x + x


def torch_tutorial():
    tcell = torch.jit.trace(TT.MyCell(torch.jit.script(TT.MyDecisionGate())), (torch.rand(3, 4), torch.rand(3, 4)))
    return torch.jit.trace(TT.WrapRNN(torch.jit.script(TT.MyRNNLoop(tcell))), (torch.rand(10, 3, 4),))


def torch_mlp():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16), torch.nn.Tanh(),
                               torch.nn.Linear(16, 4))


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    """Every archive the tests run, by name: (path, reference function on numpy inputs)."""
    d = tmp_path_factory.mktemp("archives")
    out = {}
    wrap, loop = pyts_tutorial()
    mlp = trace(MLP(), pyts.tensor(rand(2, 8)))
    for name, m in (("pyts_tutorial", wrap), ("pyts_rnn_loop", loop), ("pyts_mlp", mlp)):
        pyts.jit.save(m, d / f"{name}.pt")
        out[name] = (d / f"{name}.pt", lambda *a, m=m: m(*map(pyts.tensor, a)))
    tmlp = torch_mlp()
    # scripted: Linear without bias (a None parameter), LayerNorm (its code hoists a function into
    # a variable and calls it); traced: a small CNN
    ln = torch.nn.Sequential(torch.nn.Linear(8, 16, bias=False), torch.nn.LayerNorm(16), torch.nn.Tanh(),
                             torch.nn.Linear(16, 4))
    cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(36, 10)).eval()
    for name, m in (("torch_tutorial", torch_tutorial()), ("torch_mlp_traced", torch.jit.trace(tmlp, torch.rand(2, 8))),
                    ("torch_mlp_scripted", torch.jit.script(tmlp)), ("torch_scalars", torch.jit.script(TScalars())),
                    ("torch_layernorm_scripted", torch.jit.script(ln)),
                    ("torch_cnn_traced", torch.jit.trace(cnn, torch.rand(2, 1, 8, 8)))):
        torch.jit.save(m, str(d / f"{name}.pt"))
        out[name] = (d / f"{name}.pt", lambda *a, m=m: m(*[torch.from_numpy(x) if isinstance(x, np.ndarray) else x for x in a]))
    return out


def as_numpy_list(r):
    if isinstance(r, (tuple, list)):
        return [x for item in r for x in as_numpy_list(item)]
    if hasattr(r, "detach"):
        r = r.detach()
    return [np.asarray(r.numpy())]


def cli_outputs(tmp_path, archive, *inputs, extra=()):
    paths = []
    for k, x in enumerate(inputs):
        if isinstance(x, np.ndarray):
            p = tmp_path / f"in{k}.npy"
            np.save(p, x)
            paths.append(p)
        else:
            paths.append(x)
    r = run(archive, *paths, "-o", tmp_path / "res", *extra)
    assert r.returncode == 0, r.stderr
    outs = []
    while (tmp_path / f"res{len(outs)}.npy").exists():
        outs.append(np.load(tmp_path / f"res{len(outs)}.npy"))
    return outs, r.stdout


# ---------------------------------------------------------------- archives run in the CLI
@pytest.mark.parametrize("name,inputs", [
    ("pyts_tutorial", [(10, 3, 4)]),
    ("pyts_rnn_loop", [(6, 3, 4)]),
    ("pyts_mlp", [(5, 8)]),
    ("torch_tutorial", [(10, 3, 4)]),
    ("torch_mlp_traced", [(5, 8)]),
    ("torch_mlp_scripted", [(7, 8)]),
    ("torch_layernorm_scripted", [(3, 8)]),
    ("torch_cnn_traced", [(2, 1, 8, 8)]),
])
def test_archives_run_with_the_outputs_of_their_library(archives, tmp_path, name, inputs):
    path, ref = archives[name]
    xs = [rand(*s, seed=11) for s in inputs]
    got, stdout = cli_outputs(tmp_path, path, *xs)
    want = as_numpy_list(ref(*xs))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    assert stdout.count("output ") == len(want)
    assert f"output 0: float32 [{', '.join(map(str, want[0].shape))}]" in stdout
    # pyts.jit.load compiles through the same C path (the extension and libpyts are separate
    # builds of the same sources: equal up to rounding)
    loaded = pyts.jit.load(path)
    for g, w in zip(as_numpy_list(loaded(*map(pyts.tensor, xs))), got):
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7)


def test_scalar_arguments_methods_defaults_and_raise(archives, tmp_path):
    path, ref = archives["torch_scalars"]
    x = rand(2, 3)
    got, stdout = cli_outputs(tmp_path, path, x, "int:3", "float:2.0")
    want = as_numpy_list(ref(x, 3, 2.0))
    assert len(got) == 2
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    got, _ = cli_outputs(tmp_path, path, x, "int:1")           # s takes its default
    np.testing.assert_allclose(got[0], as_numpy_list(ref(x, 1))[0], rtol=1e-6)
    got, _ = cli_outputs(tmp_path, path, x, extra=("--method", "double"))
    np.testing.assert_allclose(got[0], x + x)
    r = run(path, tmp_path / "in0.npy", "int:-1")
    assert r.returncode == 1 and "k must not be negative" in r.stderr
    r = run(path, tmp_path / "in0.npy", "float:1.5")             # float for the int parameter
    assert r.returncode == 1 and "Expected a value of type 'int' for argument 'k' but instead found type 'float'" in r.stderr
    r = run(path, tmp_path / "in0.npy")
    assert r.returncode == 1 and "missing a value for argument 'k'" in r.stderr
    # the same check guards calls from Python: a wrong kind is torch's RuntimeError, never a kernel crash
    with pytest.raises(RuntimeError, match="Expected a value of type 'Tensor' for argument 'x' but instead found type 'int'"):
        pyts.jit.load(path)(3, 4)
    r = run(path, tmp_path / "in0.npy", "--method", "nothing")
    assert r.returncode == 1 and "has no method 'nothing'" in r.stderr


class TDouble(torch.nn.Module):
    def forward(self, x):
        return x + x


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8,
                                   np.uint8, np.bool_])
def test_npy_dtypes_and_layouts(tmp_path, dtype):
    path = tmp_path / "double.pt"
    torch.jit.save(torch.jit.script(TDouble()), str(path))
    x = (np.random.default_rng(0).random((3, 5)) * 10).astype(dtype)
    for arr in (x, np.asfortranarray(x), x[:, 1:].copy(), np.asarray(x[0, 0])):
        got, _ = cli_outputs(tmp_path, path, arr)
        want = TDouble()(torch.from_numpy(arr.copy(order="C"))).numpy()
        assert got[0].dtype == want.dtype and got[0].shape == want.shape
        np.testing.assert_array_equal(got[0], want)


def test_npy_version_2_header_reads(tmp_path, archives):
    path, ref = archives["pyts_mlp"]
    x = rand(3, 8)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, x, version=(2, 0))
    (tmp_path / "v2.npy").write_bytes(buf.getvalue())
    got, _ = cli_outputs(tmp_path, path, tmp_path / "v2.npy")
    np.testing.assert_allclose(got[0], as_numpy_list(ref(x))[0], rtol=1e-5, atol=1e-6)


def test_info_describes_without_running(archives, tmp_path):
    r = run("--info", archives["pyts_tutorial"][0], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert re.search(r"\(root\): __torch__\.\S*WrapRNN\n\s+loop: __torch__\.\S*MyRNNLoop\n\s+cell: __torch__\.\S*MyCell", out)
    assert "forward(xs: Tensor) -> Tensor" in out
    assert "forward(xs: Tensor) -> Tuple[Tensor, Tensor]" in out
    assert "forward(x: Tensor, h: Tensor) -> Tuple[Tensor, Tensor]" in out
    assert "for i in range(torch.size(xs, 0)):" in out        # the code itself
    assert "if bool(torch.gt(torch.sum(x), 0)):" in out
    assert not list(tmp_path.iterdir())                        # nothing written
    r = run("--info", archives["torch_scalars"][0])
    assert "forward(x: Tensor, k: int, s: float) -> Tuple[Tensor, Tensor]" in r.stdout
    assert "double(x: Tensor) -> Tensor" in r.stdout


def test_bench_reports_latency(archives, tmp_path):
    _, stdout = cli_outputs(tmp_path, archives["pyts_mlp"][0], rand(4, 8), extra=("--bench", "20", "--threads", "1"))
    m = re.search(r"bench: load ([\d.]+) ms, first call ([\d.]+) ms, 20 calls: mean ([\d.]+) ms, min ([\d.]+) ms per call "
                  r"\(1 BLAS threads", stdout)
    assert m and float(m.group(4)) <= float(m.group(3))


def test_console_script_runs_the_binary(archives, tmp_path):
    # the pyts-run entry point execs the shipped executable
    r = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'pyts-run'; import pyts.config as c; c.run_main()",
                        "--info", str(archives["pyts_mlp"][0])], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0 and "module hierarchy:" in r.stdout, r.stderr


# ---------------------------------------------------------------- C programs against the shipped files
def config_flags():
    r = subprocess.run([sys.executable, "-m", "pyts.config", "--cflags", "--libs"], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert r.returncode == 0, r.stderr
    flags = r.stdout.split()
    assert flags[0] == "-I" + pyts.config.get_include() and os.path.exists(pyts.config.get_library())
    return flags


def compile_c(src, out):
    r = subprocess.run([CC, "-std=c11", "-Wall", "-Wextra", "-Werror", str(src), *config_flags(), "-lpthread", "-o", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return out


def test_run_model_example_matches_python(archives, tmp_path):
    exe = compile_c(ROOT / "examples" / "c" / "run_model.c", tmp_path / "run_model")
    for name, shape in (("pyts_tutorial", (10, 3, 4)), ("torch_mlp_scripted", (6, 8))):
        path, ref = archives[name]
        r = subprocess.run([str(exe), str(path), *map(str, shape)], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        x = ((np.arange(np.prod(shape)) % 17) / 8 - 1).astype(np.float32).reshape(shape)
        want = as_numpy_list(ref(x))[0]
        vals = [line for line in r.stdout.splitlines() if line.startswith("values ")][0]
        got = np.array([float(v) for v in vals.split()[1:]], np.float32).reshape(want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
        assert re.search(r"^method forward\((xs|input): Tensor\) -> Tensor$", r.stdout, re.M)


def test_c_api_contract(archives, tmp_path):
    exe = compile_c(ROOT / "tests" / "c" / "test_api.c", tmp_path / "test_api")
    r = subprocess.run([str(exe), str(archives["pyts_tutorial"][0])], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith("all ok"), r.stdout + r.stderr


def readelf_dynamic(path):
    return subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout


def test_no_python_in_the_runtime():
    lib, cli = pyts.config.get_library(), CLI
    for f in (lib, cli):
        dyn = readelf_dynamic(f)
        assert "python" not in dyn.lower(), dyn
        ldd = subprocess.run(["ldd", f], capture_output=True, text=True, check=True).stdout
        assert "libpython" not in ldd and "not found" not in ldd, ldd
    assert "Library soname: [libpyts.so.0]" in readelf_dynamic(lib)
    assert re.search(r"RUNPATH\)\s+Library runpath: \[\$ORIGIN/\.\./lib\]", readelf_dynamic(cli))
    # only the public API is exported
    syms = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True).stdout.split("\n")
    names = [s.split()[-1] for s in syms if s.strip()]
    assert names and all(n.startswith("pyts_") for n in names), [n for n in names if not n.startswith("pyts_")]
    header = (ROOT / "csrc" / "include" / "pyts" / "pyts.h").read_text()
    declared = set(re.findall(r"PYTS_API [^;]*?\b(pyts_\w+)\(", header))
    assert declared == set(names)
    for src in (ROOT / "csrc" / "runtime").rglob("*.[ch]"):
        assert "Python.h" not in src.read_text()


def test_makefile_builds_the_runtime_with_only_a_c_compiler(tmp_path, archives):
    out = tmp_path / "rt"
    r = subprocess.run(["make", "-C", str(ROOT / "csrc"), "-j", "2", "runtime", f"OUT={out}", "BLAS=none", "CFLAGS=-O1"],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "warning" not in r.stderr
    assert os.readlink(out / "libpyts.so") == "libpyts.so.0" and (out / "libpyts.a").exists()
    assert "Library soname: [libpyts.so.0]" in readelf_dynamic(out / "libpyts.so.0")
    x = rand(4, 8)
    np.save(tmp_path / "x.npy", x)
    r = subprocess.run([str(out / "pyts-run"), str(archives["torch_mlp_traced"][0]), str(tmp_path / "x.npy"), "-o",
                        str(tmp_path / "o"), "--bench", "3"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "builtin" in r.stdout, r.stderr
    np.testing.assert_allclose(np.load(tmp_path / "o0.npy"), as_numpy_list(archives["torch_mlp_traced"][1](x))[0],
                               rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- failures: status 1 with a message, 2 for usage
def expect_error(r, *fragments):
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith("pyts-run: ") and r.stderr.endswith("\n")
    for f in fragments:
        assert f in r.stderr, r.stderr


def test_bad_archives_fail_cleanly(archives, tmp_path):
    good = archives["pyts_tutorial"][0].read_bytes()
    x = tmp_path / "x.npy"
    np.save(x, rand(10, 3, 4))
    cases = {
        "missing": (None, "cannot open"),
        "empty": (b"", "archive"),
        "magic": (b"GIF89a" + good[6:], "archive"),
        "truncated_half": (good[: len(good) // 2], "archive"),
        "truncated_tail": (good[:-30], "archive"),
        "garbage": (os.urandom(4096), "archive"),
    }
    for name, (data, frag) in cases.items():
        p = tmp_path / f"{name}.pt"
        if data is not None:
            p.write_bytes(data)
        expect_error(run(p, x), frag)
        expect_error(run("--info", p), frag)
    expect_error(run(tmp_path, x), "")                          # a directory
    # a record changed inside a valid zip: the code file no longer parses
    bad = tmp_path / "badcode.pt"
    with zipfile.ZipFile(archives["pyts_mlp"][0]) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith(".py") and b"def forward" in data:
                data = data.replace(b"def forward", b"def forward(((", 1)
            zout.writestr(item, data)
    np.save(tmp_path / "x8.npy", rand(2, 8))
    r = run(bad, tmp_path / "x8.npy")
    expect_error(r, "did not compile")
    assert "File \"code/" in r.stderr and "^" in r.stderr


def npy_bytes(arr):
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


def test_bad_npy_files_fail_cleanly(archives, tmp_path):
    model = archives["pyts_mlp"][0]
    good = npy_bytes(rand(2, 8))
    header_end = good.index(b"\n") + 1

    def with_header(text, data=b""):
        h = text.encode()
        h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data

    cases = {
        "wrong_magic": (b"\x93NUMPX" + good[6:], "bad magic"),
        "empty": (b"", "bad magic"),
        "truncated_header": (good[:40], "truncated .npy header"),
        "truncated_data": (good[:-5], "truncated"),
        "trailing_bytes": (good + b"xx", "bytes after its data"),
        "huge_shape": (with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }"),
                       "too large"),
        "overflow_dim": (with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, ), }"),
                         "bad .npy header"),
        "too_many_dims": (with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, " * 17 + "), }"),
                          "bad .npy header"),
        "big_endian": (with_header("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 8), }", b"\0" * 64),
                       "big-endian"),
        "complex": (with_header("{'descr': '<c8', 'fortran_order': False, 'shape': (2, 8), }", b"\0" * 128),
                    "unsupported .npy dtype '<c8'"),
        "object": (with_header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\0" * 8),
                   "unsupported .npy dtype"),
        "bad_dict": (with_header("{'descr': '<f4', 'shape': (2, 8), }", b"\0" * 64), "bad .npy header"),
        "unknown_key": (with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8), 'x': 1}", b"\0" * 64),
                        "bad .npy header"),
        "header_len_past_end": (good[:8] + struct.pack("<H", 60000) + good[10:header_end], "truncated .npy header"),
        "version_9": (b"\x93NUMPY\x09\x00" + good[8:], "version 9.0"),
    }
    for name, (data, frag) in cases.items():
        p = tmp_path / f"{name}.npy"
        p.write_bytes(data)
        expect_error(run(model, p), f"{p}: ", frag)
    expect_error(run(model, tmp_path / "absent.npy"), "cannot open")
    # a readable file the model cannot use: wrong shape for the first layer
    np.save(tmp_path / "wrong.npy", rand(2, 7))
    expect_error(run(model, tmp_path / "wrong.npy"), "forward: ")
    # wrong number of inputs
    np.save(tmp_path / "ok.npy", rand(2, 8))
    expect_error(run(model, tmp_path / "ok.npy", tmp_path / "ok.npy"), "takes 1 arguments but 2 were given")
    expect_error(run(model), "missing a value for argument")
    # output that cannot be written
    expect_error(run(model, tmp_path / "ok.npy", "-o", tmp_path / "no" / "such" / "dir" / "x"), "cannot write")


@pytest.mark.parametrize("args,code,fragment", [
    ([], 2, "missing MODEL"),
    (["--frobnicate", "m.pt"], 2, "unknown option '--frobnicate'"),
    (["m.pt", "--bench"], 2, "option --bench needs a value"),
    (["m.pt", "--bench", "0"], 2, "positive integer"),
    (["m.pt", "--threads", "many"], 2, "positive integer"),
    (["m.pt", "--bench", "99999999999999999999"], 2, "positive integer"),
    (["--info", "m.pt", "x.npy"], 2, "--info takes only the MODEL"),
    (["m.pt", "-o", ""], 2, "output prefix is empty"),
])
def test_usage_errors_exit_2(args, code, fragment):
    r = run(*args)
    assert r.returncode == code and fragment in r.stderr and "usage: pyts-run" in r.stderr, r.stderr


def test_help_exits_0():
    r = run("--help")
    assert r.returncode == 0 and r.stdout.startswith("usage: pyts-run MODEL")
