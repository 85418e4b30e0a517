"""copy.copy/copy.deepcopy and pickle of tensors, against torch's behaviour."""
import copy
import pickle

import numpy as np
import pytest
import torch

import pyts

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def make(L, dtype, shape=(3, 4)):
    x = L.arange(int(np.prod(shape))).reshape(shape)
    return (x * 7 % 5).to(getattr(L, dtype))


def as_np(t):
    return t.detach().float().numpy() if t.dtype in (pyts.bfloat16, torch.bfloat16) else t.detach().numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4), (), (0, 3)])
def test_deepcopy_and_pickle_round_trip(dtype, shape):
    for L in (pyts, torch):
        x = make(L, dtype, shape)
        for y in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
            assert y.dtype == x.dtype and tuple(y.shape) == tuple(x.shape)
            np.testing.assert_array_equal(as_np(y), as_np(x))
            if x.numel():
                assert y.data_ptr() != x.data_ptr()


def test_non_contiguous_and_views_share_one_copy():
    for L in (pyts, torch):
        base = L.arange(16.).reshape(4, 4)
        view = base[1:, ::2]
        b2, v2 = copy.deepcopy([base, view])
        assert v2.stride() == view.stride() and v2.storage_offset() == view.storage_offset()
        b2[1, 0] = 100.0              # the copies still alias each other...
        assert v2[0, 0].item() == 100.0
        assert view[0, 0].item() == 4.0   # ...and not the originals
        p = pickle.loads(pickle.dumps(view))
        np.testing.assert_array_equal(p.detach().numpy(), view.detach().numpy())


def test_requires_grad_and_grad_travel():
    for L in (pyts, torch):
        x = L.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        y = copy.deepcopy(x)
        assert y.requires_grad and y.is_leaf
        np.testing.assert_array_equal(y.grad.detach().numpy(), [2.0, 2.0, 2.0])
        assert y.grad.data_ptr() != x.grad.data_ptr()
        z = pickle.loads(pickle.dumps(x))
        assert z.requires_grad and z.grad is None


def test_deepcopy_of_a_non_leaf_is_torchs_error():
    msgs = []
    for L in (pyts, torch):
        x = L.ones(3, requires_grad=True) * 2
        with pytest.raises(RuntimeError) as e:
            copy.deepcopy(x)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_memo_keeps_identity():
    x = pyts.rand(3)
    a, b = copy.deepcopy([x, x])
    assert a is b and a is not x


def test_module_deepcopy_copies_parameters_and_buffers():
    pyts.manual_seed(0)
    m = pyts.nn.Sequential(pyts.nn.Linear(3, 4), pyts.nn.BatchNorm1d(4))
    m2 = copy.deepcopy(m)
    for (n1, t1), (n2, t2) in zip(m.state_dict().items(), m2.state_dict().items()):
        assert n1 == n2
        np.testing.assert_array_equal(t1.detach().numpy(), t2.detach().numpy())
        assert t1.data_ptr() != t2.data_ptr()
    assert isinstance(m2[0].weight, pyts.nn.Parameter) and m2[0].weight.requires_grad
    x = pyts.rand(5, 3)
    np.testing.assert_array_equal(m(x).detach().numpy(), m2(x).detach().numpy())


def test_from_bytes_checks_its_input():
    with pytest.raises(ValueError, match="expected 12"):
        pyts._C._tensor_from_bytes(b"\0" * 8, pyts.float32, (3,))
    with pytest.raises(ValueError, match="negative"):
        pyts._C._tensor_from_bytes(b"", pyts.float32, (-1,))
