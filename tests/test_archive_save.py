"""The streaming archive writer: pyts.jit.save writes records straight to the temporary file (or
the file object) from the tensors' own memory, with the writer's own CRC-32. The bytes are those of
the in-memory writer, torch loads them, and a write that fails part-way (file size limit, a file
object that raises) leaves no file behind and raises the OS's error."""
import io
import os
import subprocess
import sys
import textwrap
import warnings
import zipfile
import zlib

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")
pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]
warnings.filterwarnings("ignore", message=".*TorchScript.*")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Net(pyts.nn.Module):
    """Big tensors (written from their memory) next to small ones (staged with the headers)."""

    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(0)
        self.big = pyts.nn.Linear(300, 200)     # 240 kB of weights: above the direct-write size
        self.small = pyts.nn.Linear(3, 2)
        self.register_buffer("ids", pyts.from_numpy(rng.integers(0, 9, 70000).astype(np.int64)))

    def forward(self, x):
        return self.small(self.big(x)[:, :3]) + self.ids[:2].to(pyts.float32)


def traced():
    return pyts.jit.trace(Net(), (pyts.rand(4, 300),))


@pytest.mark.parametrize("portable", [False, True])
def test_crc32_matches_zlib(portable):
    rng = np.random.default_rng(1)
    data = rng.integers(0, 256, 5000, dtype=np.uint8).tobytes()
    for n in list(range(0, 200)) + [255, 256, 1000, 4095, 4096, 4999 - 7]:
        for off in (0, 1, 5, 7):
            chunk = data[off:off + n]
            assert pyts._C._crc32(chunk, portable) == zlib.crc32(chunk), (n, off)
    big = rng.integers(0, 256, 3 << 20, dtype=np.uint8).tobytes()
    assert pyts._C._crc32(big, portable) == zlib.crc32(big)
    assert pyts._C._crc32(b"", portable) == 0


def test_streamed_file_equals_memory_archive_and_torch_loads_it(tmp_path):
    m = traced()
    path = tmp_path / "archive.pt"        # folder "archive", as for streams
    pyts.jit.save(m, path)
    bio = io.BytesIO()
    pyts.jit.save(m, bio)
    in_memory = pyts._C._save(m._c, None, "archive")
    assert path.read_bytes() == bio.getvalue() == in_memory
    z = zipfile.ZipFile(path)
    assert z.testzip() is None            # every CRC-32 checks
    for info in z.infolist():             # data aligned to 64 bytes, as torch writes it
        local = path.read_bytes()[info.header_offset:]
        data_off = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
        assert data_off % 64 == 0, info.filename
    x = np.random.default_rng(2).standard_normal((4, 300)).astype(np.float32)
    t = torch.jit.load(str(path))
    with torch.no_grad(), pyts.no_grad():
        np.testing.assert_allclose(t(torch.from_numpy(x)).detach().numpy(), m(pyts.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
    assert os.listdir(tmp_path) == ["archive.pt"]


class Chunky:
    """A raw-file-like object: write() takes at most 1000 bytes and says how many."""

    def __init__(self):
        self.parts = []

    def write(self, b):
        b = bytes(b)[:1000]
        self.parts.append(b)
        return len(b)


class Keeper:
    """Keeps what write() is given (a stream must hand such objects copies, not views)."""

    def __init__(self):
        self.kept = []

    def write(self, b):
        self.kept.append(b)


def test_file_objects_get_the_whole_archive():
    m = traced()
    want = pyts._C._save(m._c, None, "archive")
    c = Chunky()
    pyts.jit.save(m, c)
    assert b"".join(c.parts) == want
    k = Keeper()
    pyts.jit.save(m, k)
    del m
    assert all(isinstance(b, bytes) for b in k.kept) and b"".join(k.kept) == want
    assert pyts.jit.load(io.BytesIO(want)).big.weight.shape == (200, 300)


class Failing:
    def __init__(self, after):
        self.after, self.n = after, 0

    def write(self, b):
        self.n += len(b)
        if self.n > self.after:
            raise OSError(28, "No space left on device")
        return len(b)


class Zero:
    def write(self, b):
        return 0


def test_file_object_errors_propagate():
    m = traced()
    for after in (0, 100, 300000):
        with pytest.raises(OSError, match="No space left"):
            pyts.jit.save(m, Failing(after))
    with pytest.raises(OSError, match="wrote nothing"):
        pyts.jit.save(m, Zero())
    with pytest.raises(AttributeError):
        pyts.jit.save(m, object())


def test_bad_paths_raise_os_errors(tmp_path):
    m = traced()
    with pytest.raises(OSError):
        pyts.jit.save(m, tmp_path / ("x" * 300 + ".pt"))      # name too long
    with pytest.raises(OSError):
        pyts.jit.save(m, tmp_path / "missing_dir" / "m.pt")
    assert os.listdir(tmp_path) == []


def test_disk_full_part_way_leaves_the_old_file(tmp_path):
    """A file-size limit makes write(2) fail in the middle of the tensor records (as a full disk
    does): OSError with the OS's message, the old file intact, no temporary left."""
    target = tmp_path / "m.pt"
    target.write_bytes(b"old")
    script = textwrap.dedent(f"""
        import resource, signal, sys
        sys.path.insert(0, {REPO!r})
        sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
        import pyts, pyts.jit
        from test_archive_save import traced
        m = traced()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200000, 200000))
        try:
            pyts.jit.save(m, {str(target)!r})
        except OSError as e:
            print("OSError", e.errno, e)
        else:
            print("saved")
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("OSError 27 "), r.stdout + r.stderr      # EFBIG: File too large
    assert "File too large" in r.stdout
    assert os.listdir(tmp_path) == ["m.pt"] and target.read_bytes() == b"old"
