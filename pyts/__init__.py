"""pyts: TorchScript rebuilt as a small, fast C library. Tensors and their functions."""
__version__ = "0.1.0"

from . import _C
from ._tensor_str import get_printoptions, set_printoptions  # noqa: F401
from ._C import Tensor, Size, device, dtype, from_numpy, tensor  # noqa: F401
from . import _tensor  # noqa: E402,F401  (deepcopy and pickle)

globals().update(_C._dtypes)
float = _C._dtypes["float32"]  # noqa: A001  (torch.float is float32)
double = _C._dtypes["float64"]
half = _C._dtypes["float16"]
long = _C._dtypes["int64"]
int = _C._dtypes["int32"]  # noqa: A001
short = _C._dtypes["int16"]
from ._complex import cdouble, cfloat  # noqa: E402,F401  (complex tensors: dtype aliases, x.real/x.imag)

globals().update(_C._functions)
globals().update(_tensor.PY_FUNCTIONS)
from .functional import atleast_1d, atleast_2d, atleast_3d, broadcast_tensors, cartesian_prod, meshgrid  # noqa: E402,F401,E501
from . import _reduce2  # noqa: E402
from ._attrs import layout, strided  # noqa: E402,F401  (x.layout, x.type(), x.get_device())
from . import _functional_script  # noqa: E402  (torch.functional's compiled functions in scripted code)
_functional_script.attach(_reduce2.unique, _reduce2.unique_consecutive, _reduce2.cdist, _reduce2.tensordot)
globals().update(_reduce2.PY_FUNCTIONS)

set_num_threads = _C.set_num_threads
get_num_threads = _C.get_num_threads
set_num_interop_threads = _C.set_num_interop_threads
get_num_interop_threads = _C.get_num_interop_threads
set_default_dtype = _C.set_default_dtype
get_default_dtype = _C.get_default_dtype
promote_types = _C.promote_types

# random number generation (csrc/ops/random.c, csrc/python/generator.c)
from ._C import (Generator, default_generator, get_rng_state, initial_seed,  # noqa: F401,E402
                 manual_seed, seed, set_rng_state)
from . import autograd  # noqa: E402
from .autograd import (  # noqa: E402,F401
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled)
from . import linalg  # noqa: E402,F401
from . import special  # noqa: E402,F401

del special_i1  # noqa: F821 (torch has it as torch.special.i1 only: pyts.special)
from . import nn  # noqa: E402,F401
from . import optim  # noqa: E402,F401


def __getattr__(name):
    # pyts.jit loads on first use (it pulls in inspect and the compiler's Python side), so
    # `import pyts; pyts.jit.trace(...)` works without making every `import pyts` pay for it
    if name == "jit":
        import importlib
        return importlib.import_module(".jit", __name__)
    if name in ("complex32", "chalf"):   # torch's ComplexHalf: no pyts dtype (see pyts/_complex.py)
        raise AttributeError(f"module 'pyts' has no attribute '{name}': pyts does not support complex32 "
                             "(ComplexHalf) tensors; use complex64")
    raise AttributeError(f"module 'pyts' has no attribute '{name}'")
