"""pyts.special: torch.special's names for registry rows. torch's scripted calls of these are the
ops it normalizes them to (torch.special.expit is aten::sigmoid, gammaln aten::lgamma); each name
here is that registry function, so scripted code calls the same op. Names whose op pyts has no row
for are absent (scripting them is a compile error naming the attribute)."""
from . import _C

_F = _C._functions
_NAMES = {
    "expit": "sigmoid", "psi": "digamma", "digamma": "digamma", "gammaln": "lgamma", "erf": "erf",
    "erfc": "erfc", "erfinv": "erfinv", "exp2": "exp2", "expm1": "expm1", "log1p": "log1p", "logit": "logit",
    "sinc": "sinc", "i0": "i0", "i1": "special_i1", "xlogy": "xlogy", "multigammaln": "mvlgamma",
    "polygamma": "polygamma", "softmax": "softmax", "log_softmax": "log_softmax", "logsumexp": "logsumexp",
}
for _n, _op in _NAMES.items():
    if _op in _F:
        globals()[_n] = _F[_op]
del _n, _op

__all__ = [n for n in _NAMES if n in globals()]
