"""Loading an archive from a path maps the file privately (csrc/serial/mapfile.c): stored tensor
records become storages inside the mapping. These tests check that such tensors behave as any
other tensor (in-place ops, numpy(), saving again), that writes never reach the file, that the
mapping lives exactly as long as a tensor uses it, and that the file may be deleted or replaced
after the load."""
import io
import os

import numpy as np
import pytest

import pyts
import pyts.jit

torch = pytest.importorskip("torch")


def _model(lib):
    class M(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = lib.nn.Linear(64, 32)
            self.l2 = lib.nn.Linear(32, 8)

        def forward(self, x):
            return self.l2(lib.relu(self.l1(x)))

    return M()


def _save(tmp_path, name="m.pt"):
    m = _model(pyts)
    x = pyts.rand(4, 64)
    path = str(tmp_path / name)
    pyts.jit.save(pyts.jit.trace(m, (x,)), path)
    return path, x


def _maps_of(path):
    """Address ranges of this process's mappings of the file (by inode, as /proc shows it)."""
    ino = os.stat(path).st_ino
    out = []
    with open("/proc/self/maps") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 6 and int(parts[4]) == ino and parts[5] == os.path.realpath(path):
                lo, hi = (int(v, 16) for v in parts[0].split("-"))
                out.append((lo, hi))
    return out


def _inside(ptr, ranges):
    return any(lo <= ptr < hi for lo, hi in ranges)


def test_loaded_tensors_point_into_the_mapping(tmp_path):
    path, _ = _save(tmp_path)
    before = _maps_of(path)
    m = pyts.jit.load(path)
    ranges = [r for r in _maps_of(path) if r not in before]
    assert ranges, "the file is not mapped after the load"
    sd = m.state_dict()
    assert len(sd) == 4
    for k, v in sd.items():
        assert _inside(v.data_ptr(), ranges), k
    # the last reference holds the mapping: drop the module, keep one tensor
    w = m.l1.weight
    expect = w.detach().numpy().copy()
    del m, sd, v
    import gc
    gc.collect()
    assert [r for r in _maps_of(path) if r not in before], "the mapping went while a tensor uses it"
    np.testing.assert_array_equal(w.detach().numpy(), expect)
    del w
    gc.collect()
    assert [r for r in _maps_of(path) if r not in before] == [], "the mapping outlives its tensors"


def test_in_place_writes_stay_private(tmp_path):
    path, x = _save(tmp_path)
    raw = open(path, "rb").read()
    m = pyts.jit.load(path)
    w = m.l1.weight
    w0 = w.detach().numpy().copy()
    with pyts.no_grad():
        w.mul_(2.0).add_(1.0)
        m.l2.bias.zero_()
    np.testing.assert_allclose(w.detach().numpy(), w0 * 2 + 1, rtol=1e-6)
    assert (m.l2.bias.detach().numpy() == 0).all()
    # numpy() shares the tensor's memory, writes included
    arr = m.l1.bias.detach().numpy()
    arr[0] = 123.0
    assert m.l1.bias[0].item() == 123.0
    assert open(path, "rb").read() == raw, "a write to a loaded tensor reached the file"
    # a second load sees the file's values, not the first load's writes
    m2 = pyts.jit.load(path)
    np.testing.assert_array_equal(m2.l1.weight.detach().numpy(), w0)
    assert m2.l1.bias[0].item() != 123.0
    # the written module computes with its new values, as torch does on the same archive
    tm = torch.jit.load(path)
    with torch.no_grad():
        tm.l1.weight.mul_(2.0).add_(1.0)
        tm.l2.bias.zero_()
        tm.l1.bias[0] = 123.0
    np.testing.assert_allclose(m(x).detach().numpy(), tm(torch.from_numpy(x.detach().numpy())).detach().numpy(),
                               rtol=1e-5, atol=1e-5)


def test_survives_delete_and_replace(tmp_path):
    path, x = _save(tmp_path)
    m = pyts.jit.load(path)
    expect = m(x).detach().numpy()
    os.remove(path)
    np.testing.assert_array_equal(m(x).detach().numpy(), expect)
    # replaced by a different model at the same path (pyts saves via rename: a new inode)
    m_other = pyts.jit.trace(_model(pyts), (x,))
    pyts.jit.save(m_other, path)
    np.testing.assert_array_equal(m(x).detach().numpy(), expect)
    np.testing.assert_array_equal(pyts.jit.load(path)(x).detach().numpy(), m_other(x).detach().numpy())


def test_save_again_from_mapped_tensors(tmp_path):
    path, x = _save(tmp_path)
    m = pyts.jit.load(path)
    with pyts.no_grad():
        m.l2.weight.add_(0.5)
    expect = m(x).detach().numpy()
    # over the very file it maps: the mapping keeps the old pages, the new file is whole
    pyts.jit.save(m, path)
    np.testing.assert_array_equal(m(x).detach().numpy(), expect)
    again = pyts.jit.load(path)
    np.testing.assert_array_equal(again(x).detach().numpy(), expect)
    buf = io.BytesIO()
    pyts.jit.save(again, buf)
    tm = torch.jit.load(io.BytesIO(buf.getvalue()))
    np.testing.assert_allclose(tm(torch.from_numpy(x.detach().numpy())).detach().numpy(), expect, rtol=1e-5, atol=1e-6)


def test_path_and_bytes_loads_agree(tmp_path):
    path, x = _save(tmp_path)
    a = pyts.jit.load(path)
    with open(path, "rb") as fh:
        b = pyts.jit.load(fh)
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for k in sa:
        np.testing.assert_array_equal(sa[k].detach().numpy(), sb[k].detach().numpy())
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


def test_misaligned_records_are_copied(tmp_path):
    # a zip written by Python's zipfile does not align record data: float64 data at an offset that
    # is not a multiple of 8 must be copied, and give the same values as torch reads
    import zipfile
    t = torch.jit.trace(torch.nn.Linear(3, 5).double(), (torch.rand(2, 3, dtype=torch.float64),))
    src = io.BytesIO()
    torch.jit.save(t, src)
    zin = zipfile.ZipFile(io.BytesIO(src.getvalue()))
    path = str(tmp_path / "odd.pt")
    with zipfile.ZipFile(path, "w") as zout:
        for i, n in enumerate(zin.namelist()):
            zout.writestr(n, zin.read(n))
    offs = []
    with zipfile.ZipFile(path) as zz:
        for info in zz.infolist():
            if "/data/" in info.filename:
                offs.append(info.header_offset + 30 + len(info.filename) + len(info.extra))
    assert any(o % 8 for o in offs), "test archive happens to be aligned"
    m = pyts.jit.load(path)
    tm = torch.jit.load(path)
    for k, v in tm.state_dict().items():
        pv = m.state_dict()[k]
        assert pv.data_ptr() % 8 == 0
        np.testing.assert_array_equal(pv.detach().numpy(), v.detach().numpy())


def test_load_path_errors(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        pyts.jit.load(str(tmp_path / "missing.pt"))
    with pytest.raises(ValueError, match="is a directory"):
        pyts.jit.load(str(tmp_path))
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    with pytest.raises(pyts.jit.ArchiveError if hasattr(pyts.jit, "ArchiveError") else RuntimeError):
        pyts.jit.load(str(empty))
    trunc = tmp_path / "trunc.pt"
    path, _ = _save(tmp_path)
    trunc.write_bytes(open(path, "rb").read()[:-100])
    with pytest.raises(RuntimeError):
        pyts.jit.load(str(trunc))


def test_mapped_storage_resizes_as_torch(tmp_path):
    # torch's loaded storages cannot grow either: an out= that needs more room fails the same way
    path, _ = _save(tmp_path)
    for lib in (pyts, torch):
        b = lib.jit.load(path).l2.bias.detach()
        with pytest.raises(RuntimeError, match="not resizable"):
            lib.add(lib.ones(100), 1, out=b)
        lib.add(lib.ones(3), 1, out=b)   # shrinking reuses the storage
        assert tuple(b.shape) == (3,) and b.tolist() == [2.0, 2.0, 2.0]


def test_mapped_load_failure_injection_releases_the_mapping(tmp_path):
    # every C allocation of a load from a path fails in turn: MemoryError or success, and no
    # failed load leaves the file mapped
    import gc
    path, x = _save(tmp_path)
    expect = pyts.jit.load(path)(x).detach().numpy()
    outcomes = set()
    for n in [*range(0, 600, 17), 10 ** 6]:   # a sample: every load compiles, which is slow
        pyts._C._alloc_fail_after(n)
        try:
            m = pyts.jit.load(path)
            outcomes.add("ok")
        except MemoryError:
            outcomes.add("error")
            m = None
        finally:
            pyts._C._alloc_fail_after(-1)
        if m is not None:
            np.testing.assert_array_equal(m(x).detach().numpy(), expect)
        del m
        gc.collect()
        assert _maps_of(path) == [], n
    assert outcomes == {"ok", "error"}


def test_damaged_files_load_or_raise_archive_error(tmp_path):
    # the mapped path runs the same checks as bytes: truncations and byte flips of a real archive
    path, _ = _save(tmp_path)
    good = open(path, "rb").read()
    rng = np.random.default_rng(0)
    cases = [good[:k] for k in rng.integers(0, len(good), 40)]
    for _ in range(80):
        b = bytearray(good)
        for i in rng.integers(0, len(b), 3):
            b[i] ^= int(rng.integers(1, 256))
        cases.append(bytes(b))
    errors = 0
    for i, data in enumerate(cases):
        # a new file each time: rewriting a file in place under a live mapping is the one thing
        # a mapped load does not survive (SECURITY.md)
        bad_path = str(tmp_path / f"bad{i}.pt")
        with open(bad_path, "wb") as fh:
            fh.write(data)
        try:
            m = pyts.jit.load(bad_path)
        except pyts.jit.ArchiveError:
            errors += 1
            continue
        with open(bad_path, "rb") as fh:   # a load that succeeds agrees with the bytes path
            m2 = pyts.jit.load(fh)
        for k, v in m.state_dict().items():
            np.testing.assert_array_equal(v.detach().numpy(), m2.state_dict()[k].detach().numpy())
        del m, m2, v
    assert errors > 40
