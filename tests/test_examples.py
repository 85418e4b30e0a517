"""The examples run: examples/train_mlp.py trains its MLP (the loss falls far below its start and
the training set is learnt), and the same script on PyTorch 2.13 (imports swapped) gives the
same losses along the way, since pyts.manual_seed reproduces torch's initial weights."""
import contextlib
import io
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")
ROOT = Path(__file__).parent.parent
TRAIN_MLP = ROOT / "examples" / "train_mlp.py"


def torch_version_of(path, tmp_path):
    """The example with `pyts` replaced by `torch` in its imports."""
    src = path.read_text()
    src = re.sub(r"^import pyts$", "import torch as pyts", src, flags=re.M)
    src = re.sub(r"^import pyts\.nn as nn$", "import torch.nn as nn", src, flags=re.M)
    src = re.sub(r"^import pyts\.nn\.functional as F$", "import torch.nn.functional as F", src, flags=re.M)
    assert "import torch as pyts" in src and "import torch.nn as nn" in src
    out = tmp_path / path.name
    out.write_text(src)
    return out


def train(path, steps):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        losses, accuracy = runpy.run_path(str(path))["train"](steps=steps)
    return losses, accuracy, buf.getvalue()


@pytest.fixture(autouse=True)
def one_thread():
    """Small matrices: one BLAS thread in both libraries (waiting threads are slow on a busy machine)."""
    prev = pyts.get_num_threads(), torch.get_num_threads()
    pyts.set_num_threads(1)
    torch.set_num_threads(1)
    yield
    pyts.set_num_threads(prev[0])
    torch.set_num_threads(prev[1])


def test_train_mlp_loss_falls():
    losses, accuracy, out = train(TRAIN_MLP, 300)
    assert len(losses) == 300 and all(np.isfinite(losses))
    assert losses[0] > 0.9                   # about log(3) for an untrained 3-class model
    assert losses[-1] < 0.05 * losses[0]
    assert min(losses[-20:]) < 0.01
    assert accuracy > 0.95
    printed = re.findall(r"^step +(\d+) +loss (\d+\.\d+) +lr (\S+)$", out, flags=re.M)
    assert [int(s) for s, _, _ in printed] == [0, 50, 100, 150, 200, 250, 299]
    assert float(printed[0][1]) > 10 * float(printed[-1][1])
    assert [float(lr) for _, _, lr in printed] == [0.02, 0.02, 0.02, 0.01, 0.01, 0.01, 0.005]


def test_train_mlp_matches_torch(tmp_path):
    pl, pacc, pout = train(TRAIN_MLP, 40)
    tl, tacc, tout = train(torch_version_of(TRAIN_MLP, tmp_path), 40)
    # same initial weights, data and updates: the trajectories agree while rounding differences
    # are still small
    np.testing.assert_allclose(pl[:25], tl[:25], rtol=1e-3)
    assert pl[0] == pytest.approx(tl[0], rel=1e-6)
    assert pacc == pytest.approx(tacc, abs=0.02)


def test_train_mlp_command_line():
    out = subprocess.run([sys.executable, str(TRAIN_MLP), "--steps", "60"], capture_output=True, text=True,
                         timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    m = re.match(r"first loss (\d+\.\d+), last loss (\d+\.\d+), training accuracy (\d+\.\d)%", last)
    assert m, last
    assert float(m.group(2)) < 0.2 * float(m.group(1))
