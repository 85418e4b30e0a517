"""`import pyts` stays light: no torch, and NumPy only when the user brings it."""
import subprocess
import sys


def _modules_after(code):
    out = subprocess.run([sys.executable, "-c", code + "; import sys; print(sorted(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return out


def test_import_does_not_import_torch_or_numpy():
    mods = _modules_after("import pyts")
    assert "'torch'" not in mods
    assert "'numpy'" not in mods


def test_numpy_interop_after_a_late_numpy_import():
    code = ("import pyts; x = pyts.rand(3); import numpy as np; "
            "a = x.numpy(); a[0] = 5; assert x[0].item() == 5; "
            "t = pyts.from_numpy(np.arange(3.)); assert t.dtype == pyts.float64; "
            "assert (x + np.float32(1)).dtype == pyts.float32")
    subprocess.run([sys.executable, "-c", code], check=True)
