"""pyts.linalg: torch.linalg's names for the registry's linalg_* rows (csrc/ops/ops_linalg2.def).
Thin: each name is the registry function itself, so scripted code calls the op directly."""
from . import _C

LinAlgError = _C._LinAlgError

_F = _C._functions
_NAMES = ("det", "slogdet", "inv", "inv_ex", "solve", "solve_ex", "cholesky", "cholesky_ex", "qr", "svd",
          "svdvals", "eigh", "eigvalsh", "eig", "eigvals", "vector_norm", "matrix_norm", "norm", "pinv", "matrix_rank", "cross",
          "matrix_power", "multi_dot", "vecdot", "matmul", "diagonal", "cond", "lstsq")
for _n in _NAMES:
    if "linalg_" + _n in _F:
        globals()[_n] = _F["linalg_" + _n]
del _n

__all__ = ["LinAlgError"] + [n for n in _NAMES if n in globals()]
