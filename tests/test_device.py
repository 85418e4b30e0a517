"""pyts.device against torch.device: construction, printing, equality, pickling, errors, and
devices crossing into and out of scripted code and archives."""
import copy
import io
import pickle

import pytest
import torch

import pyts

GOOD = [("cpu",), ("cpu", 0), ("cpu:0",), ("cpu:12",), ("cuda",), ("cuda:1",), ("meta",), ("cpu", None),
        ("mps", 3)]
BAD = [(0,), ("foo",), ("CPU",), ("cpu:-1",), ("cpu", -1), ("cpu:x",), ("cpu:01",), ("cuda:",),
       ("cuda:1:2",), ("cpu:0", 1), (1.5,), (), (None,)]


@pytest.mark.parametrize("args", GOOD, ids=repr)
def test_construct_and_print(args):
    p, t = pyts.device(*args), torch.device(*args)
    assert (repr(p), str(p), p.type, p.index) == (repr(t), str(t), t.type, t.index)
    assert pyts.device(p) is p
    assert pyts.device(type=args[0], index=args[1] if len(args) > 1 else None) == p


@pytest.mark.parametrize("args", BAD, ids=repr)
def test_bad_arguments(args):
    with pytest.raises(Exception) as te:
        torch.device(*args)
    with pytest.raises(type(te.value)) as pe:
        pyts.device(*args)
    # the first line of torch's message, with its own module name in the signature list
    assert str(pe.value).splitlines()[0] == str(te.value).splitlines()[0]


def test_equality_hash_pickle():
    a, b = pyts.device("cpu"), pyts.device("cpu", 0)
    assert a == pyts.device("cpu") and a != b and b == pyts.device("cpu:0")
    assert (a == "cpu") is (torch.device("cpu") == "cpu")
    assert hash(a) == hash(pyts.device("cpu")) and len({a, b, pyts.device("cpu")}) == 2
    for d in (a, b, pyts.device("cuda:3")):
        assert pickle.loads(pickle.dumps(d)) == d
        assert copy.deepcopy(d) == d


def test_tensor_device():
    x = pyts.ones(2)
    assert x.device == pyts.device("cpu") and repr(x.device) == repr(torch.ones(2).device)
    assert x.device is x[0].device   # one shared object, no allocation per access
    assert pyts.zeros(1, device=pyts.device("cpu", 0)).device == x.device
    assert x.to(pyts.device("cpu")).device == x.device
    assert pyts.Generator().device == x.device
    with pytest.raises(RuntimeError, match="CPU only; device 'cuda:1'"):
        pyts.zeros(1, device=pyts.device("cuda", 1))


def test_script_devices_cross_into_python():
    def f(x, d: torch.device):
        return x.device, [x.device], x.to(d).device == d

    for L in (torch, pyts):
        src = f if L is torch else f
        r = L.jit.script(src)(L.ones(1), L.device("cpu"))
        assert type(r[0]) is L.device and str(r[0]) == "cpu" and r[1] == [r[0]] and r[2] is True


def test_device_attribute_through_archives():
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.dev = torch.device("cpu")

        def forward(self, x):
            return x.to(self.dev), self.dev

    buf = io.BytesIO()
    torch.jit.save(torch.jit.script(M()), buf)
    p = pyts.jit.load(io.BytesIO(buf.getvalue()))
    y, d = p(pyts.ones(2))
    assert d == pyts.device("cpu") and p.dev == d and y.device == d
    out = io.BytesIO()
    pyts.jit.save(p, out)
    t = torch.jit.load(io.BytesIO(out.getvalue()))
    assert t.dev == torch.device("cpu") and t(torch.ones(2))[1] == torch.device("cpu")


def _dev_module(L):
    class DevAttr(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.dev = L.device("cpu")
            self.dt = L.float64

        def forward(self, x):
            return x.to(self.dev).to(self.dt), self.dev, self.dt

    return DevAttr()


def test_device_and_dtype_module_attributes_script_as_torch():
    """self.dev = torch.device(...) and self.dt = torch.float64 are module attributes of types
    Device and int, as torch keeps them (pyts dropped them and called self.dev a method)"""
    mp, mt = pyts.jit.script(_dev_module(pyts)), torch.jit.script(_dev_module(torch))
    assert mp.code == mt.code
    (yp, dp, tp), (yt, dt, tt) = mp(pyts.ones(2)), mt(torch.ones(2))
    assert str(yp.dtype) == "pyts.float64" and yp.tolist() == yt.tolist()
    assert repr(dp) == repr(dt) and tp == tt == 7 and mp.dt == mt.dt
    out = io.BytesIO()
    pyts.jit.save(mp, out)
    back = torch.jit.load(io.BytesIO(out.getvalue()))
    assert back(torch.ones(2))[1] == torch.device("cpu") and back.dt == 7
