"""The `complex` scalar type in scripted code, checked against torch.jit.script: annotations
(also inside List/Optional/Tuple/Dict values), 2j literals, complex(...), arithmetic mixing
int/float/complex with torch's result types, ==/!=, abs, str/f-strings/print as torch prints
them, the cmath functions torch scripts, Python <-> script conversion, `.code` text (compiled
back by torch), errors, and archives both ways (torch pickles a complex as builtins.complex)."""
import cmath
import io
import math

import numpy as np
import pytest
import torch

import pyts
import pyts.config
from pyts.jit import CompileError
from script_diff import define, outcome, same_outcomes, same_value, script_both

HDR = "import cmath, math\n"
Z = [1 + 2j, -0.5 + 0j, 3.25 - 1e-3j, -2 - 7j]

# name: (source of def <name>, calls, printed code equal to torch's)
CASES = {
    "arith_float": (HDR + "def arith_float(a: complex, b: float):\n"
                    "    return a + b, b + a, a - b, b - a, a * b, b * a, -a, a == b, b != a, a == a\n",
                    [(z, x) for z in Z for x in (3.0, -0.25, 0.0)], True),
    "arith_int": (HDR + "def arith_int(a: complex, b: int):\n"
                  "    return a + b, b + a, a - b, b - a, a * b, b * a\n",
                  [(z, n) for z in Z for n in (3, -2, 0)], True),
    "arith_complex": (HDR + "def arith_complex(a: complex, b: complex):\n"
                      "    return a + b, a - b, a * b, a / b, a ** b, a == b, a != b\n",
                      [(a, b) for a in Z for b in (3 - 1j, 0.5j, -2 + 0j)], True),
    "pow_float": (HDR + "def pow_float(a: complex, b: float):\n    return a ** b, b ** a\n",
                  [(z, x) for z in Z for x in (3.0, 0.5, -1.5)] + [(2 + 0j, 2.0), (-2 + 0j, 0.5)], True),
    "literals": (HDR + "def literals(a: complex):\n    x = 2j\n    y = -0.5j\n    w = 1.5j + a\n"
                 "    return x, y, w, 1e300j, x * y\n", [(1 + 2j,), (-1j,)], True),
    "construct": (HDR + "def construct(a: int, b: float, c: bool, z: complex):\n"
                  "    return complex(a, b), complex(a), complex(b), complex(b, a), complex(c, a), complex(a, c), "
                  "complex(z), complex(b, b)\n", [(1, 2.0, True, 3j), (-4, 0.5, False, 1 + 1j)], True),
    "construct_tensor": (HDR + "def construct_tensor(t: Tensor, a: int):\n"
                         "    return complex(t), complex(t, a), complex(2.5, t), complex(t, t)\n",
                         [(np.array(3.0, dtype=np.float32), 1), (np.array(-2.5), 0),
                          (np.array([1.0, 2.0], dtype=np.float32), 1)], True),
    "abs_str": (HDR + "def abs_str(a: complex):\n    return abs(a), str(a), f'{a}', 'v={}'.format(a)\n",
                [(z,) for z in Z] + [(1e20 + 1e-20j,), (12345678901.0 - 3j,), (-0.0 + 0j,)], True),
    "cmath_fns": (HDR + "def cmath_fns(a: complex):\n"
                  "    return (cmath.sqrt(a), cmath.exp(a), cmath.log(a), cmath.log10(a), cmath.sin(a), cmath.cos(a),\n"
                  "            cmath.tan(a), cmath.asin(a), cmath.acos(a), cmath.atan(a), cmath.sinh(a), cmath.cosh(a),\n"
                  "            cmath.tanh(a), cmath.asinh(a), cmath.acosh(a), cmath.atanh(a), cmath.phase(a))\n",
                  [(z,) for z in Z], True),
    "cmath_log_base": (HDR + "def cmath_log_base(a: complex, b: float, n: int, z: complex):\n"
                       "    return cmath.log(a, b), cmath.log(a, n), cmath.log(b, a), cmath.log(n, a), cmath.log(a, z)\n",
                       [(1 + 2j, 3.0, 2, 0.5j), (-1j, 10.0, 5, 2 + 1j)], True),
    "math_on_complex": (HDR + "def math_on_complex(a: complex):\n"
                        "    return math.isnan(a), math.isinf(a), cmath.isnan(a), cmath.isinf(a), cmath.isfinite(a)\n",
                        [(1 + 2j,), (complex(math.inf, 1),), (complex(1, math.nan),)], False),
    "rect_polar": (HDR + "def rect_polar(r: float, t: float, n: int):\n"
                   "    return cmath.rect(r, t), cmath.rect(n, t), cmath.rect(r, n), cmath.rect(n, n)\n",
                   [(1.0, 2.0, 3), (2.5, -0.5, 0)], True),
    "constants": (HDR + "def constants(a: complex):\n    return a * cmath.pi, cmath.inf, cmath.infj, a + cmath.e\n",
                  [(1 + 1j,)], False),
    "containers": (HDR + "def containers(xs: List[complex], o: Optional[complex], t: Tuple[complex, int], "
                   "d: Dict[str, complex]):\n    ys = [x * 2 for x in xs]\n    ys.append(1j)\n"
                   "    return ys, o, t, d, sum(xs), len(xs)\n",
                   [([1j, 2 + 0j], None, (3j, 1), {"a": 1 + 1j}), ([], 2j, (0j, 0), {})], False),
    "optional_refine": (HDR + "def optional_refine(o: Optional[complex]) -> complex:\n"
                        "    if o is None:\n        return 0j\n    return o * o\n", [(None,), (1 + 1j,)], True),
    "loop_accumulate": (HDR + "def loop_accumulate(n: int, z: complex) -> complex:\n    acc = 1 + 0j\n"
                        "    for i in range(n):\n        acc = acc * z + i\n    return acc\n", [(0, 1j), (5, 0.5 + 0.5j)], True),
    "int_float_of": (HDR + "def int_float_of(a: complex):\n    return float(a), int(a)\n",
                     [(3.7 + 0j,), (-3.7 + 0j,), (1 + 2j,), (-0.5 - 0j,)], True),
    "number_result": (HDR + "def number_result(a: complex, b: float):\n    return a / b\n",
                      [(1 + 2j, 2.0)], True),
}

# sources torch refuses to compile (pyts must refuse them too)
ERRORS = {
    "real_attr": HDR + "def real_attr(a: complex):\n    return a.real\n",
    "conjugate": HDR + "def conjugate(a: complex):\n    return a.conjugate()\n",
    "complex_cond": HDR + "def complex_cond(a: complex):\n    if a:\n        return 1\n    return 0\n",
    "complex_str_arg": HDR + "def complex_str_arg(s: str):\n    return complex(s)\n",
    "complex_bool": HDR + "def complex_bool(a: complex):\n    return bool(a)\n",
    "complex_two_complex": HDR + "def complex_two_complex(a: complex):\n    return complex(a, 1)\n",
    "polar_fn": HDR + "def polar_fn(a: complex):\n    return cmath.polar(a)\n",
}


def _define(tmp_path, name, src, lib):
    return define(tmp_path, name, src, lib, "cplx")[name]


def _outcome(f, lib, args):
    return outcome(f, lib, args)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_as_torch(tmp_path, name):
    src, calls, same_code = CASES[name]
    fp, ft, recompiled = script_both(_define, tmp_path, name, src)   # recompiled: pyts's .code in torch
    same_outcomes(fp, ft, recompiled, name, calls, _outcome)
    if same_code:
        assert fp.code == ft.code


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_rejected_like_torch(tmp_path, name):
    src = ERRORS[name]
    with pytest.raises(RuntimeError):
        torch.jit.script(_define(tmp_path, name, src, torch))
    with pytest.raises(CompileError) as pe:
        pyts.jit.script(_define(tmp_path, name, src, pyts))
    assert f"{name}_pyts.py" in str(pe.value) and "^" in str(pe.value)


def test_result_types_and_values(tmp_path):
    """the Python results are complex objects with torch's exact values and signs of zero"""
    src = HDR + "def f(a: complex, b: int):\n    return a, b - a, a * b, cmath.sqrt(a), complex(b)\n"
    fp = pyts.jit.script(_define(tmp_path, "f", src, pyts))
    ft = torch.jit.script(_define(tmp_path, "f", src, torch))
    for args in [(1 + 0j, 3), (-0.0 - 1j, 0), (1e-300 + 1e300j, -1)]:
        got, want = fp(*args), ft(*args)
        assert all(type(g) is complex for g in got)
        for g, w in zip(got, want):
            assert (g.real, g.imag) == (w.real, w.imag)
            assert (math.copysign(1, g.real), math.copysign(1, g.imag)) == (math.copysign(1, w.real), math.copysign(1, w.imag))


def test_print_like_torch(tmp_path, capfd):
    src = HDR + "def f(a: complex, b: float):\n    print(a, 1j, -0.5j, complex(b, -b), [a, 2j], (a,))\n    return a\n"
    outs = []
    for lib in (pyts, torch):
        f = lib.jit.script(_define(tmp_path, "f", src, lib))
        capfd.readouterr()
        f(1 + 2j, float("nan"))
        f(-3.5 - 0.25j, 1e20)
        outs.append(capfd.readouterr().out)
    assert outs[0] == outs[1]
    assert "1.+2.j 0.+1.j 0.-0.5j nan-nanj [1.+2.j, 0.+2.j] (1.+2.j,)" in outs[0]


def test_graph_constants_like_torch(tmp_path):
    src = HDR + "def f(a: complex):\n    return a + 1.5j, a * -2j\n"
    gp = str(pyts.jit.script(_define(tmp_path, "f", src, pyts)).graph)
    gt = str(torch.jit.script(_define(tmp_path, "f", src, torch)).graph)
    for text in ("complex = prim::Constant[value=0.+1.5j]", "complex = prim::Constant[value=0.-2.j]", " : complex):"):
        assert text in gp and text in gt


def test_runtime_refusals_are_runtime_errors(tmp_path):
    """torch types complex / float as float and fails when it runs; pyts raises a RuntimeError
    too (never a wrong value), also for tensor ops given a complex Scalar"""
    cases = {"div_real": (HDR + "def div_real(a: complex, b: float):\n    return a / b\n", (1 + 2j, 2.0)),
             "pow_int": (HDR + "def pow_int(a: complex, b: int):\n    return a ** b\n", (1 + 2j, 2)),
             "eq_int": (HDR + "def eq_int(a: complex, b: int):\n    return a == b\n", (1 + 2j, 2)),
             "lt": (HDR + "def lt(a: complex, b: complex):\n    return a < b\n", (1 + 2j, 2j))}
    for name, (src, args) in cases.items():
        ft = torch.jit.script(_define(tmp_path, name, src, torch))
        fp = pyts.jit.script(_define(tmp_path, name, src, pyts))
        assert fp.code == ft.code
        with pytest.raises(RuntimeError):
            ft(*args)
        with pytest.raises(RuntimeError, match="complex"):
            fp(*args)
    # a tensor op given a complex Scalar makes a complex tensor, as torch's (complex tensors exist)
    src = HDR + "def tensor_scalar(x: Tensor, a: complex):\n    return x * a\n"
    fp = pyts.jit.script(_define(tmp_path, "tensor_scalar", src, pyts))
    ft = torch.jit.script(_define(tmp_path, "tensor_scalar", src, torch))
    got, want = fp(pyts.ones(2), 2j), ft(torch.ones(2), 2j)
    assert str(got.dtype) == "pyts.complex64" and got.tolist() == want.tolist()


def test_argument_types_checked(tmp_path):
    src = HDR + "def f(a: complex) -> complex:\n    return a\n"
    fp = pyts.jit.script(_define(tmp_path, "f", src, pyts))
    ft = torch.jit.script(_define(tmp_path, "f", src, torch))
    # a str is refused with torch's RuntimeError and message
    with pytest.raises(RuntimeError) as te:
        ft("x")
    with pytest.raises(RuntimeError) as pe:
        fp("x")
    assert str(pe.value) == str(te.value)
    # an int, float or bool is converted, as torch does
    for ok in (2j, 1.5, 3, True, -0.0):
        got, want = fp(ok), ft(ok)
        assert type(got) is complex and got == want


def _module(tmp_path, name, src, lib):
    return define(tmp_path, name, src, lib, "cplxm", nn=lib.nn)["M"]()


def _save(sm, lib):
    buf = io.BytesIO()
    lib.jit.save(sm, buf)
    return io.BytesIO(buf.getvalue())


MODULE = (HDR + "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
          "        self.z = 1 + 2j\n        self.zs = [3j, 1 + 0j, -0.5 - 0.25j]\n"
          "        self.d = {'k': 2 - 1j}\n"
          "    def forward(self, x: complex, n: int) -> Tuple[complex, List[complex], str]:\n"
          "        y = x * self.z + 2j - self.d['k']\n"
          "        return cmath.exp(y) / (n + 1.5j), [v * n for v in self.zs], str(y)\n")


def test_archives_both_ways(tmp_path):
    """torch's archive runs in pyts and pyts's in torch (attributes pickled as builtins.complex,
    constants like 0.+2.j in the code), with torch's results and torch's code text"""
    ft = torch.jit.script(_module(tmp_path, "mod", MODULE, torch))
    fp = pyts.jit.script(_module(tmp_path, "mod", MODULE, pyts))
    assert fp.code == ft.code
    from_torch = pyts.jit.load(_save(ft, torch))
    from_pyts = torch.jit.load(_save(fp, pyts))
    assert from_torch.code == ft.code and from_pyts.code == ft.code
    assert from_torch.z == ft.z and from_torch.zs == ft.zs and from_pyts.zs == fp.zs
    for args in [(1 + 1j, 2), (-0.5j, 0), (3 + 0j, -1)]:
        want = ft(*args)
        for m in (fp, from_torch, from_pyts):
            same_value(m(*args), want)
    # pyts's own round trip keeps the values and their type
    again = pyts.jit.load(_save(from_torch, pyts))
    assert again.z == 1 + 2j and type(again.zs[0]) is complex


def test_many_complex_values_in_a_loop(tmp_path):
    """a loop making and appending many complex values (boxed, refcounted) gives torch's list"""
    src = HDR + "def f(n: int, z: complex) -> List[complex]:\n    out: List[complex] = []\n" \
                "    for i in range(n):\n        out.append(z * i + cmath.sqrt(z))\n    return out\n"
    fp = pyts.jit.script(_define(tmp_path, "f", src, pyts))
    ft = torch.jit.script(_define(tmp_path, "f", src, torch))
    assert fp(100, 1 + 1j) == ft(100, 1 + 1j)


CLI_MODULE = (HDR + "class M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.z = 0.5 - 2j\n        self.zs = [1j, 2 + 0j]\n"
              "    def forward(self, x: Tensor, k: float) -> Tensor:\n"
              "        w = self.z * k + 1.5j\n        for v in self.zs:\n            w = w * cmath.exp(v)\n"
              "        print(w)\n        return x * abs(w) + cmath.phase(w)\n")


def test_c_runtime_runs_complex_archives(tmp_path, capfd):
    """pyts-run (no Python) loads torch's and pyts's archives holding complex attributes and
    constants, and computes torch's result; print writes torch's text"""
    import subprocess
    cli = pyts.config.get_cli()
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    np.save(tmp_path / "x.npy", x)
    ft = torch.jit.script(_module(tmp_path, "climod", CLI_MODULE, torch))
    fp = pyts.jit.script(_module(tmp_path, "climod", CLI_MODULE, pyts))
    capfd.readouterr()
    want = ft(torch.tensor(x), 3.0).numpy()
    printed = capfd.readouterr().out   # torch's print of the complex w
    assert printed.strip().endswith("j")
    for lib, m in ((torch, ft), (pyts, fp)):
        path = tmp_path / f"{lib.__name__}.pt"
        lib.jit.save(m, str(path))
        r = subprocess.run([cli, str(path), str(tmp_path / "x.npy"), "float:3.0", "-o", str(tmp_path / "res")],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        np.testing.assert_allclose(np.load(tmp_path / "res0.npy"), want, rtol=1e-6)
        assert printed in r.stdout
