"""Complex tensors at the Python level: the cfloat/cdouble dtype aliases and the x.real / x.imag
properties (torch exposes them as attributes; torch.real / torch.imag are the registry rows).
Assigning to them writes through the view, as torch does."""
from . import _C

_real = _C._functions["real"]
_imag = _C._functions["imag"]


def _get_real(self):
    return _real(self)


def _set_real(self, value):
    _real(self).copy_(value)


def _get_imag(self):
    return _imag(self)


def _set_imag(self, value):
    _imag(self).copy_(value)


_C.Tensor.real = property(_get_real, _set_real)
_C.Tensor.imag = property(_get_imag, _set_imag)

cfloat = _C._dtypes["complex64"]
cdouble = _C._dtypes["complex128"]


def _conj_after(prop):
    """x.H / x.mH are the conjugate transposes: pyts/_tensor.py transposes, this conjugates."""
    get = prop.fget

    def conj_transpose(self):
        r = get(self)
        return r.conj() if r.is_complex() else r
    return property(conj_transpose)


_C.Tensor.H = _conj_after(_C.Tensor.H)
_C.Tensor.mH = _conj_after(_C.Tensor.mH)

# x.cfloat() / x.cdouble(), as torch's Tensor methods
_C.Tensor.cfloat = lambda self, memory_format=None: self.to(cfloat)
_C.Tensor.cdouble = lambda self, memory_format=None: self.to(cdouble)
