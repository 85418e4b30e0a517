"""pyts.jit: tracing, scripting, saving and loading TorchScript modules."""
from .. import _C
from ._script_module import ScriptFunction, ScriptModule  # noqa: F401
from ._serialization import RecursiveScriptModule, load, save  # noqa: F401
from ._trace import TracerWarning, TracingCheckError, trace, trace_module  # noqa: F401
from ._script import Final, RecursiveScriptModule, export, ignore, script, unused  # noqa: F401

CompileError = _C.CompileError
ArchiveError = _C.ArchiveError

_C._set_tracer_warning(TracerWarning)
