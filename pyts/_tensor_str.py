"""Tensor printing, as torch/_tensor_str.py: the layout itself is C (csrc/tensor/format.c, shared
with the standalone runtime); this module keeps the print options the user set and adds the
autograd suffixes (grad_fn=, requires_grad=) that only the Python objects know."""
import contextlib
import sys

from . import _C

_DEFAULT = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": float("inf"), "edgeitems": 3, "linewidth": 80},
}
# the values as the user gave them (get_printoptions returns them unchanged, as torch does);
# the C formatter holds the same values
PRINT_OPTS = dict(_DEFAULT)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set options for printing tensors (as torch.set_printoptions).

    precision: digits after the point (default 4); threshold: summarise with "..." when a tensor
    has more elements (default 1000); edgeitems: items kept at each end of a summarised dim
    (default 3); linewidth: characters per line (default 80); profile: "default", "short" or
    "full" sets the four above, then any given option overrides it; sci_mode: True or False forces
    scientific notation on or off, None (the default, and what every call without it restores)
    lets each tensor choose.

    >>> pyts.set_printoptions(precision=2)
    >>> pyts.tensor([1.12345])
    tensor([1.12])
    >>> pyts.set_printoptions(profile="default")
    """
    new = dict(PRINT_OPTS)
    if profile is not None:
        # like torch, an unknown profile changes nothing
        new.update(_PROFILES.get(profile, {}))
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            new[name] = value
    new["sci_mode"] = sci_mode
    _C._set_printoptions(**new)   # checks the values; nothing changes when it raises
    PRINT_OPTS.update(new)


def get_printoptions():
    """The current print options as a dict that set_printoptions(**d) accepts."""
    return dict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as set_printoptions)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def _grad_fn_name(grad_fn):
    # torch prints the node class name (TanhBackward0); nodes of a shared type tell it by name()
    name = getattr(grad_fn, "name", None)
    if callable(name):
        return str(name()).rsplit("::", 1)[-1]
    return type(grad_fn).__name__


def _repr(t):
    suffixes = []
    try:
        grad_fn = getattr(t, "grad_fn", None)
        name = None if grad_fn is None else _grad_fn_name(grad_fn)
    except RuntimeError:
        name = "Invalid"   # torch's wording when reading grad_fn fails
    if name is not None:
        suffixes.append(f"grad_fn=<{name}>")
    elif getattr(t, "requires_grad", False):
        suffixes.append("requires_grad=True")

    cls = type(t)
    parameter = getattr(sys.modules.get("pyts.nn"), "Parameter", None)
    plain = cls is _C.Tensor or (parameter is not None and cls is parameter)
    text = _C._format_tensor(t, suffixes, "tensor(" if plain else f"{cls.__name__}(")
    if parameter is not None and isinstance(t, parameter) and not plain:
        text = f"Parameter({text})"
    return text
