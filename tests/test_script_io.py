"""Scripted print() and warnings.warn() reach Python: print writes to sys.stdout (so notebooks and
redirect_stdout see it, as with torch's print handler), warn raises a UserWarning through the
warnings module (filters apply; "error" makes the call fail). The texts match torch's."""
import contextlib
import io
import warnings

import pytest
import torch

import pyts
import pyts.jit


def printer(x):
    print("value", x.sum(), 3, [1, 2])
    return x + 1


def warner(x):
    warnings.warn("careful now")
    return x * 2


def _printed(lib, fn, x):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(x)
    return buf.getvalue()


def test_print_goes_to_sys_stdout_with_torchs_text():
    p = _printed(pyts, pyts.jit.script(printer), pyts.ones(2))
    t = _printed(torch, torch.jit.script(printer), torch.ones(2))
    assert p == t and p.startswith("value 2")


def test_print_from_threads():
    import threading
    f = pyts.jit.script(printer)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        ths = [threading.Thread(target=f, args=(pyts.ones(2),)) for _ in range(4)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
    assert buf.getvalue().count("value 2") == 4


def test_warn_is_a_python_user_warning():
    f, g = pyts.jit.script(warner), torch.jit.script(warner)
    for fn, x in ((f, pyts.ones(2)), (g, torch.ones(2))):
        with pytest.warns(UserWarning, match="careful now"):
            fn(x)


def test_warn_filtered_to_error_fails_the_call():
    # torch raises the UserWarning itself, not a RuntimeError carrying its text
    for fn, x in ((pyts.jit.script(warner), pyts.ones(2)), (torch.jit.script(warner), torch.ones(2))):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(UserWarning, match="careful now") as info:
                fn(x)
            assert type(info.value) is UserWarning


class _BrokenStdout:
    def write(self, text):
        raise ValueError("stream is closed")

    def flush(self):
        pass


def test_print_to_a_failing_stdout_fails_the_call_as_torch():
    f = pyts.jit.script(printer)
    for fn, x in ((f, pyts.ones(2)), (torch.jit.script(printer), torch.ones(2))):
        with contextlib.redirect_stdout(_BrokenStdout()):
            with pytest.raises(RuntimeError, match="ValueError: stream is closed"):
                fn(x)
    with contextlib.redirect_stdout(io.StringIO()):
        f(pyts.ones(2))   # the kept exception does not leak into the next call
