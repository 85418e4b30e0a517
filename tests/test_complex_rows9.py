"""Complex rows of session 9 against torch 2.13: gradients of var/std (every overload), var_mean /
std_mean, prod (with and without dim, zeros included), cumprod, vdot, acosh, logsumexp and
cross / linalg.cross on complex128 inputs (vs torch and central finite differences, second
derivatives through create_graph), their forward values and special values."""
import numpy as np
import pytest

import pyts
from test_complex_autograd import LOSSES, _forward, carr, leaf, loss_mix, loss_real, npy, run

torch = pytest.importorskip("torch")

C = carr


def with_zeros(a, *idx):
    a = a.copy()
    for i in idx:
        a[i] = 0
    return a


# name -> (f(L, *inputs), input arrays)
CASES = {
    "var": (lambda L, x: x.var(), [C(2, 3)]),
    "var_biased": (lambda L, x: x.var(False) * 2, [C(4)]),
    "var_dim": (lambda L, x: x.var(1), [C(2, 3)]),
    "var_dim_keepdim": (lambda L, x: L.var(x, [0, 2], unbiased=False, keepdim=True), [C(2, 3, 2)]),
    "var_correction": (lambda L, x: L.var(x, dim=0, correction=2), [C(4, 2)]),
    "var_correction_all": (lambda L, x: x.var(correction=0), [C(2, 3)]),
    "std": (lambda L, x: x.std(), [C(2, 3)]),
    "std_dim": (lambda L, x: L.std(x, 1, keepdim=True), [C(3, 3)]),
    "std_correction": (lambda L, x: x.std(dim=[0], correction=0), [C(3, 2)]),
    "var_mean": (lambda L, x: list(L.var_mean(x, 1)), [C(2, 3)]),
    "std_mean": (lambda L, x: list(L.std_mean(x, dim=0, correction=0, keepdim=True)), [C(3, 2)]),
    "std_mean_all": (lambda L, x: list(L.std_mean(x)), [C(2, 2)]),
    "prod": (lambda L, x: x.prod(), [C(2, 3) * 1.1]),
    "prod_one_zero": (lambda L, x: x.prod() * (1 + 1j), [with_zeros(C(2, 3), (1, 2))]),
    "prod_two_zeros": (lambda L, x: x.prod() + x.sum(), [with_zeros(C(2, 3), (0, 0), (1, 2))]),
    "prod_dim": (lambda L, x: x.prod(1), [C(3, 4)]),
    "prod_dim_zeros": (lambda L, x: L.prod(x, 0, keepdim=True),
                       [with_zeros(C(3, 3), (0, 0), (1, 1), (2, 1), (2, 2))]),
    "cumprod": (lambda L, x: x.cumprod(1), [C(2, 4)]),
    "cumprod_zero": (lambda L, x: x.cumprod(0), [with_zeros(C(4, 2), (1, 0))]),
    "vdot": (lambda L, x, y: L.vdot(x, y) * x.vdot(x), [C(4), C(4, seed=3)]),
    "acosh": (lambda L, x: x.acosh(), [C(5, pos=True) + 0.5]),
    "logsumexp": (lambda L, x: L.logsumexp(x, 1), [C(2, 4)]),
    "logsumexp_dims_keepdim": (lambda L, x: x.logsumexp([0, 2], keepdim=True), [C(2, 3, 2)]),
    "cross": (lambda L, x, y: L.cross(x, y, dim=1), [C(2, 3), C(2, 3, seed=4)]),
    "linalg_cross": (lambda L, x, y: L.linalg.cross(x, y), [C(2, 3), C(1, 3, seed=4)]),
    "linalg_cross_dim": (lambda L, x, y: L.linalg.cross(x, y, dim=0), [C(3, 2), C(3, 2, seed=5)]),
}


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("key", list(CASES))
def test_gradients_match_torch(key, loss):
    f, arrays = CASES[key]
    _, gp = run(pyts, f, arrays, LOSSES[loss])
    _, gt = run(torch, f, arrays, LOSSES[loss])
    for i, (a, b) in enumerate(zip(gp, gt)):
        assert str(a.dtype) == str(b.dtype).replace("torch", "pyts"), (key, i)
        np.testing.assert_allclose(npy(a), npy(b), rtol=1e-9, atol=1e-10, err_msg=f"{key} grad {i}")


@pytest.mark.parametrize("key", list(CASES))
def test_values_match_torch(key):
    f, arrays = CASES[key]
    with pyts.no_grad():
        p = f(pyts, *[leaf(pyts, a, grad=False) for a in arrays])
    t = f(torch, *[leaf(torch, a, grad=False) for a in arrays])
    ps, ts = (list(p), list(t)) if isinstance(p, list) else ([p], [t])
    for a, b in zip(ps, ts):
        assert str(a.dtype) == str(b.dtype).replace("torch", "pyts") and tuple(a.shape) == tuple(b.shape), key
        np.testing.assert_allclose(npy(a), npy(b), rtol=1e-12, atol=1e-13, err_msg=key)


@pytest.mark.parametrize("key", list(CASES))
def test_finite_differences(key):
    f, arrays = CASES[key]
    _, g = run(pyts, f, arrays, loss_mix)
    eps = 1e-6
    for i, base in enumerate(arrays):
        num = np.zeros(base.shape, dtype=base.dtype)
        for idx in np.ndindex(base.shape):
            for st in [1.0, 1j]:
                hi, lo = list(arrays), list(arrays)
                hi[i] = base.copy()
                lo[i] = base.copy()
                hi[i][idx] += eps * st
                lo[i][idx] -= eps * st
                num[idx] += (_forward(f, hi, loss_mix) - _forward(f, lo, loss_mix)) / (2 * eps) * st
        np.testing.assert_allclose(npy(g[i]), num, rtol=1e-5, atol=1e-6, err_msg=f"{key} input {i}")


SECOND = ["var_dim", "var_correction", "std_dim", "var_mean", "prod", "prod_one_zero", "prod_dim_zeros",
          "cumprod", "vdot", "acosh", "logsumexp", "cross", "linalg_cross"]


@pytest.mark.parametrize("key", SECOND)
def test_second_order_matches_torch(key):
    f, arrays = CASES[key]
    res = []
    for L in (pyts, torch):
        xs, gs = run(L, f, arrays, loss_mix, create_graph=True)
        s = sum((g * g.new_ones(()) * (0.3 + 0.9j)).real.sum() + (g.abs() ** 2).sum() for g in gs)
        res.append(L.autograd.grad(s, xs, allow_unused=True))
    for i, (a, b) in enumerate(zip(*res)):
        assert (a is None) == (b is None), (key, i)
        if a is not None:
            np.testing.assert_allclose(npy(a), npy(b), rtol=1e-8, atol=1e-9, err_msg=f"{key} second {i}")


def test_acosh_gradient_is_torchs_on_the_whole_plane():
    # torch's acosh gradient is conj(1 / (sqrt(z - 1) sqrt(z + 1))), the derivative of the principal
    # branch: it equals conj(1 / sqrt(z^2 - 1)) only where re(z) > 0; compare both half planes
    z = np.array([2 + 0.5j, -2 + 0.5j, 0.3 - 0.2j, -0.5 - 1j, -2 - 0.5j, 0.5 + 0j, -2 + 0j, 3j, -3j])
    res = [run(L, lambda L, x: x.acosh(), [z], loss_mix)[1][0] for L in (pyts, torch)]
    np.testing.assert_allclose(npy(res[0]), npy(res[1]), rtol=1e-12)
    # and finite differences agree away from the branch cut (real axis below 1)
    off = z[np.abs(z.imag) > 0.1]
    _, g = run(pyts, lambda L, x: x.acosh(), [off], loss_mix)
    eps = 1e-6
    num = np.zeros_like(off)
    for k in range(len(off)):
        for st in [1.0, 1j]:
            hi, lo = off.copy(), off.copy()
            hi[k] += eps * st
            lo[k] -= eps * st
            num[k] += (_forward(lambda L, x: x.acosh(), [hi], loss_mix)
                       - _forward(lambda L, x: x.acosh(), [lo], loss_mix)) / (2 * eps) * st
    np.testing.assert_allclose(npy(g[0]), num, rtol=1e-5, atol=1e-6)


def test_node_names_match_torch():
    a = carr(2, 3)
    for f in [lambda L, x: x.var(1), lambda L, x: x.std(), lambda L, x: x.prod(), lambda L, x: x.prod(0),
              lambda L, x: x.cumprod(1), lambda L, x: x.acosh(), lambda L, x: x.logsumexp(1)]:
        p, t = f(pyts, leaf(pyts, a)), f(torch, leaf(torch, a))
        assert type(p.grad_fn).__name__ == type(t.grad_fn).__name__


def cplx(*vals):
    return np.array([complex(v) for v in vals])


INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize("rows", [
    [[1 + 1j, complex(INF, 0)]], [[1 + 1j, complex(-INF, 0)]], [[complex(-INF, 0), complex(-INF, 0)]],
    [[complex(INF, 1), complex(INF, 0)]], [[1000 + 1j, 1000 + 2j]], [[-1000 + 1j, -1001 - 2j]],
    [[complex(NAN, 0), 1j]], [[1e-300 + 0j, -1e-300 + 1j]],
])
def test_logsumexp_special_values(rows):
    a = np.array(rows, dtype=np.complex128)
    for keep in (False, True):
        p = npy(pyts.logsumexp(pyts.from_numpy(a.copy()), 1, keepdim=keep))
        t = npy(torch.logsumexp(torch.from_numpy(a.copy()), 1, keepdim=keep))
        np.testing.assert_allclose(p, t, rtol=1e-12, equal_nan=True)


def test_logsumexp_empty_complex64_and_out():
    e = [L.logsumexp(L.zeros(0, 2, dtype=L.complex128), 0) for L in (pyts, torch)]
    np.testing.assert_array_equal(npy(e[0]), npy(e[1]))
    a = carr(3, 4).astype(np.complex64)
    r = [L.logsumexp(L.from_numpy(a.copy()), 0) for L in (pyts, torch)]
    assert r[0].dtype == pyts.complex64
    np.testing.assert_allclose(npy(r[0]), npy(r[1]), rtol=1e-5)
    outs = []
    for L in (pyts, torch):
        o = L.empty(3, dtype=L.complex128)
        L.logsumexp(L.from_numpy(carr(3, 4)), 1, out=o)
        outs.append(npy(o))
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12)


def _same_error(f):
    with pytest.raises(Exception) as ep:
        f(pyts)
    with pytest.raises(Exception) as et:
        f(torch)
    assert type(ep.value) is type(et.value)
    assert str(ep.value) == str(et.value).replace("torch.", "pyts."), (str(ep.value), str(et.value))


def test_cross_errors():
    _same_error(lambda L: L.linalg.cross(L.from_numpy(carr(2, 3)), L.from_numpy(carr(2, 4))))
    _same_error(lambda L: L.linalg.cross(L.from_numpy(carr(3)), L.from_numpy(carr(3, real=True))))
    _same_error(lambda L: L.logsumexp(L.from_numpy(carr(3)), 0, out=L.empty(0, dtype=L.int64)))


# ---- complex Scalars: every Scalar-taking row called with a Python complex ---------------------
rng = np.random.default_rng(1)
A=rng.normal(size=(2,3))+1j*rng.normal(size=(2,3))
B=rng.normal(size=(2,3))+1j*rng.normal(size=(2,3))
M3=rng.normal(size=(3,3))+1j*rng.normal(size=(3,3))
V3=rng.normal(size=3)+1j*rng.normal(size=3)
R=rng.normal(size=(2,3))
I=np.array([[1,0,2],[0,1,1]])
def T(L, a): return L.from_numpy(a.copy())
z=2+1j
SCALAR_CASES = {
 "add": lambda L: T(L,A).add(z), "add_alpha": lambda L: T(L,A).add(T(L,B), alpha=z), "add_s_alpha": lambda L: L.add(T(L,A), z, alpha=z),
 "add_": lambda L: T(L,A).add_(z), "radd": lambda L: z + T(L,A), "add_real": lambda L: T(L,R).add(z),
 "add_real_": lambda L: T(L,R).add_(z),
 "sub": lambda L: T(L,A).sub(z), "sub_": lambda L: T(L,A).sub_(z, alpha=1j), "rsub": lambda L: z - T(L,A), "rsub_fn": lambda L: L.rsub(T(L,A), z, alpha=1j),
 "mul": lambda L: T(L,A).mul(z), "mul_": lambda L: T(L,A).mul_(z), "mul_real": lambda L: T(L,R)*z,
 "div": lambda L: T(L,A).div(z), "div_": lambda L: T(L,A).div_(z), "rdiv": lambda L: z / T(L,A),
 "true_divide": lambda L: T(L,A).true_divide(z), "true_divide_": lambda L: T(L,A).true_divide_(z),
 "div_mode": lambda L: T(L,A).div(z, rounding_mode="floor"),
 "pow": lambda L: T(L,A).pow(z), "pow_": lambda L: T(L,A).pow_(z), "rpow": lambda L: z ** T(L,A), "pow_real": lambda L: T(L,R).pow(z),
 "pow_real_base": lambda L: L.pow(z, T(L,R)),
 "float_power": lambda L: L.float_power(T(L,A), z), "float_power_s": lambda L: L.float_power(z, T(L,A)),
 "float_power_r": lambda L: L.float_power(T(L,R), z),
 "eq": lambda L: T(L,A).eq(z), "ne": lambda L: T(L,A).ne(z), "eq_": lambda L: T(L,A).eq_(z), "ne_": lambda L: T(L,A).ne_(z),
 "eq_real": lambda L: T(L,R).eq(1j), "eq_op": lambda L: T(L,A) == z,
 "lt": lambda L: T(L,A).lt(z), "ge_real": lambda L: T(L,R).ge(z),
 "fill_": lambda L: T(L,A).fill_(z), "fill_real": lambda L: T(L,R).fill_(z),
 "full": lambda L: L.full((2,2), z), "full_dtype": lambda L: L.full((2,2), z, dtype=L.complex64),
 "full_real_dtype": lambda L: L.full((2,2), z, dtype=L.float32),
 "full_like": lambda L: L.full_like(T(L,A), z), "full_like_real": lambda L: L.full_like(T(L,R), z),
 "new_full": lambda L: T(L,A).new_full((2,), z), "new_full_real": lambda L: T(L,R).new_full((2,), z),
 "masked_fill": lambda L: T(L,A).masked_fill(T(L,I>0), z), "masked_fill_": lambda L: T(L,A).masked_fill_(T(L,I>0), z),
 "masked_fill_real": lambda L: T(L,R).masked_fill(T(L,I>0), z),
 "where_so": lambda L: L.where(T(L,I>0), T(L,A), z), "where_ss": lambda L: L.where(T(L,I>0), z, T(L,A)),
 "where_s": lambda L: L.where(T(L,I>0), z, 1.0), "where_real": lambda L: L.where(T(L,I>0), T(L,R), z),
 "clamp": lambda L: T(L,A).clamp(z), "clamp_min": lambda L: T(L,A).clamp_min(z), "clamp_r": lambda L: T(L,R).clamp(min=z),
 "addcmul": lambda L: L.addcmul(T(L,A), T(L,B), T(L,A), value=z), "addcdiv": lambda L: L.addcdiv(T(L,A), T(L,B), T(L,A), value=z),
 "addcmul_": lambda L: T(L,A).addcmul_(T(L,B), T(L,A), value=z),
 "addmm": lambda L: L.addmm(T(L,M3), T(L,M3), T(L,M3), beta=z, alpha=z),
 "addmv": lambda L: L.addmv(T(L,V3), T(L,M3), T(L,V3), beta=z, alpha=1j),
 "addr": lambda L: L.addr(T(L,M3), T(L,V3), T(L,V3), beta=z, alpha=z),
 "baddbmm": lambda L: L.baddbmm(T(L,M3[None]), T(L,M3[None]), T(L,M3[None]), beta=z, alpha=z),
 "addbmm": lambda L: L.addbmm(T(L,M3), T(L,M3[None]), T(L,M3[None]), beta=z, alpha=z),
 "lerp": lambda L: L.lerp(T(L,A), T(L,B), z), "lerp_": lambda L: T(L,A).lerp_(T(L,B), z),
 "scatter_value": lambda L: T(L,A).scatter(1, T(L,I[:, :2]), z), "scatter_value_": lambda L: T(L,A).scatter_(1, T(L,I[:, :2]), z),
 "constant_pad": lambda L: L.nn.functional.pad(T(L,A), (1,1), value=z),
 "constant_pad_nd": lambda L: L.constant_pad_nd(T(L,A), [1,1], z),
 "xlogy_so": lambda L: L.xlogy(T(L,A), z), "remainder": lambda L: T(L,A).remainder(z), "fmod": lambda L: T(L,A).fmod(z),
 "isin": lambda L: L.isin(T(L,A), z),
 "linspace": lambda L: L.linspace(0, z, 3), "linspace2": lambda L: L.linspace(z, 1j, 4),
 "arange": lambda L: L.arange(z),
 "tensor": lambda L: L.tensor(z), "tensor_list": lambda L: L.tensor([z, 1]),
 "norm_p": lambda L: L.norm(T(L,A), p=z),
 "vector_norm_ord": lambda L: L.linalg.vector_norm(T(L,A), ord=z),
 "dist": lambda L: L.dist(T(L,A), T(L,B), p=z),
 "elu": lambda L: L.nn.functional.elu(T(L,A), alpha=z),
 "hardtanh": lambda L: L.nn.functional.hardtanh(T(L,A)),
 "softplus": lambda L: L.nn.functional.softplus(T(L,A), beta=z),
 "leaky_relu": lambda L: L.nn.functional.leaky_relu(T(L,A), z),
 "trapezoid": lambda L: L.trapezoid(T(L,A), dx=z),
 "sub_tensor_alpha": lambda L: L.sub(T(L,A), T(L,B), alpha=z),
 "add_real_alpha": lambda L: L.add(T(L,R), T(L,R), alpha=z),
 "mul_bool": lambda L: T(L,I>0) * z,
 "add_int": lambda L: T(L,I).add(z),
 "histc": lambda L: L.histc(T(L,R), min=z),
 "ones_mul": lambda L: L.ones(2, dtype=L.complex64) * z,
 "c64_add": lambda L: T(L,A.astype(np.complex64)).add(z),
 "c64_pow": lambda L: T(L,A.astype(np.complex64)).pow(z),
 "c64_fill": lambda L: T(L,A.astype(np.complex64)).fill_(z),
 "cumsum_dtype": lambda L: T(L,A).cumsum(0),
 "copysign": lambda L: L.copysign(T(L,R), z),
 "bitwise": lambda L: T(L,I).bitwise_and(1j),
 "trunc_div": lambda L: T(L,A).div(z, rounding_mode="trunc"),
 "log_scalar": lambda L: T(L,A).log() + z,
 "item": lambda L: T(L,A)[0,0].item(),
 "sum_c": lambda L: T(L,A).sum() + z,
 "nan_to_num": lambda L: L.nan_to_num(T(L,A), nan=1.0),
}

R32=rng.normal(size=3).astype(np.float32); R64=rng.normal(size=3); I3=np.arange(3); A3=rng.normal(size=3)+1j*rng.normal(size=3)
SCALAR_CASES.update({
'clamp32':lambda L: T(L,R32).clamp(1j),'clamp64':lambda L: T(L,R64).clamp(min=1j),'clampI':lambda L: T(L,I3).clamp(1j),'clamp_max32':lambda L: T(L,R32).clamp_max(1j),
'clampC':lambda L: T(L,A3).clamp(1j),
'histc32':lambda L: L.histc(T(L,R32),min=1j),'arange2':lambda L: L.arange(0,1j),'arange3':lambda L: L.arange(0,3,1j),
'bit32':lambda L: T(L,R32).bitwise_and(1j),'bitI':lambda L: T(L,I3).bitwise_and(1j),'bitI_or':lambda L: T(L,I3)|1j, 'bit64': lambda L: T(L,R64).bitwise_and(1j),
'isinA':lambda L: L.isin(T(L,R32), T(L,A3)),'isin_s':lambda L: L.isin(1j, T(L,R32)), 'isin_ts': lambda L: L.isin(T(L,R32), 1j),
'div_floor_t':lambda L: T(L,A3).div(T(L,A3), rounding_mode='floor'),'div_none':lambda L: T(L,A3).div(2j, rounding_mode=None),
'div_floor_r':lambda L: T(L,R32).div(1j, rounding_mode='floor'),
'fp_':lambda L: T(L,A3).float_power_(2j), 'fp_c64':lambda L: T(L,A3).to(L.complex64).float_power_(2j), 'fp_r':lambda L: T(L,R64).float_power_(2j),
'fp_ss': lambda L: L.float_power(T(L,A3).to(L.complex64), 2), 'fp_tt': lambda L: L.float_power(T(L,A3), T(L,R32)),
'remainder_r':lambda L: T(L,R32).remainder(1j),'fmod_r':lambda L: T(L,R32).fmod(1j),'fmodA':lambda L: T(L,A3).fmod(1j), 'floor_divide': lambda L: T(L,A3).floor_divide(1j),
'copysign_r': lambda L: T(L,R32).copysign(1j),'atan2': lambda L: L.atan2(T(L,A3),T(L,A3)), 'xlogy': lambda L: L.xlogy(T(L,A3), 2j),
'elu_r': lambda L: L.nn.functional.elu(T(L,R32), alpha=1j), 'lrelu_r': lambda L: L.nn.functional.leaky_relu(T(L,R32), 1j),
'softplus_r': lambda L: L.nn.functional.softplus(T(L,R32), beta=1j),
'lt_r':lambda L: T(L,R32).lt(1j), 'ltA': lambda L: T(L,A3).lt(1), 'scatter_r': lambda L: T(L,R32).scatter(0, T(L,I3), 1j), 'mf_r': lambda L: T(L,R32).masked_fill(T(L,I3>0), 1j),
'fill_r32': lambda L: T(L,R32).fill_(1j), 'where_r32': lambda L: L.where(T(L,I3>0), T(L,R32), 1j), 'where_ss2': lambda L: L.where(T(L,I3>0), 1j, 2),
'pad_r': lambda L: L.constant_pad_nd(T(L,R32), [1,1], 1j), 'fullI': lambda L: L.full((2,),1j,dtype=L.int64),
'lerp_r': lambda L: L.lerp(T(L,R32),T(L,R32),1j), 'addcmul_r': lambda L: L.addcmul(T(L,R32),T(L,R32),T(L,R32),value=1j),
'addmm_r': lambda L: L.addmm(T(L,np.eye(3,dtype=np.float32)), T(L,np.eye(3,dtype=np.float32)), T(L,np.eye(3,dtype=np.float32)), beta=1j),
'add_r_alpha': lambda L: L.add(T(L,R32),T(L,R32),alpha=1j), 'mul_r_': lambda L: T(L,R32).mul_(1j), 'add_r_': lambda L: T(L,R32).add_(1j),
'pow_r_': lambda L: T(L,R32).pow_(1j), 'div_r_': lambda L: T(L,R32).div_(1j), 'eq_r_': lambda L: T(L,R32).eq_(1j),
'linspace_dt': lambda L: L.linspace(0, 1j, 3, dtype=L.float32), 'linspace_c128': lambda L: L.linspace(1-1j, 1j, 5, dtype=L.complex128),
'linspace_1': lambda L: L.linspace(1-1j, 1j, 1), 'linspace_0': lambda L: L.linspace(1-1j, 1j, 0),
'rsub_r': lambda L: L.rsub(T(L,R32), 1j), 'sub_r_s': lambda L: T(L,R32) - 1j, 'div_r_s': lambda L: T(L,R32) / 1j, 'I_mul': lambda L: T(L,I3) * 1j,
'I_add': lambda L: T(L,I3) + 1j, 'I_pow': lambda L: T(L,I3) ** 1j, 'I_div': lambda L: T(L,I3) / 1j, 'B_add': lambda L: T(L,I3>0) + 1j,
'I_eq': lambda L: T(L,I3) == 1j, 'r_ne': lambda L: T(L,R32) != 1j,
'addcdiv_r': lambda L: L.addcdiv(T(L,R32),T(L,R32),T(L,R32),value=1j),
})


SCALAR_CASES.update({
    "float_power_out": lambda L: L.float_power(T(L, A3), 2j, out=L.empty(3, dtype=L.complex128)),
    "float_power_out_c64": lambda L: L.float_power(T(L, A3), 2j, out=L.empty(3, dtype=L.complex64)),
    "float_power__shape": lambda L: T(L, A3).float_power_(T(L, A)),
    "float_power_tensor_base": lambda L: L.float_power(T(L, R64), T(L, A3)),
    "div_bad_mode": lambda L: T(L, A3).div(2j, rounding_mode="round"),
    "div_mode_none_tensor": lambda L: L.div(T(L, A), T(L, B), rounding_mode=None),
    "div__mode_none": lambda L: T(L, A).div_(T(L, B), rounding_mode=None),
    "div_mode_none_out": lambda L: L.div(T(L, A3), 1j, rounding_mode=None, out=L.empty(3, dtype=L.complex128)),
    "pad_negative": lambda L: L.constant_pad_nd(T(L, A), [-1, 2, 1, 0], 1 - 2j),
    "pad_real_value": lambda L: L.constant_pad_nd(T(L, A), [1, 1], 0.5),
    "linspace_out": lambda L: L.linspace(1j, 2, 4, out=L.empty(4, dtype=L.complex128)),
    "linspace_out_real": lambda L: L.linspace(1j, 2, 4, out=L.empty(4)),
    "linspace_real_ends_complex_dtype": lambda L: L.linspace(0, 1, 5, dtype=L.complex64),
    "linspace_even": lambda L: L.linspace(-1 + 2j, 3 - 1j, 6, dtype=L.complex128),
    "linspace_negative": lambda L: L.linspace(0, 1j, -1),
    "real_base_pow_special": lambda L: [T(L, np.array([-1.5, 2.0, 0.0, -0.0], dtype=np.float32)) ** e
                                        for e in (2 + 0j, -1 + 0j, 0.5 + 0j, -0.5 + 0j, 3 + 0j, 0j, 1 + 0j)],
    "int_base_pow_special": lambda L: T(L, I3) ** (2 + 0j),
    "real_base_pow_out": lambda L: L.pow(T(L, R64), -2 + 0j, out=L.empty(3, dtype=L.complex128)),
})

def _outcome(f, L):
    try:
        v = f(L)
    except Exception as e:
        return ("err", type(e).__name__, str(e).replace("torch.", "pyts."))
    if isinstance(v, list):
        v = L.stack(v)
    if isinstance(v, (torch.Tensor, pyts.Tensor)):
        return ("ok", str(v.dtype).split(".")[-1], tuple(v.shape), npy(v))
    return ("ok", type(v).__name__, (), np.array(v))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("key", list(SCALAR_CASES))
def test_complex_scalars_match_torch(key):
    p, t = _outcome(SCALAR_CASES[key], pyts), _outcome(SCALAR_CASES[key], torch)
    assert p[:3] == t[:3], (key, p, t)
    if p[0] == "ok":
        np.testing.assert_allclose(p[3], t[3], rtol=1e-6, atol=1e-7, equal_nan=True, err_msg=key)
GRAD_CASES = {
    "float_power": (lambda L, x: L.float_power(x, 1.5 + 0.5j), [C(3)]),
    "float_power_real_base": (lambda L, r, x: L.float_power(r, x), [C(3, real=True, pos=True), C(3)]),
    "div_mode_none": (lambda L, x, y: L.div(x, y, rounding_mode=None) + x.div(2j, rounding_mode=None), [C(3), C(3)]),
}


@pytest.mark.parametrize("key", list(GRAD_CASES))
def test_scalar_row_gradients(key):
    f, arrays = GRAD_CASES[key]
    _, gp = run(pyts, f, arrays, loss_mix)
    _, gt = run(torch, f, arrays, loss_mix)
    for i, (a, b) in enumerate(zip(gp, gt)):
        assert str(a.dtype) == str(b.dtype).replace("torch", "pyts"), (key, i)
        np.testing.assert_allclose(npy(a), npy(b), rtol=1e-9, atol=1e-10, err_msg=f"{key} grad {i}")


# ---- torch's complex arithmetic at special values: pow's special exponents, plain products -----
INF_ = float("inf")
SPECIAL = [0j, complex(-0.0, 0), 1 + 0j, -1 + 0j, 2 + 1j, -1 + 1j, 0.5 - 2j, complex(INF_, 0), complex(-INF_, 0),
           complex(0, INF_), complex(INF_, INF_), complex(NAN, 0), complex(0, NAN), complex(NAN, NAN),
           complex(INF_, NAN), 1j, -1j, 2 + 0j, complex(-2, 0), 0.5 + 0j, complex(0, -0.0), 3 - 4j]
EXPONENTS = [0, 0.0, -0.0, 1, 2, -1, 0.5, -0.5, 3, -2, 2 + 0j, 0j, -1 + 1j, 1j, -1j, 0.5 + 0j, -0.5 + 0j,
             complex(INF_, 0), INF_, NAN, complex(NAN, 0), 1.5, 2.5j, True, False, 3 + 0j, -2 + 0j, 1 + 0j]
SPECIAL_OPS = {
    "x**s": lambda L, x, s: L.pow(x, s),
    "s**x": lambda L, x, s: L.pow(s, x),
    "x.pow_(s)": lambda L, x, s: x.clone().pow_(s),
    "pow_out": lambda L, x, s: L.pow(x, s, out=L.empty(0, dtype=x.dtype)),
    "pow_scalar_out": lambda L, x, s: L.pow(s, x, out=L.empty(0, dtype=x.dtype)),
    "x*s": lambda L, x, s: x * s,
    "x/s": lambda L, x, s: x / s,
    "x+s": lambda L, x, s: x + s,
}


def _same_special(p, t):
    ok = (np.isnan(p.real) == np.isnan(t.real)) & (np.isnan(p.imag) == np.isnan(t.imag))
    ok &= np.isclose(p.real, t.real, rtol=1e-6, atol=0) | np.isnan(t.real)
    ok &= np.isclose(p.imag, t.imag, rtol=1e-6, atol=1e-300) | np.isnan(t.imag)
    return ok


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("dt", [np.complex128, np.complex64])
@pytest.mark.parametrize("op", list(SPECIAL_OPS))
def test_special_values_match_torch(op, dt):
    x = np.array(SPECIAL, dtype=dt)
    for s in EXPONENTS:
        p = _outcome(lambda L: SPECIAL_OPS[op](L, T(L, x), s), pyts)
        t = _outcome(lambda L: SPECIAL_OPS[op](L, T(L, x), s), torch)
        assert p[:3] == t[:3], (op, s, p, t)
        if p[0] == "ok":
            ok = _same_special(p[3], t[3])
            assert ok.all(), (op, s, x[~ok], p[3][~ok], t[3][~ok])


@pytest.mark.parametrize("dt", [np.complex128, np.complex64])
def test_tensor_arithmetic_at_special_values(dt):
    x = np.array(SPECIAL, dtype=dt)
    for name, f in [("sub", lambda L, a: a - a.flip(0)), ("mul", lambda L, a: a * a.flip(0)),
                    ("div", lambda L, a: a / a.flip(0)), ("reciprocal", lambda L, a: a.reciprocal()),
                    ("pow", lambda L, a: a ** a.flip(0)), ("add_alpha", lambda L, a: L.add(a, a.flip(0), alpha=2j))]:
        p, t = npy(f(pyts, T(pyts, x))), npy(f(torch, T(torch, x)))
        ok = _same_special(p, t)
        assert ok.all(), (name, x[~ok], p[~ok], t[~ok])


def test_pow_gradient_at_a_zero_base_matches_torch():
    # 0 ** (e - 1) and 0 * log(0) with a complex e: nan in torch's arithmetic
    ea = np.array([0, 2, 0, 1.5 + 0j, 0.5 - 1j, -0.5 + 1j])
    ra = np.array([0.0, 0.0, 1.0, 0.0, 0.0, 0.0])
    res = [run(L, lambda L, r, e: r ** e, [ra, ea], loss_real)[1] for L in (pyts, torch)]
    for a, b in zip(*res):
        np.testing.assert_allclose(npy(a), npy(b), rtol=1e-12, equal_nan=True)


# ---- cholesky of complex Hermitian matrices ------------------------------------------------------
def hpd(*batch, n=3, seed=0, dt=np.complex128):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=batch + (n, n)) + 1j * rng.normal(size=batch + (n, n))
    return (m @ np.conj(np.swapaxes(m, -1, -2)) + n * np.eye(n)).astype(dt)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("shape", [(), (2,), (2, 1)])
@pytest.mark.parametrize("dt", [np.complex128, np.complex64])
def test_cholesky_matches_torch(upper, shape, dt):
    a = hpd(*shape, dt=dt)
    # a non-Hermitian part in the triangle LAPACK does not read must not matter
    a = a + np.triu(np.ones(a.shape[-2:]), 1) * (0.3j if not upper else 0) + np.tril(np.ones(a.shape[-2:]), -1) * (0.3j if upper else 0)
    tol = 1e-12 if dt == np.complex128 else 1e-5
    p = pyts.linalg.cholesky(T(pyts, a), upper=upper)
    t = torch.linalg.cholesky(T(torch, a), upper=upper)
    assert p.dtype == getattr(pyts, str(t.dtype).split(".")[-1]) and tuple(p.shape) == tuple(t.shape)
    np.testing.assert_allclose(npy(p), npy(t), rtol=tol, atol=tol)
    pl, pi = pyts.linalg.cholesky_ex(T(pyts, a), upper=upper)
    tl, ti = torch.linalg.cholesky_ex(T(torch, a), upper=upper)
    np.testing.assert_allclose(npy(pl), npy(tl), rtol=tol, atol=tol)
    np.testing.assert_array_equal(npy(pi), npy(ti))
    np.testing.assert_allclose(npy(pyts.cholesky(T(pyts, a), upper)), npy(torch.cholesky(T(torch, a), upper)),
                               rtol=tol, atol=tol)


def test_cholesky_not_positive_definite():
    a = hpd(2)
    a[1] = -a[1]
    pi = pyts.linalg.cholesky_ex(T(pyts, a))[1]
    ti = torch.linalg.cholesky_ex(T(torch, a))[1]
    np.testing.assert_array_equal(npy(pi), npy(ti))
    for f in [lambda L: L.linalg.cholesky(T(L, a)), lambda L: L.linalg.cholesky_ex(T(L, a[1]), check_errors=True),
              lambda L: L.cholesky(T(L, a[1]))]:
        with pytest.raises(pyts.linalg.LinAlgError) as ep:
            f(pyts)
        with pytest.raises(torch.linalg.LinAlgError) as et:
            f(torch)
        assert str(ep.value) == str(et.value)
    _same_error(lambda L: L.linalg.cholesky(T(L, np.ones((2, 3), dtype=np.complex128))))
    with pytest.raises(pyts.linalg.LinAlgError):
        pyts.linalg.cholesky(T(pyts, a))


def test_cholesky_ex_check_errors_message_real():
    with pytest.raises(pyts.linalg.LinAlgError) as ep:
        pyts.linalg.cholesky_ex(-pyts.eye(2), check_errors=True)
    with pytest.raises(torch.linalg.LinAlgError) as et:
        torch.linalg.cholesky_ex(-torch.eye(2), check_errors=True)
    assert str(ep.value) == str(et.value)
