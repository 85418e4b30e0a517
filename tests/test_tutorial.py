"""The main job: examples/tutorial.py runs every step of PyTorch's "Introduction to TorchScript"
and prints what PyTorch 2.13 prints for the same steps (numbers aside). Its archive loads in
PyTorch and computes what the pyts module computes."""
import os
import re
import runpy
import warnings
from pathlib import Path

import numpy as np
import pytest

import pyts

torch = pytest.importorskip("torch")
TUTORIAL = Path(__file__).parent.parent / "examples" / "tutorial.py"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("tutorial")
    cwd = os.getcwd()
    os.chdir(d)
    try:
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = runpy.run_path(str(TUTORIAL))["main"]()
    finally:
        os.chdir(cwd)
    return buf.getvalue(), result, d


NUM = r"-?\d\.\d{4}"


def test_prints_version_and_cell_output(run):
    out, _, _ = run
    row = rf"\[ ?{NUM},  ?{NUM},  ?{NUM},  ?{NUM}\]"
    assert out.startswith(f"{pyts.__version__}\n")
    assert re.search(rf"\(tensor\(\[{row},\n        {row},\n        {row}\]\), tensor", out)


def test_module_reprs_as_pytorch(run):
    out, _, _ = run
    assert "MyCell(\n  (linear): Linear(in_features=4, out_features=4, bias=True)\n)\n" in out
    assert ("MyCell(\n  (dg): MyDecisionGate()\n  (linear): Linear(in_features=4, out_features=4, bias=True)\n)\n"
            in out)
    assert "grad_fn=<TanhBackward0>" in out
    assert "MyCell(\n  original_name=MyCell\n  (linear): Linear(original_name=Linear)\n)\n" in out


def test_traced_code_and_graph(run):
    out, _, _ = run
    assert ("def forward(self,\n    x: Tensor,\n    h: Tensor) -> Tuple[Tensor, Tensor]:\n"
            "  linear = self.linear\n  _0 = torch.tanh(torch.add((linear).forward(x, ), h))\n"
            "  return (_0, _0)\n") in out
    assert 'prim::CallMethod[name="forward"](%linear, %x)' in out
    assert "graph(%self.1 : __torch__.MyCell,\n      %x : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)," in out


def test_scripted_code_keeps_control_flow(run):
    out, _, _ = run
    # the scripted cell calls its scripted gate; the scripted loop keeps its for
    assert ("  _0 = torch.add((dg).forward((linear).forward(x, ), ), h)\n  new_h = torch.tanh(_0)\n"
            "  return (new_h, new_h)\n") in out
    assert "  for i in range(torch.size(xs, 0)):\n" in out
    assert "  _0, y, = (loop).forward(xs, )\n  return torch.relu(y)\n" in out


def test_loaded_archive_prints_hierarchy(run):
    out, _, _ = run
    assert ("RecursiveScriptModule(\n  original_name=WrapRNN\n  (loop): RecursiveScriptModule(\n"
            "    original_name=MyRNNLoop\n    (cell): RecursiveScriptModule(\n"
            "      original_name=MyCell\n      (dg): RecursiveScriptModule(original_name=MyDecisionGate)\n"
            "      (linear): RecursiveScriptModule(original_name=Linear)\n    )\n  )\n)\n") in out


def test_archive_runs_in_pytorch_like_in_pyts(run):
    _, result, d = run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = torch.jit.load(str(d / "wrapped_rnn.zip"))
    xs = np.random.default_rng(1).standard_normal((10, 3, 4)).astype(np.float32)
    want = result["traced"](pyts.from_numpy(xs)).detach().numpy()
    got = loaded(torch.from_numpy(xs)).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
