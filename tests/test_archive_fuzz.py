"""Fuzzing the archive loader: every truncation and thousands of random mutations of real archives
(one written by pyts, some by torch.jit.save) must either load or raise pyts.jit.ArchiveError:
no other exception, no crash, no runaway allocation. Besides raw byte damage (mostly caught by the
zip and CRC checks), members are mutated and re-zipped with correct CRCs so the pickle reader and
the code-header parser see the damage themselves.

For sanitizer runs, where torch cannot be imported, set PYTS_FUZZ_ARCHIVES to a directory of
archives written by torch.jit.save beforehand (see make_torch_archives below)."""
import io
import os
import random
import struct
import time
import warnings
import zipfile

import numpy as np
import pytest

import pyts
import pyts.jit

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")]

SEED = int(os.environ.get("PYTS_FUZZ_SEED", "1234"))
MUTATIONS = int(os.environ.get("PYTS_FUZZ_MUTATIONS", "1500"))   # per archive and kind


# ---------------------------------------------------------------- archives to damage
# Parameters are frozen: the archives hold plain weights, outputs feed .numpy() directly.
Module = pyts.nn.Module


def frozen(t):
    return pyts.nn.Parameter(t, requires_grad=False)


class Lin(Module):
    def __init__(self, i, o):
        super().__init__()
        rng = np.random.default_rng(i * 10 + o)
        self.weight = frozen(pyts.from_numpy(rng.standard_normal((o, i)).astype(np.float32)))
        self.bias = frozen(pyts.from_numpy(rng.standard_normal(o).astype(np.float32)))

    def forward(self, x):
        return pyts.matmul(x, self.weight.t()) + self.bias


class Cell(Module):
    def __init__(self):
        super().__init__()
        self.a = Lin(4, 3)
        self.b = Lin(3, 3)
        base = pyts.arange(12.0).reshape(3, 4)
        self.register_buffer("base", base)
        self.register_buffer("view", base[1:, ::2])

    def forward(self, x):
        return pyts.tanh(self.b(self.a(x))) / 2


def pyts_archive():
    m = pyts.jit.trace_module(Cell(), {"forward": (pyts.ones(2, 4),)}, check_trace=False)
    b = io.BytesIO()
    pyts.jit.save(m, b, _extra_files={"note": "fuzz"})
    # plus an object carrying every attribute kind
    obj = pyts._C._make_object("__torch__.Attrs", True, [
        ("training", "attribute", True), ("t", "buffer", pyts.ones(3)), ("li", "attribute", [1, 2]),
        ("lf", "attribute", [0.5]), ("ls", "attribute", ["a"]), ("d", "attribute", {"k": 1.5}),
        ("tup", "attribute", (1, "s", None, 2.5)), ("big", "attribute", 2 ** 40), ("s", "attribute", "x")])
    b2 = io.BytesIO()
    pyts.jit.save(pyts.jit.ScriptModule(obj), b2)
    return [("pyts-traced", b.getvalue()), ("pyts-attrs", b2.getvalue())]


def make_torch_archives(directory):
    """Write the torch archives this test damages (run where torch imports, e.g. before ASan)."""
    import torch
    from typing import Dict, Optional

    warnings.filterwarnings("ignore")

    class TCell(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(4, 4)
            self.register_buffer("scale", torch.ones(4))

        def forward(self, x, h):
            return torch.tanh(self.linear(x) + h) * self.scale + 1

    class TAttrs(torch.nn.Module):
        d: Dict[str, int]
        opt: Optional[torch.Tensor]

        def __init__(self):
            super().__init__()
            self.i, self.f, self.s, self.tup = 7, 2.5, "hé", (1, 2.5, "s")
            self.li, self.ls, self.d, self.opt = [1, 2], ["x"], {"a": 1}, None
            self.dev = torch.device("cpu")
            base = torch.arange(12, dtype=torch.float64).reshape(3, 4)
            self.register_buffer("base", base)
            self.register_buffer("view", base[1:, ::2])
            self.register_buffer("h", torch.ones(2, dtype=torch.float16))
            self.seq = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())

        def forward(self, x):
            return self.seq(x) + self.i

    os.makedirs(directory, exist_ok=True)
    tc = torch.jit.trace(TCell(), (torch.randn(3, 4), torch.randn(3, 4)))
    torch.jit.save(tc, os.path.join(directory, "torch_traced.pt"), _extra_files={"meta": "x"})
    torch.jit.save(torch.jit.script(TAttrs()), os.path.join(directory, "torch_scripted.pt"))


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    found = pyts_archive()
    directory = os.environ.get("PYTS_FUZZ_ARCHIVES")
    if not directory:
        pytest.importorskip("torch")
        directory = str(tmp_path_factory.mktemp("torch_archives"))
        make_torch_archives(directory)
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as fh:
            found.append((name, fh.read()))
    assert any(n.startswith("torch") for n, _ in found), "no torch archive to fuzz"
    for name, data in found:
        assert check(data) == "ok", name
    return found


# ---------------------------------------------------------------- the property
def check(data):
    """Load; use what was loaded. Only ArchiveError may escape as a failure to load."""
    try:
        m = pyts.jit.load(io.BytesIO(data))
    except pyts.jit.ArchiveError as e:
        assert str(e).startswith("invalid archive"), str(e)
        return "error"
    repr(m)
    for v in m.state_dict().values():
        v.sum()
    for name, kind in m._c._attrs():
        if kind == "attribute":
            repr(m._c._get(name))
    assert all(isinstance(s, str) for s in m._archive.sources.values())
    return "ok"


def members(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def rezip(items):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for n, d in items:
            z.writestr(n, d)
    return b.getvalue()


def mutate(rng, buf):
    b = bytearray(buf)
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        if not b:
            b.append(rng.randrange(256))
            continue
        i = rng.randrange(len(b))
        if kind < 0.45:
            b[i] = rng.randrange(256)
        elif kind < 0.6:
            b[i] ^= 1 << rng.randrange(8)
        elif kind < 0.7:
            del b[i:i + rng.randint(1, 8)]
        elif kind < 0.8:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind < 0.9:  # interesting integers: sizes, counts, offsets
            v = rng.choice([0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 2 ** 40, 2 ** 63 - 1])
            b[i:i + 4] = struct.pack("<I", v & 0xFFFFFFFF)
        else:  # duplicate a chunk (repeats opcodes and records)
            j = rng.randrange(len(b))
            b[i:i] = b[j:j + rng.randint(1, 32)]
    return bytes(b)


# ---------------------------------------------------------------- sweeps
def test_every_truncation(archives):
    t0 = time.time()
    outcomes = set()
    for name, data in archives:
        n = len(data)
        cuts = range(n) if n <= 6000 else sorted(set(range(0, 6000)) | set(range(6000, n, 7)))
        for k in cuts:
            outcomes.add(check(data[:k]))
    assert outcomes == {"error"}          # a zip without its end records is never an archive
    assert time.time() - t0 < 60


def test_random_byte_mutations(archives):
    rng = random.Random(SEED)
    seen = {"ok": 0, "error": 0}
    for name, data in archives:
        for _ in range(MUTATIONS):
            seen[check(mutate(rng, data))] += 1
    assert seen["error"] > 0


def test_member_mutations_with_valid_crcs(archives):
    """Damage one record (pickle, code, version...) and re-zip it so the damage reaches the
    parsers behind the zip layer."""
    rng = random.Random(SEED + 1)
    seen = {"ok": 0, "error": 0}
    for name, data in archives:
        items = members(data)
        targets = [i for i, (n, _) in enumerate(items)
                   if n.endswith((".pkl", ".py", "version", "byteorder")) and not n.endswith("debug_pkl")]
        for _ in range(MUTATIONS):
            k = rng.choice(targets)
            damaged = list(items)
            damaged[k] = (items[k][0], mutate(rng, items[k][1]))
            seen[check(rezip(damaged))] += 1
    assert seen["ok"] > 0 and seen["error"] > 0


def test_pickle_truncations_and_opcode_swaps(archives):
    rng = random.Random(SEED + 2)
    allowed = b"(.JKMNQRXabcd}ehjl]qrst)u\x80\x81\x85\x86\x87\x88\x89\x8a\x8dG"
    for name, data in archives:
        items = members(data)
        for k, (n, payload) in enumerate(items):
            if not n.endswith("data.pkl") and not n.endswith("constants.pkl"):
                continue
            for cut in range(len(payload)):
                damaged = list(items)
                damaged[k] = (n, payload[:cut])
                assert check(rezip(damaged)) == "error"
            for _ in range(MUTATIONS // 3):
                b = bytearray(payload)
                for _ in range(rng.randint(1, 3)):
                    b[rng.randrange(len(b))] = rng.choice(allowed)
                damaged = list(items)
                damaged[k] = (n, bytes(b))
                check(rezip(damaged))


def test_structure_mutations(archives):
    """Shuffled, dropped and duplicated records; renamed folders."""
    rng = random.Random(SEED + 3)
    for name, data in archives:
        items = members(data)
        for _ in range(200):
            d = list(items)
            op = rng.random()
            if op < 0.3:
                rng.shuffle(d)
            elif op < 0.6:
                del d[rng.randrange(len(d))]
            elif op < 0.8:
                d.append(rng.choice(d))
            else:
                folder = rng.choice(["x", "", "a/b", "archive"])
                d = [(folder + n[n.index("/"):] if "/" in n else n, v) for n, v in d]
            try:
                z = rezip(d)
            except (ValueError, zipfile.BadZipFile):
                continue
            check(z)
