"""Separate tensors given for a trailing Tensor[] parameter are packed into a list, as torch's
schema matching does (varargsCanBeUsedAsList): torch.block_diag(x, y), torch.einsum(eq, x, y),
torch.chain_matmul(a, b, c), torch.cartesian_prod(a, b) compile to the list form of the op, with
torch's .code and values."""
import numpy as np
import pytest
import torch

import pyts
from script_diff import define

CASES = {
    "block_diag": ("def f(x: Tensor, y: Tensor) -> Tensor:\n    return torch.block_diag(x, y)\n",
                   [(2, 3), (3, 2)]),
    "block_diag_one": ("def f(x: Tensor, y: Tensor) -> Tensor:\n    return torch.block_diag(x)\n",
                       [(2, 3), (3, 2)]),
    "einsum": ("def f(x: Tensor, y: Tensor) -> Tensor:\n    return torch.einsum('ij,jk->ik', x, y)\n",
               [(2, 3), (3, 4)]),
    "einsum_three": ("def f(x: Tensor, y: Tensor) -> Tensor:\n    return torch.einsum('ij,jk,kl->il', x, y, y.t())\n",
                     [(2, 3), (3, 3)]),
    "chain_matmul": ("def f(x: Tensor, y: Tensor) -> Tensor:\n    return torch.chain_matmul(x, y, x.t())\n",
                     [(2, 3), (3, 3)]),
    "cartesian_prod": ("def f(x: Tensor, y: Tensor) -> Tensor:\n"
                       "    return torch.cartesian_prod(x.flatten(), y.flatten())\n", [(2,), (3,)]),
    "meshgrid_list": ("def f(x: Tensor, y: Tensor) -> List[Tensor]:\n"
                      "    return torch.meshgrid(x, y, indexing='ij')\n", [(2,), (3,)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_varargs_tensor_list(tmp_path, name):
    src, shapes = CASES[name]
    fp = pyts.jit.script(define(tmp_path, name, src, pyts, "varargs")["f"])
    ft = torch.jit.script(define(tmp_path, name, src, torch, "varargs")["f"])
    assert fp.code == ft.code
    assert "prim::ListConstruct" in str(fp.graph)
    rng = np.random.default_rng(0)
    args = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    rp = fp(*[pyts.tensor(a) for a in args])
    rt = ft(*[torch.tensor(a) for a in args])
    if isinstance(rt, torch.Tensor):
        rp, rt = [rp], [rt]
    assert len(rp) == len(rt)
    for p, t in zip(rp, rt):
        np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def test_varargs_item_of_another_type_is_refused(tmp_path):
    src = "def f(x: Tensor, y: Tensor) -> Tensor:\n    return torch.block_diag(x, 3)\n"
    with pytest.raises(pyts.jit.CompileError, match="block_diag"):
        pyts.jit.script(define(tmp_path, "bad", src, pyts, "varargs")["f"])
    with pytest.raises(RuntimeError, match="block_diag"):
        torch.jit.script(define(tmp_path, "bad", src, torch, "varargs")["f"])


def test_int_varargs_still_pack(tmp_path):
    src = "def f(x: Tensor) -> Tensor:\n    return x.view(2, 3).permute(1, 0).reshape(-1)\n"
    fp = pyts.jit.script(define(tmp_path, "ints", src, pyts, "varargs")["f"])
    ft = torch.jit.script(define(tmp_path, "ints", src, torch, "varargs")["f"])
    assert fp.code == ft.code
    x = np.arange(6, dtype=np.float32)
    np.testing.assert_array_equal(fp(pyts.tensor(x)).numpy(), ft(torch.tensor(x)).numpy())
