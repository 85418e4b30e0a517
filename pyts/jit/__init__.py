"""pyts.jit: tracing, scripting, saving and loading TorchScript modules."""
from .. import _C
from ._script_module import ScriptFunction, ScriptModule  # noqa: F401
from ._serialization import RecursiveScriptModule, load, save  # noqa: F401
from ._trace import TracerWarning, TracingCheckError, trace, trace_module  # noqa: F401
from ._script import Final, RecursiveScriptModule, export, ignore, interface, script, unused  # noqa: F401
from ._script import Attribute, _overload, _overload_method  # noqa: F401
from ._freeze import freeze, optimize_for_inference, run_frozen_optimizations  # noqa: F401
from ._api import CompilationUnit, annotate, enable_onednn_fusion, export_opnames, isinstance  # noqa: F401
from ._api import onednn_fusion_enabled, script_if_tracing, set_fusion_strategy  # noqa: F401
from ._trace import TopLevelTracedModule, TracedModule  # noqa: F401
from ._fork import Future, _Await, _awaitable, _awaitable_nowait, _awaitable_wait, _fork, _wait, fork, wait  # noqa: F401

CompileError = _C.CompileError
ArchiveError = _C.ArchiveError

_C._set_tracer_warning(TracerWarning)


def is_scripting():
    """False in Python; True in scripted code, where `if not pyts.jit.is_scripting():` compiles
    only the scripted branch (the compiler decides it statically, as torch.jit.is_scripting)."""
    return False


_set_fusion_strategy = set_fusion_strategy
_script_if_tracing = script_if_tracing
_isinstance = isinstance


def is_tracing():
    """True while pyts.jit.trace records the calling code (as torch.jit.is_tracing)."""
    return _C._trace_depth() > 0
