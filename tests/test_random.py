"""Random numbers: pyts reproduces torch's CPU streams after the same seed (rand, randn, randint,
randperm, normal, uniform_, normal_, bernoulli and the *_like forms); the samplers are also checked
statistically, for determinism under manual_seed, for independent Generator objects, for the
state layout of get_rng_state/set_rng_state, and for thread safety of the default generator."""
import threading

import numpy as np
import pytest
import torch

import pyts

# torch draws scalar-p Bernoulli samples from MKL's own stream on Intel CPUs; pyts follows the
# generic ATen kernel, which torch runs everywhere else.
with open("/proc/cpuinfo") as _f:
    TORCH_MKL_BERNOULLI = "GenuineIntel" in _f.read() and torch.backends.mkl.is_available()

DTYPES = ["float32", "float64", "float16", "bfloat16"]


def np_of(x):
    if x.dtype in (pyts.bfloat16, torch.bfloat16):
        x = x.float()
    return x.numpy()


def both(f, seed=0):
    """f(L) after manual_seed(seed) in each library, as numpy arrays."""
    pyts.manual_seed(seed)
    p = f(pyts)
    torch.manual_seed(seed)
    t = f(torch)
    return p, t


def assert_exact(f, seed=0):
    p, t = both(f, seed)
    if isinstance(t, tuple):
        for a, b in zip(p, t):
            np.testing.assert_array_equal(np_of(a), np_of(b))
        return
    assert str(p.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(p.shape) == tuple(t.shape)
    np.testing.assert_array_equal(np_of(p), np_of(t))


# ---------------------------------------------------------------- exact streams
def test_tutorial_rand():
    pyts.manual_seed(0)
    assert pyts.rand(3).tolist() == pytest.approx([0.4963, 0.7682, 0.0885], abs=1e-4)
    assert_exact(lambda L: L.rand(3))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("n", [1, 3, 15, 16, 17, 37, 64, 1000])
def test_rand_randn_exact(dt, n):
    assert_exact(lambda L: L.rand(n, dtype=getattr(L, dt)))
    assert_exact(lambda L: L.randn(n, dtype=getattr(L, dt)), seed=n)


@pytest.mark.parametrize("seed", [0, 1, 2 ** 32 + 5, 123456789])
def test_randn_large_exact(seed):
    assert_exact(lambda L: L.randn(100003), seed)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("n", [5, 16, 40, 333])
def test_normal_uniform_inplace_exact(dt, n):
    assert_exact(lambda L: L.empty(n, dtype=getattr(L, dt)).normal_(0.3, 1.7))
    assert_exact(lambda L: L.empty(n, dtype=getattr(L, dt)).uniform_(-0.37, 0.52), seed=5)


def test_uniform_never_reaches_to():
    # results that round up to `to` are replaced by `from`, as in torch
    assert_exact(lambda L: L.empty(10000).uniform_(1.0, 1.0000002))
    assert_exact(lambda L: L.empty(10000, dtype=L.float16).uniform_(0, 1))
    pyts.manual_seed(0)
    assert float(pyts.empty(100000, dtype=pyts.float16).uniform_(0, 1).float().numpy().max()) < 1


@pytest.mark.parametrize("shape", [(64, 32), (10, 3), (1, 7), (128, 784)])
def test_linear_init_exact(shape):
    # nn.init.kaiming_uniform_(a=sqrt(5)) on a Linear weight is uniform_(-1/sqrt(fan_in), 1/sqrt(fan_in))
    bound = 1 / shape[1] ** 0.5
    assert_exact(lambda L: (L.empty(*shape).uniform_(-bound, bound), L.empty(shape[0]).uniform_(-bound, bound)))
    assert_exact(lambda L: L.empty(*shape).normal_(0, 0.02), seed=3)


def test_randint_exact():
    assert_exact(lambda L: L.randint(10, (100,)))
    assert_exact(lambda L: L.randint(-7, 7, (5, 6), dtype=L.int32))
    assert_exact(lambda L: L.randint(0, 2 ** 40, (50,)))           # 64-bit draws
    assert_exact(lambda L: L.randint(0, 2 ** 40, (50,), dtype=L.float64))
    assert_exact(lambda L: L.randint(-(2 ** 63), 2 ** 63 - 1, (20,)))
    assert_exact(lambda L: L.randint(0, 256, (50,), dtype=L.uint8))
    assert_exact(lambda L: L.randint(0, 100, (50,), dtype=L.float16))
    assert_exact(lambda L: L.randint_like(L.zeros(4, 5), 3, 9))


@pytest.mark.parametrize("n", [0, 1, 2, 10, 1000, 100000])
def test_randperm_exact(n):
    assert_exact(lambda L: L.randperm(n))


def test_bernoulli_exact():
    assert_exact(lambda L: L.bernoulli(L.rand(100)))
    assert_exact(lambda L: L.bernoulli(L.rand(100, dtype=L.float64)))
    assert_exact(lambda L: L.bernoulli(L.rand(100, dtype=L.float16)))
    assert_exact(lambda L: L.zeros(30, dtype=L.int64).bernoulli_(L.rand(30)))
    f = lambda L: L.bernoulli(L.zeros(200), 0.3)  # noqa: E731
    if TORCH_MKL_BERNOULLI:
        p, t = both(f)
        assert abs(np_of(p).mean() - np_of(t).mean()) < 0.15
    else:
        assert_exact(f)
        assert_exact(lambda L: L.zeros(50, dtype=L.int32).bernoulli_(0.7))


def test_normal_overloads_exact():
    m = np.linspace(-1, 1, 20, dtype=np.float32)
    s = np.linspace(0.1, 2, 20, dtype=np.float32)
    assert_exact(lambda L: L.normal(L.from_numpy(m), L.from_numpy(s)))
    assert_exact(lambda L: L.normal(L.from_numpy(m), 0.5))
    assert_exact(lambda L: L.normal(0.5, L.from_numpy(s)))
    assert_exact(lambda L: L.normal(2.0, 3.0, (4, 5)))
    assert_exact(lambda L: L.normal(L.from_numpy(m[:3]), L.from_numpy(s[:3])))


def test_stream_continues_across_calls():
    # the second Box-Muller sample is cached in the generator between small randn calls
    assert_exact(lambda L: (L.randn(3), L.randn(1), L.rand(2), L.randn(17), L.randint(5, (3,)),
                            L.randn(5, dtype=L.float64), L.randperm(4), L.randn(2)))


def test_noncontiguous_visiting_order():
    base = np.zeros((7, 10), np.float32)
    for make in (lambda L: L.from_numpy(base.copy().T), lambda L: L.from_numpy(base.copy()[:, ::2]),
                 lambda L: L.from_numpy(np.zeros((3, 4, 5), np.float32).transpose(2, 0, 1))):
        assert_exact(lambda L: make(L).normal_())
        assert_exact(lambda L: make(L).uniform_(-1, 1))
        assert_exact(lambda L: L.rand_like(make(L)))
        assert_exact(lambda L: L.randn_like(make(L)))
        assert_exact(lambda L: L.bernoulli(L.rand_like(make(L))))


def test_empty_draws_nothing():
    assert_exact(lambda L: (L.rand(0), L.randn(0), L.randint(3, (0,)), L.rand(4)))


def test_generator_object_streams_match_torch():
    def f(L):
        g = L.Generator().manual_seed(42)
        return (L.rand(5, generator=g), L.randn(20, generator=g), L.randint(0, 9, (4,), generator=g),
                L.randperm(6, generator=g), L.empty(3).uniform_(generator=g), L.empty(3).normal_(generator=g))
    assert_exact(f, seed=7)


def test_rng_state_layout_matches_torch():
    p, t = both(lambda L: (L.randn(3), L.get_rng_state()), seed=11)
    np.testing.assert_array_equal(p[1].detach().numpy(), t[1].detach().numpy())
    assert p[1].dtype == pyts.uint8 and tuple(p[1].shape) == (5056,)
    # torch's state restores into pyts and continues the same stream, cached sample included
    pyts.set_rng_state(pyts.from_numpy(t[1].numpy().copy()))
    torch.set_rng_state(t[1])
    np.testing.assert_array_equal(pyts.randn(5).detach().numpy(), torch.randn(5).detach().numpy())


# ---------------------------------------------------------------- statistics
N = 100_000


def test_rand_statistics():
    x = pyts.rand(N).numpy().astype(np.float64)
    assert 0 <= x.min() and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.01
    assert abs(x.std() - (1 / 12) ** 0.5) < 0.01


@pytest.mark.parametrize("dt", DTYPES)
def test_randn_statistics(dt):
    x = np_of(pyts.randn(N, dtype=getattr(pyts, dt))).astype(np.float64)
    assert abs(x.mean()) < 0.02
    assert abs(x.std() - 1) < 0.02
    assert np.isfinite(x).all()


def test_normal_and_uniform_parameters():
    x = pyts.empty(N).normal_(3.0, 0.5).numpy().astype(np.float64)
    assert abs(x.mean() - 3.0) < 0.01 and abs(x.std() - 0.5) < 0.01
    x = pyts.normal(-2.0, 4.0, (N,)).numpy().astype(np.float64)
    assert abs(x.mean() + 2.0) < 0.08 and abs(x.std() - 4.0) < 0.08
    x = pyts.empty(N, dtype=pyts.float64).uniform_(-3, 5).numpy()
    assert -3 <= x.min() and x.max() < 5 and abs(x.mean() - 1) < 0.05
    x = pyts.empty(31).normal_(0, 0.0).numpy()
    assert (x == 0).all()


def test_randint_statistics():
    x = pyts.randint(-3, 4, (N,)).numpy()
    assert x.min() == -3 and x.max() == 3
    counts = np.bincount(x + 3)
    assert (np.abs(counts / N - 1 / 7) < 0.01).all()
    big = pyts.randint(0, 2 ** 40, (1000,)).numpy()
    assert big.max() > 2 ** 39 and big.min() >= 0


def test_randperm_is_permutation():
    for n in (1, 7, 1000, 50000):
        p = pyts.randperm(n).numpy()
        assert sorted(p.tolist()) == list(range(n))
    assert pyts.randperm(300, dtype=pyts.float32).numpy().astype(int).tolist() != list(range(300))


def test_bernoulli_rate():
    x = pyts.bernoulli(pyts.full((N,), 0.3)).numpy()
    assert set(np.unique(x).tolist()) <= {0.0, 1.0} and abs(x.mean() - 0.3) < 0.01
    x = pyts.bernoulli(pyts.zeros(N), 0.8).numpy()
    assert abs(x.mean() - 0.8) < 0.01
    assert pyts.bernoulli(pyts.zeros(100), 0.0).numpy().sum() == 0
    assert pyts.bernoulli(pyts.ones(100)).numpy().sum() == 100


# ---------------------------------------------------------------- determinism, generators
def test_manual_seed_determinism():
    pyts.manual_seed(123)
    a = [pyts.rand(4).tolist(), pyts.randn(20).tolist(), pyts.randperm(9).tolist()]
    pyts.manual_seed(123)
    b = [pyts.rand(4).tolist(), pyts.randn(20).tolist(), pyts.randperm(9).tolist()]
    assert a == b
    pyts.manual_seed(124)
    assert pyts.rand(4).tolist() != a[0]


def test_manual_seed_returns_default_generator():
    g = pyts.manual_seed(5)
    assert g is pyts.default_generator
    assert isinstance(g, pyts.Generator)
    assert pyts.initial_seed() == 5 and g.initial_seed() == 5
    assert pyts.manual_seed(7.9).initial_seed() == 7          # int() first, like torch
    assert pyts.manual_seed(-1).initial_seed() == 2 ** 64 - 1
    assert pyts.manual_seed(2 ** 64 - 1).initial_seed() == 2 ** 64 - 1
    with pytest.raises(ValueError):
        pyts.manual_seed(2 ** 64)
    with pytest.raises(TypeError):
        pyts.Generator().manual_seed("3")


def test_generator_defaults_and_methods():
    g = pyts.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert g.manual_seed(3) is g
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    s2 = pyts.seed()
    assert pyts.initial_seed() == s2
    assert "Generator" in repr(g)
    pyts.Generator(device="cpu")
    with pytest.raises(RuntimeError):
        pyts.Generator(device="cuda")


def test_generators_are_independent():
    g1 = pyts.Generator().manual_seed(9)
    g2 = pyts.Generator().manual_seed(9)
    pyts.manual_seed(0)
    a = pyts.rand(5, generator=g1).tolist()
    pyts.rand(100)                                    # the default generator moves on
    pyts.rand(50, generator=g1)                       # g1 moves on, g2 does not
    b = pyts.rand(5, generator=g2).tolist()
    assert a == b
    pyts.manual_seed(0)
    c = pyts.rand(5).tolist()
    pyts.manual_seed(0)
    pyts.rand(5, generator=g1)
    assert pyts.rand(5).tolist() == c                 # g1 did not touch the default


def test_generator_state_roundtrip():
    g = pyts.Generator().manual_seed(1)
    pyts.randn(3, generator=g)                        # leaves a cached normal sample
    st = g.get_state()
    a = pyts.randn(7, generator=g).tolist()
    assert g.set_state(st) is g
    assert pyts.randn(7, generator=g).tolist() == a
    st = pyts.get_rng_state()
    a = pyts.rand(3).tolist()
    pyts.set_rng_state(st)
    assert pyts.rand(3).tolist() == a
    with pytest.raises(RuntimeError):
        g.set_state(pyts.zeros(10, dtype=pyts.uint8))
    with pytest.raises(TypeError):
        g.set_state(pyts.zeros(5056))
    bad = st.numpy().copy()
    bad[8:12] = 0                                     # left = 0 is not a valid engine state
    with pytest.raises(RuntimeError):
        g.set_state(pyts.from_numpy(bad))


def test_generator_argument_checked():
    with pytest.raises(TypeError):
        pyts.rand(3, generator=5)


def test_default_generator_thread_safety():
    # every op holds the generator lock for its whole fill, so each result is one contiguous
    # piece of the stream: together the threads see exactly the first 8 * 20000 draws
    pyts.manual_seed(99)
    expect = np.sort(pyts.rand(8 * 20000).numpy())
    pyts.manual_seed(99)
    out = []

    def work():
        for _ in range(2):
            out.append(pyts.rand(20000).numpy())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(np.sort(np.concatenate(out)), expect)
