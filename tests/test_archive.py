"""TorchScript archives both ways: pyts.jit.save output loads in torch.jit.load with the same
outputs, torch.jit.save output loads in pyts.jit.load with the same objects and tensors, and the
container follows PyTorch's layout. Bad archives raise pyts.jit.ArchiveError."""
import io
import os
import pickletools
import struct
import warnings
import zipfile
from typing import Dict, Optional

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning"),
              pytest.mark.filterwarnings("ignore:.*enable_nested_tensor.*:UserWarning")]
warnings.filterwarnings("ignore", message=".*TorchScript.*")

ArchiveError = pyts.jit.ArchiveError


# ---------------------------------------------------------------- modules to trace
# Parameters are frozen: the archives hold plain weights, outputs feed .numpy() directly.
Module = pyts.nn.Module


def frozen(t):
    return pyts.nn.Parameter(t, requires_grad=False)


class Linear(Module):
    def __init__(self, i, o, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.weight = frozen(pyts.from_numpy(rng.standard_normal((o, i)).astype(np.float32)))
        self.bias = frozen(pyts.from_numpy(rng.standard_normal(o).astype(np.float32)))

    def forward(self, x):
        return pyts.matmul(x, self.weight.t()) + self.bias


class MyCell(Module):
    def __init__(self):
        super().__init__()
        self.linear = Linear(4, 4)
        self.register_buffer("scale", pyts.from_numpy(np.array([1.0, 2.0, 0.5, -1.0], np.float32)))

    def forward(self, x, h):
        return pyts.tanh(self.linear(x) + h) * self.scale + 1


class Seq(Module):
    def __init__(self, *mods):
        super().__init__()
        for i, m in enumerate(mods):
            self._modules[str(i)] = m

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x


class Net(Module):
    def __init__(self):
        super().__init__()
        self.a = Linear(4, 3, 1)
        self.b = Linear(3, 2, 2)
        self.seq = Seq(Linear(2, 2, 3), Linear(2, 2, 4))

    def forward(self, x):
        return self.seq(pyts.tanh(self.b(self.a(x))))


MODPATH = Linear.__module__.replace(".", "/")   # code/__torch__/<this module>.py


def trace(mod, *inputs):
    return pyts.jit.trace_module(mod, {"forward": inputs}, check_trace=False)


def rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def torch_load(data):
    return torch.jit.load(io.BytesIO(data))


def pyts_save(m, **kw):
    b = io.BytesIO()
    pyts.jit.save(m, b, **kw)
    return b.getvalue()


def torch_save(m, **kw):
    b = io.BytesIO()
    torch.jit.save(m, b, **kw)
    return b.getvalue()


# ---------------------------------------------------------------- pyts -> torch
@pytest.mark.parametrize("make,inputs", [
    (MyCell, [(3, 4), (3, 4)]),
    (Net, [(5, 4)]),
])
def test_traced_module_runs_in_torch(make, inputs):
    xs = [rand(*s, seed=i) for i, s in enumerate(inputs)]
    m = trace(make(), *[pyts.from_numpy(x) for x in xs])
    want = m(*[pyts.from_numpy(x) for x in xs]).numpy()
    t = torch_load(pyts_save(m))
    got = t(*[torch.from_numpy(x) for x in xs]).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    # new inputs: the archive holds code, not recorded values
    xs2 = [rand(*s, seed=10 + i) for i, s in enumerate(inputs)]
    np.testing.assert_allclose(t(*[torch.from_numpy(x) for x in xs2]).detach().numpy(),
                               m(*[pyts.from_numpy(x) for x in xs2]).numpy(), rtol=1e-6, atol=1e-6)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(t.state_dict()[k].detach().numpy(), v.detach().numpy())
    assert list(t.state_dict()) == list(m.state_dict())


def test_clashing_class_names_are_mangled_like_torch():
    m = trace(Net(), pyts.from_numpy(rand(5, 4)))
    names = zipfile.ZipFile(io.BytesIO(pyts_save(m))).namelist()
    assert f"archive/code/__torch__/{MODPATH}.py" in names
    for k in range(3):
        assert f"archive/code/__torch__/{MODPATH}/___torch_mangle_{k}.py" in names
    t = torch_load(pyts_save(m))
    qn = {t.a._c._type().qualified_name(), t.b._c._type().qualified_name(),
          getattr(t.seq, "0")._c._type().qualified_name(), getattr(t.seq, "1")._c._type().qualified_name()}
    assert len(qn) == 4


def test_requires_grad_travels_both_ways():
    # each tensor's own flag is saved (a frozen parameter stays frozen, as torch saves it), and
    # loading gives leaves that require grad where the archive says so, as torch.jit.load does
    cell = MyCell()
    cell.linear.weight.requires_grad_(True)
    m = trace(cell, pyts.from_numpy(rand(3, 4)), pyts.from_numpy(rand(3, 4)))
    data = pyts_save(m)
    t = torch_load(data)
    assert t.linear.weight.requires_grad and not t.linear.bias.requires_grad
    assert not t.scale.requires_grad
    p = pyts.jit.load(io.BytesIO(data))
    assert p.linear.weight.requires_grad and p.linear.weight.is_leaf and not p.linear.bias.requires_grad
    assert not p.scale.requires_grad
    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), buf)
    q = pyts.jit.load(io.BytesIO(buf.getvalue()))
    assert q.weight.requires_grad and q.bias.requires_grad
    q(pyts.ones(1, 2)).sum().backward()          # gradients reach a loaded module's parameters
    np.testing.assert_allclose(q.weight.grad.detach().numpy(), np.ones((2, 2)))


def _version_of(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    folder = z.namelist()[0].split("/")[0]
    for rec in (".data/version", "version"):
        try:
            return z.read(f"{folder}/{rec}").decode(), rec
        except KeyError:
            pass
    raise AssertionError("no version record")


@pytest.mark.parametrize("body,version", [
    ("pyts.tanh(x) + 1", "3\n"),
    ("x * 2 - x", "3\n"),
    ("x / 2", "4\n"),
    ("pyts.div(x, x + 3)", "4\n"),
])
def test_version_record_follows_the_ops(body, version):
    class F(Module):
        def forward(self, x):
            return eval(body, {"pyts": pyts, "x": x})

    class T(torch.nn.Module):
        def forward(self, x):
            return eval(body.replace("pyts", "torch"), {"torch": torch, "x": x})

    x = rand(3)
    got = _version_of(pyts_save(trace(F(), pyts.from_numpy(x))))
    want = _version_of(torch_save(torch.jit.trace(T(), torch.from_numpy(x))))
    assert got == want == (version, "version")


def test_traced_function_saves_as_placeholder_module():
    def f(x, y):
        return pyts.tanh(x) + y * 2

    x, y = rand(3, seed=1), rand(3, seed=2)
    tf = pyts.jit.trace(f, (pyts.from_numpy(x), pyts.from_numpy(y)), check_trace=False)
    data = pyts_save(tf)
    src = zipfile.ZipFile(io.BytesIO(data)).read("archive/code/__torch__.py").decode()
    assert src.startswith("class PlaceholderModule(Module):\n")
    assert "  def forward(self: __torch__.PlaceholderModule,\n    x: Tensor,\n    y: Tensor) -> Tensor:\n" in src
    t = torch_load(data)
    np.testing.assert_allclose(t(torch.from_numpy(x), torch.from_numpy(y)).detach().numpy(),
                               tf(pyts.from_numpy(x), pyts.from_numpy(y)).numpy(), rtol=1e-6)


TRACED_FNS = {
    "view": "x.view(4, 3).t().contiguous()",
    "reshape_sum": "x.reshape(2, 6).sum(1, keepdim=True) * 2.5",
    "cat": "L.cat([x, x * 2], 1)",
    "mean": "x.transpose(0, 1).mean(0)",
    "scalars": "(x - 1.5) / 3 + 2 ** 0.5",
    "matmul": "L.matmul(x, x.t())",
    "shape_ops": "x.unsqueeze(0).permute(2, 0, 1).flatten(1).expand(2, 4, 3).amax(0)",
    "reductions": "x.prod(1) + x.std(0).sum() + x.var(1, keepdim=True).squeeze(1)",
    "full": "L.full((3, 4), 2.0) * x + L.zeros_like(x)",
    "arange": "x + L.arange(4.0)",
    "max_dim": "x.max(1)[0] + x.max(1)[1]",   # a two-result op
}


@pytest.mark.parametrize("name", list(TRACED_FNS))
def test_traced_code_compiles_in_torch(name):
    """What the code printer writes, torch's compiler accepts, with the version torch writes."""
    src = TRACED_FNS[name]
    x = np.random.default_rng(0).random((3, 4)).astype(np.float32)
    fns = []
    for lib in (pyts, torch):
        ns = {"L": lib, "__name__": "traced_fns"}
        exec(f"def f(x):\n    return {src}\n", ns)
        fns.append(ns["f"])
    pf = pyts.jit.trace(fns[0], (pyts.from_numpy(x.copy()),), check_trace=False)
    tf = torch.jit.trace(fns[1], (torch.from_numpy(x.copy()),))
    data = pyts_save(pf)
    t = torch_load(data)
    np.testing.assert_allclose(t(torch.from_numpy(x)).detach().numpy(), pf(pyts.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    assert _version_of(data) == _version_of(torch_save(tf))


# ---------------------------------------------------------------- container layout
def _local_headers(data):
    """(name, data offset, flags, method, extra) of every local header, in file order."""
    z = zipfile.ZipFile(io.BytesIO(data))
    out = []
    for info in z.infolist():
        off = info.header_offset
        sig, _, flags, method = struct.unpack_from("<IHHH", data, off)
        assert sig == 0x04034B50
        nlen, xlen = struct.unpack_from("<HH", data, off + 26)
        extra = data[off + 30 + nlen: off + 30 + nlen + xlen]
        out.append((info.filename, off + 30 + nlen + xlen, flags, method, extra, info))
    return out


def test_container_layout_matches_torch():
    m = trace(MyCell(), pyts.from_numpy(rand(3, 4)), pyts.from_numpy(rand(3, 4)))
    data = pyts_save(m, _extra_files={"meta.txt": "hello"})
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None                      # every CRC-32 is right
    names = z.namelist()
    assert names == ["archive/extra/meta.txt", "archive/data/0", "archive/data/1", "archive/data/2",
                     "archive/data.pkl", f"archive/code/__torch__/{MODPATH}.py",
                     "archive/constants/0", "archive/constants.pkl", "archive/version", "archive/byteorder"]
    for name, start, flags, method, extra, info in _local_headers(data):
        assert start % 64 == 0, name                # data aligned as torch aligns it
        assert flags == 0x0808
        assert extra[:2] == b"FB" and set(extra[4:]) <= {ord("Z")}
        assert method == (8 if name.endswith(".py") and info.file_size > 200 else 0)
        # a 16-byte data descriptor follows the data
        assert struct.unpack_from("<IIII", data, start + info.compress_size) == (
            0x08074B50, info.CRC, info.compress_size, info.file_size)
    # ZIP64 end records are always present, as torch writes them
    eocd = len(data) - 22
    assert data[eocd:eocd + 4] == b"PK\x05\x06"
    assert data[eocd - 20:eocd - 16] == b"PK\x06\x07"
    z64 = struct.unpack_from("<Q", data, eocd - 12)[0]
    assert data[z64:z64 + 4] == b"PK\x06\x06"
    assert z.read("archive/byteorder") == b"little"
    assert z.read("archive/extra/meta.txt") == b"hello"
    # torch reads the extra file back
    ex = {"meta.txt": ""}
    torch.jit.load(io.BytesIO(data), _extra_files=ex)
    assert ex["meta.txt"] in (b"hello", "hello")


PICKLER_OPS = {"PROTO", "STOP", "MARK", "GLOBAL", "BINPUT", "LONG_BINPUT", "BINGET", "LONG_BINGET",
               "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2", "TUPLE3", "NEWOBJ", "EMPTY_DICT", "EMPTY_LIST",
               "SETITEMS", "APPENDS", "BUILD", "REDUCE", "BINPERSID", "BINUNICODE", "BININT1", "BININT2",
               "BININT", "LONG1", "BINFLOAT", "NEWTRUE", "NEWFALSE", "NONE"}


def test_pickles_use_only_torchs_opcodes_and_share_storages():
    base = pyts.arange(24.0).reshape(4, 6)
    obj = pyts._C._make_object("__torch__.Holder", True, [
        ("training", "attribute", True),
        ("base", "buffer", base), ("view", "buffer", base[1:, ::2]), ("tview", "buffer", base.t()),
        ("again", "buffer", base),
        ("li", "attribute", [1, 2, 3]), ("lf", "attribute", [0.5]), ("ls", "attribute", ["a", "b"]),
        ("d", "attribute", {"k": 1, "j": 2}), ("t", "attribute", (1, 2.5, "s", None)),
        ("big", "attribute", 2 ** 40), ("neg", "attribute", -7), ("mid", "attribute", 70000),
    ])
    data = pyts_save(pyts.jit.ScriptModule(obj))
    z = zipfile.ZipFile(io.BytesIO(data))
    ops = {op.name for op, _, _ in pickletools.genops(z.read("archive/data.pkl"))}
    ops |= {op.name for op, _, _ in pickletools.genops(z.read("archive/constants.pkl"))}
    assert ops <= PICKLER_OPS
    assert [n for n in z.namelist() if "/data/" in n] == ["archive/data/0"]   # one storage, once
    t = torch_load(data)
    assert t.view.data_ptr() - t.base.data_ptr() == 6 * 4
    assert t.tview.stride() == (1, 6) and t.again.data_ptr() == t.base.data_ptr()
    np.testing.assert_array_equal(t.view.detach().numpy(), base[1:, ::2].detach().numpy())
    assert (t.li, t.lf, t.ls, t.d, t.t, t.big, t.neg, t.mid) == (
        [1, 2, 3], [0.5], ["a", "b"], {"k": 1, "j": 2}, (1, 2.5, "s", None), 2 ** 40, -7, 70000)
    src = z.read("archive/code/__torch__.py").decode()
    assert src.startswith("class Holder(Module):\n")
    assert "  li : List[int]\n  lf : List[float]\n  ls : List[str]\n  d : Dict[str, int]\n" in src
    assert "  t : Tuple[int, float, str, NoneType]\n" in src


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])
def test_every_dtype_both_ways(dtype):
    vals = [[0, 1, 2], [3, 4, 5]]
    x = pyts.tensor(vals, dtype=getattr(pyts, dtype))
    obj = pyts._C._make_object("__torch__.Holder", True, [
        ("training", "attribute", True), ("x", "buffer", x), ("s", "buffer", x[1]),
        ("z", "buffer", pyts.zeros(0, 2, dtype=getattr(pyts, dtype))), ("c", "buffer", x[0, 2])])
    data = pyts_save(pyts.jit.ScriptModule(obj))
    t = torch_load(data)
    assert t.x.dtype == getattr(torch, dtype) and t.z.shape == (0, 2) and t.c.dim() == 0
    assert t.x.tolist() == torch.tensor(vals, dtype=getattr(torch, dtype)).tolist()
    assert t.s.storage_offset() == 3 and t.c.storage_offset() == 2
    back = pyts.jit.load(io.BytesIO(torch_save(t)))
    assert back.x.dtype == x.dtype and back.s.storage_offset() == 3 and back.c.shape == ()
    assert back.x.double().numpy().tolist() == x.double().numpy().tolist()


# ---------------------------------------------------------------- torch -> pyts
class TSub(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(2, 3))

    def forward(self, x):
        return x @ self.w


class TAll(torch.nn.Module):
    d: Dict[str, int]
    ld: Dict[int, float]
    opt: Optional[torch.Tensor]

    def __init__(self):
        super().__init__()
        self.i, self.big, self.neg, self.f, self.b, self.s = 7, 2 ** 40, -7, 2.5, True, "héllo"
        self.tup = (1, 2.5, "s")
        self.li, self.lf, self.lb, self.ls = [1, 2, 3], [1.5], [True, False], ["x", "y"]
        self.d, self.ld, self.opt, self.dev = {"a": 1}, {1: 2.0}, None, torch.device("cpu")
        base = torch.arange(24, dtype=torch.float64).reshape(4, 6)
        self.register_buffer("base", base)
        self.register_buffer("view", base[1:, ::2])
        self.register_buffer("z0", torch.tensor(3, dtype=torch.int32))
        self.register_buffer("empty", torch.zeros(0, 3, dtype=torch.int16))
        self.register_buffer("h", torch.ones(3, dtype=torch.float16))
        self.register_buffer("bf", torch.ones(3, dtype=torch.bfloat16))
        self.tl = [torch.ones(2), torch.zeros(1)]
        self.seq = torch.nn.Sequential(TSub(), torch.nn.ReLU())
        self.l1 = torch.nn.Linear(3, 3)
        self.l2 = torch.nn.Linear(3, 3)

    def forward(self, x):
        return self.l2(self.l1(x)) + self.i / 2 + len(self.s)


@pytest.fixture(scope="module")
def torch_all():
    t = torch.jit.script(TAll())
    return t, torch_save(t, _extra_files={"info.json": b'{"a": 1}'})


def test_load_torch_scripted_module(torch_all):
    t, data = torch_all
    ex = {"info.json": "", "absent": "keep"}
    p = pyts.jit.load(io.BytesIO(data), _extra_files=ex)
    assert ex == {"info.json": b'{"a": 1}', "absent": "keep"}
    for name in ["i", "big", "neg", "f", "b", "s", "tup", "li", "lf", "lb", "ls", "d", "ld", "opt"]:
        assert getattr(p, name) == getattr(t, name), name
    assert p.dev == pyts.device("cpu") and repr(p.dev) == repr(t.dev)
    assert [x.numpy().tolist() for x in p.tl] == [x.numpy().tolist() for x in t.tl]
    assert repr(p) == repr(t)
    assert p.code == t.code
    assert list(p.state_dict()) == list(t.state_dict())
    for k, v in t.state_dict().items():
        got = p.state_dict()[k]
        assert got.shape == tuple(v.shape) and got.stride() == v.stride() and got.storage_offset() == v.storage_offset()
        np.testing.assert_array_equal(got.float().detach().numpy(), v.float().detach().numpy())
    assert [n for n, _ in p.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in p.named_buffers()] == [n for n, _ in t.named_buffers()]
    # views share their storage after loading
    p.base[1, 0] = 100.0
    assert float(p.view[0, 0]) == 100.0
    assert p.training is True and p.seq.training is True


def test_loaded_module_forward_runs_str_builtins(torch_all):
    p = pyts.jit.load(io.BytesIO(torch_all[1]))
    # forward's archive code (len() of a str attribute) compiles since the compiler has str builtins
    np.testing.assert_allclose(p(pyts.ones(2, 3)).detach().numpy(), torch_all[0](torch.ones(2, 3)).detach().numpy(), rtol=1e-6)
    # methods that compile are usable on their own (the loader compiles each method it can)
    np.testing.assert_allclose(p.l1(pyts.ones(2, 3)).detach().numpy(),
                               torch_all[0].l1(torch.ones(2, 3)).detach().numpy(), rtol=1e-6)
    assert f"code/__torch__/{MODPATH}.py" in p._archive.sources
    assert p._archive.version == 3                   # int / int is not an upgraded overload


def test_resave_loaded_torch_module_keeps_its_code(torch_all, tmp_path):
    t, data = torch_all
    p = pyts.jit.load(io.BytesIO(data))
    p.i = 11
    with pyts.no_grad():                  # a parameter requiring grad, as in torch
        p.l1.weight.mul_(0)
    path = tmp_path / "again.pt"
    pyts.jit.save(p, path)
    t2 = torch.jit.load(str(path))
    assert t2.i == 11 and float(t2.l1.weight.detach().abs().sum()) == 0
    x = torch.ones(2, 3)
    with torch.no_grad():
        t.i = 11
        t.l1.weight.mul_(0)
        np.testing.assert_allclose(t2(x).detach().numpy(), t(x).detach().numpy())
    assert zipfile.ZipFile(str(path)).namelist()[0].startswith("again/")


def test_load_torch_traced_module_of_pyts_structure():
    class TCell(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(4, 4)
            self.register_buffer("scale", torch.ones(4))

        def forward(self, x, h):
            return torch.tanh(self.linear(x) + h) * self.scale + 1

    tm = torch.jit.trace(TCell(), (torch.randn(3, 4), torch.randn(3, 4)))
    p = pyts.jit.load(io.BytesIO(torch_save(tm)))
    assert p.code == tm.code and repr(p) == "RecursiveScriptModule(\n  original_name=TCell\n  (linear): RecursiveScriptModule(original_name=Linear)\n)"
    consts = p._archive.constants
    assert len(consts) == 1 and int(consts[0]) == 1 and consts[0].dtype == pyts.int64


# ---------------------------------------------------------------- files, paths, atomicity
def test_paths_streams_and_folders(tmp_path):
    m = trace(MyCell(), pyts.from_numpy(rand(3, 4)), pyts.from_numpy(rand(3, 4)))
    p1 = tmp_path / "model.pt"
    pyts.jit.save(m, str(p1))
    assert zipfile.ZipFile(p1).namelist()[0].startswith("model/")
    p2 = tmp_path / "other.bin"
    pyts.jit.save(m, p2)                                    # os.PathLike
    assert zipfile.ZipFile(p2).namelist()[0].startswith("other/")
    m.save(str(tmp_path / "third.pt"))
    for p in (p1, p2, tmp_path / "third.pt"):
        assert repr(pyts.jit.load(p)) == repr(pyts.jit.load(str(p)))
        torch.jit.load(str(p))
    with open(p1, "rb") as fh:
        assert pyts.jit.load(fh).scale.shape == (4,)
    assert sorted(os.listdir(tmp_path)) == ["model.pt", "other.bin", "third.pt"]
    assert oct(os.stat(p1).st_mode & 0o777) == oct(0o666 & ~_umask())
    with pytest.raises(ValueError, match="does not exist"):
        pyts.jit.load(tmp_path / "missing.pt")
    with pytest.raises(ValueError, match="is a directory"):
        pyts.jit.load(tmp_path)
    assert pyts.jit.load(p1, map_location="cpu").scale.shape == (4,)
    with pytest.raises(RuntimeError, match="CPU only"):
        pyts.jit.load(p1, map_location="cuda:0")


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_failed_save_leaves_no_file(tmp_path):
    bad = pyts._C._make_object("__torch__.Bad", True, [("training", "attribute", True),
                                                      ("mixed", "attribute", [1, "two"])])
    target = tmp_path / "bad.pt"
    with pytest.raises(TypeError, match="mixing int and str"):
        pyts.jit.save(pyts.jit.ScriptModule(bad), target)
    assert os.listdir(tmp_path) == []
    # an existing file survives a failed save untouched
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        pyts.jit.save(pyts.jit.ScriptModule(bad), target)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["bad.pt"]


def test_disk_error_during_save_cleans_up(tmp_path, monkeypatch):
    m = trace(MyCell(), pyts.from_numpy(rand(3, 4)), pyts.from_numpy(rand(3, 4)))
    target = tmp_path / "m.pt"
    target.write_bytes(b"old")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        pyts.jit.save(m, target)
    assert os.listdir(tmp_path) == ["m.pt"] and target.read_bytes() == b"old"


def test_self_containing_object_cannot_be_saved():
    o = pyts._C._make_object("__torch__.Loop", True, [("training", "attribute", True), ("me", "attribute", None)])
    o._set("me", o)
    try:
        with pytest.raises((ValueError, TypeError)):
            pyts_save(pyts.jit.ScriptModule(o))
    finally:
        o._set("me", None)


# ---------------------------------------------------------------- bad archives
def _pk(*parts):
    return b"\x80\x02" + b"".join(parts) + b"."


def _glob(mod, name):
    return b"c" + mod.encode() + b"\n" + name.encode() + b"\n"


def _s(text):
    b = text.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def _i(v):
    if 0 <= v < 256:
        return b"K" + bytes([v])
    if -2 ** 31 <= v < 2 ** 31:
        return b"J" + struct.pack("<i", v)
    return b"\x8a\x08" + struct.pack("<q", v)


def _tensor(key="0", storage="FloatStorage", numel=4, offset=0, size=(4,), stride=(1,)):
    return (_glob("torch._utils", "_rebuild_tensor_v2") + b"((" + _s("storage") + _glob("torch", storage) +
            _s(key) + _s("cpu") + _i(numel) + b"tQ" + _i(offset) + b"(" + b"".join(map(_i, size)) + b"t(" +
            b"".join(map(_i, stride)) + b"t\x89" + _glob("collections", "OrderedDict") + b")Rt" + b"R")


def _obj(qual, attrs):
    mod, name = qual.rsplit(".", 1)
    return _glob(mod, name) + b")\x81}(" + b"".join(_s(k) + v for k, v in attrs) + b"ub"


CODE = 'class M(Module):\n  __parameters__ = []\n  __buffers__ = ["t", ]\n  t : Tensor\n  training : bool\n'


def _archive(records=None, drop=(), folder="archive"):
    rec = {"version": b"3\n", "constants.pkl": _pk(b")"), "code/__torch__.py": CODE.encode(),
           "data.pkl": _pk(_obj("__torch__.M", [("t", _tensor()), ("training", b"\x88")])),
           "data/0": np.arange(4, dtype=np.float32).tobytes()}
    rec.update(records or {})
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for k, v in rec.items():
            if k not in drop:
                z.writestr(f"{folder}/{k}", v)
    return b.getvalue()


def test_handmade_archive_loads():
    m = pyts.jit.load(io.BytesIO(_archive()))
    assert m.t.numpy().tolist() == [0, 1, 2, 3] and m.training is True
    # the same archive is acceptable to torch: the hand-made format matches torch's
    assert torch_load(_archive()).t.tolist() == [0, 1, 2, 3]


BAD = [
    ("not a zip", lambda: b"hello world" * 10, "zip"),
    ("empty", lambda: b"", "too short"),
    ("legacy pickle", lambda: b"\x80\x02}q\x00." + b"\0" * 30, "legacy torch.save"),
    ("no version", lambda: _archive(drop=["version"]), "version"),
    ("version 11", lambda: _archive({"version": b"11\n"}), "version 11 is not supported"),
    ("version text", lambda: _archive({"version": b"three"}), "not a number"),
    ("no constants.pkl", lambda: _archive(drop=["constants.pkl"]), "constants.pkl"),
    ("no data.pkl", lambda: _archive(drop=["data.pkl"]), "data.pkl"),
    ("missing storage record", lambda: _archive(drop=["data/0"]), "storage record 'data/0' is missing"),
    ("storage size mismatch", lambda: _archive({"data/0": b"\0" * 8}), "holds 8 bytes"),
    ("huge declared storage", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(numel=2 ** 40, size=(2 ** 40,))), ("training", b"\x88")]))}), "declares"),
    ("tensor past its storage", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(size=(5,))), ("training", b"\x88")]))}), "reaches element 4"),
    ("offset past its storage", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(offset=9, size=(0,))), ("training", b"\x88")]))}), "offset 9"),
    ("negative stride", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(stride=(-1,))), ("training", b"\x88")]))}), "negative"),
    ("stride overflow", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(size=(2, 2), stride=(2 ** 62, 2 ** 62))), ("training", b"\x88")]))}), "overflows"),
    ("too many dims", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(size=(1,) * 17, stride=(1,) * 17)), ("training", b"\x88")]))}), "at most 16"),
    # complex64/complex128 storages load (tests/test_complex_tensor.py); complex32 does not
    ("complex-half storage", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(storage="ComplexHalfStorage")), ("training", b"\x88")]))}), "ComplexHalfStorage"),
    ("unknown global", lambda: _archive({"data.pkl": _pk(_glob("os", "system") + _s("ls") + b"\x85R")}),
     "global 'os.system' is not allowed"),
    ("unknown torch global", lambda: _archive({"data.pkl": _pk(_glob("torch", "load") + b")R")}),
     "unknown torch global"),
    ("builtins eval", lambda: _archive({"data.pkl": _pk(_glob("builtins", "eval") + _s("1") + b"\x85R")}),
     "not allowed"),
    ("torchbind", lambda: _archive({"data.pkl": _pk(_glob("__torch__.torch.classes.q", "P") + b")\x81})")}),
     "TorchBind"),
    ("protocol 4", lambda: _archive({"data.pkl": b"\x80\x04K\x01."}), "protocol 2"),
    ("python pickle", lambda: _archive({"data.pkl": __import__("pickle").dumps({"a": 1}, protocol=2)}),
     "already shared"),
    ("short binunicode", lambda: _archive({"data.pkl": _pk(b"\x8c\x01a")}), "opcode 0x8c"),
    ("no STOP", lambda: _archive({"data.pkl": b"\x80\x02K\x01"}), "no STOP"),
    ("data after STOP", lambda: _archive({"data.pkl": _pk(b"N") + b"N"}), "after STOP"),
    ("stack underflow", lambda: _archive({"data.pkl": _pk(b"\x86")}), "underflow"),
    ("memo never stored", lambda: _archive({"data.pkl": _pk(b"h\x05")}), "never stored"),
    ("huge memo id", lambda: _archive({"data.pkl": _pk(b"Nr\xff\xff\xff\xff")}), "out of range"),
    ("deep nesting", lambda: _archive({"data.pkl": _pk(b"(" * 3000 + b"t" * 3000)}), "nest deeper"),
    # L[k+1] = [L[k], L[k]]: 60 levels would expand to 2**60 entries
    ("exponential sharing", lambda: _archive({"data.pkl": _pk(
        b"]q\x00" + b"".join(b"(h" + bytes([k]) + b"h" + bytes([k]) + b"lq" + bytes([k + 1]) for k in range(60)))}),
     "expand to more than"),
    ("cycle through memo", lambda: _archive({"data.pkl": _pk(b"]q\x00h\x00a")}), "already shared"),
    ("result is not an object", lambda: _archive({"data.pkl": _pk(b"K\x01")}), "module object"),
    ("missing attribute", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [("t", _tensor())]))}),
     "'training' of class '__torch__.M' is missing"),
    ("wrong attribute type", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _i(3)), ("training", b"\x88")]))}), "does not hold a Tensor"),
    ("missing class code", lambda: _archive(drop=["code/__torch__.py"]), "no code file"),
    ("missing class definition", lambda: _archive({"code/__torch__.py": b"class N(Module):\n  x : int\n"}),
     "no definition of class"),
    ("bad annotation", lambda: _archive({"code/__torch__.py": CODE.replace("bool", "boo[l").encode()}),
     "type"),
    ("unknown annotation", lambda: _archive({"code/__torch__.py": CODE.replace("bool", "Widget").encode()}),
     "unsupported type name 'Widget'"),
    ("code not utf8", lambda: _archive({"code/__torch__.py": CODE.encode() + b"\xff"}), "UTF-8"),
    ("string not utf8", lambda: _archive({"data.pkl": _pk(b"X\x01\x00\x00\x00\xff")}), "UTF-8"),
    ("big endian", lambda: _archive({"byteorder": b"big"}), "little-endian"),
    ("no folder", lambda: _make_zip({"data.pkl": b""}), "top folder"),
    ("long1 of 3 bytes", lambda: _archive({"data.pkl": _pk(b"\x8a\x03abc")}), "LONG1"),
    ("dict with list key", lambda: _archive({"data.pkl": _pk(b"}(]K\x01u")}), "key"),
    ("typed list mismatch", lambda: _archive({"data.pkl": _pk(_glob("torch.jit._pickle", "build_intlist") +
                                                              b"(](" + _s("x") + b"etR")}), "typed list"),
    ("type tag mismatch", lambda: _archive({"data.pkl": _pk(_glob("torch.jit._pickle", "restore_type_tag") +
                                                            b"](K\x01e" + _s("List[str]") + b"\x86R")}),
     "type tag"),
    ("storage key escapes", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(key="../code/x")), ("training", b"\x88")]))}), "bad storage key"),
    ("int tensor requires grad", lambda: _archive({"data.pkl": _pk(_obj("__torch__.M", [
        ("t", _tensor(storage="LongStorage", numel=2, size=(2,)).replace(b"t\x89", b"t\x88")),
        ("training", b"\x88")])),
        "data/0": b"\0" * 16}), "cannot require grad"),
    ("setstate class", lambda: _archive({"code/__torch__.py": (CODE + "  def __setstate__(self: __torch__.M,\n"
                                                               "    state: bool) -> None:\n    return None\n").encode()}),
     "__setstate__"),
]


def _make_zip(records):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for k, v in records.items():
            z.writestr(k, v)
    return b.getvalue()


@pytest.mark.parametrize("name,make,msg", BAD, ids=[b[0] for b in BAD])
def test_bad_archive_raises_archive_error(name, make, msg):
    with pytest.raises(ArchiveError, match=msg):
        pyts.jit.load(io.BytesIO(make()))


def test_archive_error_is_a_runtime_error():
    assert issubclass(ArchiveError, RuntimeError)


def _cd_offset(data):
    return struct.unpack_from("<I", data, len(data) - 6)[0]


def test_zip_structure_checks():
    good = _archive()
    z = zipfile.ZipFile(io.BytesIO(good))
    info = z.getinfo("archive/data/0")
    cd = _cd_offset(good)
    # a central directory entry claiming a size past the directory
    i = good.index(b"PK\x01\x02", cd)
    bad = bytearray(good)
    struct.pack_into("<I", bad, i + 20, 10 ** 9)
    with pytest.raises(ArchiveError):
        pyts.jit.load(io.BytesIO(bytes(bad)))
    # corrupt stored tensor bytes are not CRC-checked (as PyTorch, whose miniz is built with
    # MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS; see SECURITY.md): both load the changed value
    bad = bytearray(good)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    bad[start] ^= 0xFF
    p_t = pyts.jit.load(io.BytesIO(bytes(bad))).t.numpy()
    np.testing.assert_array_equal(p_t, torch.jit.load(io.BytesIO(bytes(bad))).t.detach().numpy())
    assert (p_t != np.arange(4, dtype=np.float32)).any()
    # records that are parsed keep their CRC check
    for rec in ("archive/data.pkl", "archive/constants.pkl"):
        ri = z.getinfo(rec)
        bad = bytearray(good)
        bad[ri.header_offset + 30 + len(ri.filename) + len(ri.extra)] ^= 0x01
        with pytest.raises(ArchiveError, match="CRC-32"):
            pyts.jit.load(io.BytesIO(bytes(bad)))
    # a deflated entry that declares an impossible size (a zip bomb's claim)
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compression=zipfile.ZIP_DEFLATED) as zz:
        for n in z.namelist():
            zz.writestr(n, z.read(n))
    bomb = bytearray(b.getvalue())
    cd = _cd_offset(bomb)
    k = bomb.index(b"archive/data/0", cd) - 46
    struct.pack_into("<I", bomb, k + 24, 0xFFFFFFF0)
    with pytest.raises(ArchiveError, match="impossible size"):
        pyts.jit.load(io.BytesIO(bytes(bomb)))
    # two entries sharing their bytes
    dup = bytearray(good)
    entries = [m for m in range(cd, len(dup) - 4) if dup[m:m + 4] == b"PK\x01\x02"]
    off0 = struct.unpack_from("<I", dup, entries[0] + 42)[0]
    struct.pack_into("<I", dup, entries[1] + 42, off0)
    with pytest.raises(ArchiveError):
        pyts.jit.load(io.BytesIO(bytes(dup)))


def test_deflated_and_zip64_archives_from_other_writers_load():
    z = zipfile.ZipFile(io.BytesIO(_archive()))
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for n in z.namelist():
            with out.open(n, "w", force_zip64=True) as fh:
                fh.write(z.read(n))
    m = pyts.jit.load(io.BytesIO(b.getvalue()))
    assert m.t.numpy().tolist() == [0, 1, 2, 3]


def test_out_of_memory_anywhere_is_a_clean_error():
    """Fail the n-th C allocation of a load and of a save, for every n: MemoryError (or the
    archive error it causes), never a crash or a half-built result."""
    m = trace(MyCell(), pyts.from_numpy(rand(3, 4)), pyts.from_numpy(rand(3, 4)))
    data = pyts_save(m)
    outcomes = set()
    # (600: compiling the archive code also records torch's value names, tests/test_graph_names.py)
    for n in range(600):
        pyts._C._alloc_fail_after(n)
        try:
            pyts.jit.load(io.BytesIO(data))
            outcomes.add("ok")
        except (MemoryError, ArchiveError):
            outcomes.add("error")
        finally:
            pyts._C._alloc_fail_after(-1)
        pyts._C._alloc_fail_after(n)
        try:
            pyts_save(m)
        except MemoryError:
            pass
        finally:
            pyts._C._alloc_fail_after(-1)
    assert outcomes == {"ok", "error"}
    assert repr(pyts.jit.load(io.BytesIO(data))).startswith("RecursiveScriptModule")


def test_deflated_records_inflate_within_their_claims():
    """Deflated records (other writers deflate everything) load; one claiming more bytes than
    its stream holds is an error found by inflating, not by allocating the claim."""
    z = zipfile.ZipFile(io.BytesIO(_archive({"data/0": np.arange(4000, dtype=np.float32).tobytes(),
                                              "data.pkl": _pk(_obj("__torch__.M", [
                                                  ("t", _tensor(numel=4000, size=(4000,))),
                                                  ("training", b"\x88")]))})))
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for n in z.namelist():
            out.writestr(n, z.read(n))
    good = b.getvalue()
    assert pyts.jit.load(io.BytesIO(good)).t.numpy().tolist() == list(range(4000))
    info = zipfile.ZipFile(io.BytesIO(good)).getinfo("archive/data.pkl")
    for claim, msg in [(info.file_size + 4, "less than its declared size"), (info.file_size - 4, "more than"),
                       (info.compress_size * 1000, "less than its declared size")]:
        bad = bytearray(good)
        cd = struct.unpack_from("<I", bad, len(bad) - 6)[0]
        k = bad.index(b"archive/data.pkl", cd) - 46
        struct.pack_into("<I", bad, k + 24, claim)
        with pytest.raises(ArchiveError, match=msg):
            pyts.jit.load(io.BytesIO(bytes(bad)))


def test_empty_and_garbage_files_on_disk(tmp_path):
    (tmp_path / "empty.pt").write_bytes(b"")
    (tmp_path / "junk.pt").write_bytes(os.urandom(5000))
    for name in ("empty.pt", "junk.pt"):
        with pytest.raises(ArchiveError):
            pyts.jit.load(tmp_path / name)


@pytest.mark.parametrize("make,inputs", [
    (lambda: torch.nn.Conv2d(3, 4, 3, padding=1), ((1, 3, 8, 8),)),
    (lambda: torch.nn.MultiheadAttention(8, 2), ((3, 1, 8),) * 3),
    (lambda: torch.nn.LSTM(4, 5, 2), ((3, 1, 4),)),
    (lambda: torch.nn.TransformerEncoderLayer(8, 2, 16).eval(), ((3, 1, 8),)),
])
@pytest.mark.parametrize("how", ["script", "trace"])
def test_load_torch_nn_modules(make, inputs, how):
    """Real modules: Final constants, None parameters, mangled names, library code files."""
    torch.manual_seed(0)
    m = make()
    args = tuple(torch.randn(*s) for s in inputs)
    t = torch.jit.script(m) if how == "script" else torch.jit.trace(m, args)
    data = torch_save(t)
    tl, p = torch_load(data), pyts.jit.load(io.BytesIO(data))
    assert repr(p) == repr(tl)
    assert list(p.state_dict()) == list(tl.state_dict())
    for k, v in tl.state_dict().items():
        assert p.state_dict()[k].numpy().tolist() == v.numpy().tolist()
    if how == "script" and isinstance(m, torch.nn.Conv2d):
        assert (p.kernel_size, p.padding_mode, p.groups) == (tl.kernel_size, tl.padding_mode, tl.groups)
    # unchanged re-save keeps the archive's own code: torch runs it as before
    back = torch_load(pyts_save(p))
    if hasattr(tl, "forward"):
        want, got = tl(*args), back(*args)
        want, got = (want[0], got[0]) if isinstance(want, tuple) else (want, got)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6, atol=1e-6)
