"""Freezing: pyts.jit.freeze, run_frozen_optimizations and optimize_for_inference (torch.jit's).

The work is done in C (csrc/ir/freeze.c): calls are inlined and the attributes no preserved
method mutates become constants of the graphs; the frozen module keeps only the attributes its
graphs still read and those named in ``preserved_attrs``."""
import warnings

from .. import _C
from ._script_module import ScriptModule


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """Freeze a ScriptModule in eval mode: a new module whose forward (and the methods named in
    ``preserved_attrs``) read parameters and unmutated attributes as constants, submodule calls
    inlined. ``preserved_attrs`` names attributes (``"sub.version"`` for a submodule's) and methods
    to keep; attributes a preserved method mutates are kept too. As torch.jit.freeze, this warns
    that it is deprecated."""
    warnings.warn("`torch.jit.freeze` is deprecated. Please use `torch.compile` instead.", DeprecationWarning,
                  stacklevel=2)
    if not isinstance(mod, ScriptModule):
        raise RuntimeError("Freezing expects a ScriptModule as input. "
                           "Please use torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. "
                           "Please call .eval() on your module before freezing.")
    preserved_attrs = list(preserved_attrs) if preserved_attrs is not None else []
    out = ScriptModule(_C._freeze_module(mod._c, preserved_attrs))
    methods = set(mod._c._methods())
    preserved_methods = [x for x in preserved_attrs if x in methods]
    run_frozen_optimizations(out, optimize_numerics, preserved_methods)
    return out


def run_frozen_optimizations(mod, optimize_numerics=True, preserved_methods=None):
    """The optimisations torch runs on frozen graphs, on forward and the methods named: dropout in
    eval mode is removed. torch also folds Conv/Linear with a following BatchNorm, add, mul or div
    and concatenates Linear layers sharing an input (numerics-changing folds when
    ``optimize_numerics``); pyts does not implement those folds (the graphs keep the ops)."""
    if "forward" in mod._c._methods():
        _C._optimize_frozen_graph(mod._c._method("forward"), optimize_numerics)
    for name in preserved_methods or []:
        _C._optimize_frozen_graph(mod._c._method(name), optimize_numerics)


def optimize_for_inference(mod, other_methods=None):
    """Freeze mod (when it is not frozen yet) and optimise its graphs for inference. torch adds
    build-specific rewrites (MKLDNN layouts, fused conv/add/relu); pyts has none, so this is
    freezing plus the frozen-graph optimisations: outputs are the same as the module's."""
    warnings.warn("`torch.jit.optimize_for_inference` is deprecated. Please use `torch.compile` instead.",
                  DeprecationWarning, stacklevel=2)
    if not isinstance(mod, ScriptModule):
        raise RuntimeError("optimize_for_inference expects a ScriptModule as input. "
                           "Please use torch.jit.script or torch.jit.trace to script your 'nn.Module'.")
    if other_methods is None:
        other_methods = []
    if "training" in mod._kinds():
        mod = freeze(mod.eval(), preserved_attrs=other_methods)
    run_frozen_optimizations(mod, True, other_methods)
    return mod
