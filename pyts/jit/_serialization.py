"""pyts.jit.save / pyts.jit.load: TorchScript archives that PyTorch reads and writes.

The C layer (csrc/serial) builds and parses the archive; this module adds file handling (atomic
replacement of paths, streams), the extra-files protocol of torch.jit.save/load, and the Python
view of a loaded module. Loading builds the object tree (parameters, buffers, submodules,
attributes) and compiles the archive's code in C (csrc/serial/compile.c). A method that does not
compile (an op pyts lacks) does not stop the load: calling it raises NotImplementedError naming
the op and the archive line, while everything else (attributes, state_dict, repr, ``.code``, the
methods that compiled) works."""
from __future__ import annotations

import collections
import io
import os
import re
import tempfile

from .. import _C
from ._script_module import ScriptFunction, ScriptModule, _bind_args, _check_exportable, _code_of

_COMPILE_MSG = ("pyts could not compile this method of the archive's code (the module loaded: its "
                "attributes, submodules, state_dict and .code are usable, and so are the methods that compiled)")


def _archive_folder(f):
    """Top folder of the archive: the file's base name without extension, or "archive"."""
    if isinstance(f, (str, os.PathLike)):
        base = os.path.basename(os.fspath(f))
        stem = os.path.splitext(base)[0]
        if stem and "/" not in stem and "\\" not in stem:
            return stem
    return "archive"


def _umask():
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _save_atomic(path, save_args):
    """Stream the archive into a temporary file beside path, fsync it, then rename it over path:
    readers see the old file or the whole new one, and a failure (disk full, a bad object) leaves
    neither a partial file nor the temporary. The C writer hands what it has written to writeback
    every few MB, so the fsync mostly waits for the last part (README "Archives")."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=directory)
    try:
        try:
            try:
                os.fchmod(fd, 0o666 & ~_umask())
            except OSError:
                pass
            _C._save_to(fd, *save_args)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


# file objects that consume what write() is given during the call: they get memoryviews of tensor
# memory instead of copies
_ZERO_COPY_FILES = (io.BytesIO, io.BufferedWriter, io.BufferedRandom, io.FileIO)


def save(m, f, _extra_files=None):
    """Save a ScriptModule (or traced function) as a TorchScript archive (see torch.jit.save).

    ``f`` is a path (str or os.PathLike; replaced atomically) or a binary file object.
    ``_extra_files`` maps names to str or bytes stored as ``extra/<name>``."""
    if isinstance(m, ScriptModule):
        target = m._c
    elif isinstance(m, ScriptFunction):
        target = m._fn
    elif isinstance(m, (_C.ScriptObject, _C.Function)):
        target = m
    else:
        raise TypeError(f"pyts.jit.save expects a ScriptModule or ScriptFunction, got {type(m).__name__}")
    _check_exportable(target)   # calls into Python cannot be saved
    extra = dict(_extra_files) if _extra_files else None
    archive = getattr(m, "_archive", None) if isinstance(m, ScriptModule) else None
    if archive is not None:
        # a loaded module keeps the archive's own code and constants (its methods cannot change)
        args = (target, extra, _archive_folder(f), archive.sources, tuple(archive.constants), archive.version)
    else:
        args = (target, extra, _archive_folder(f), None, None, 0)
    # the archive streams to its destination: records are written from the tensors' own memory,
    # never assembled in one buffer
    if isinstance(f, (str, os.PathLike)):
        _save_atomic(f, args)
    else:
        _C._save_to(f, *args, type(f) in _ZERO_COPY_FILES)


def _check_map_location(map_location):
    if map_location is None:
        return
    name = map_location if isinstance(map_location, str) else getattr(map_location, "type", None)
    if name is None:
        name = str(map_location)
    if name not in ("cpu", "cpu:0"):
        raise RuntimeError(f"pyts runs on the CPU only; cannot map an archive to '{map_location}'")


def _load_bytes(f, *load_args):
    if isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise ValueError(f"The provided filename {f} does not exist")
        if os.path.isdir(f):
            raise ValueError(f"The provided filename {f} is a directory")
        # mapped privately in C: stored tensor records become storages inside the mapping
        # (zero-copy; writes to them are copy-on-write and never reach the file)
        return _C._load_file(f, *load_args)
    data = f.read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("pyts.jit.load expects a path or a binary file object")
    return _C._load(data, *load_args)


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    """Load a TorchScript archive written by PyTorch or pyts (see torch.jit.load).

    Nothing in the archive is executed. Requested ``_extra_files`` entries are filled with the
    bytes stored under ``extra/<name>``. ``_restore_shapes`` is accepted and ignored (traced
    input shapes only matter to PyTorch's graph passes)."""
    _check_map_location(map_location)
    # loads and compiles in C exactly as libpyts does (csrc/serial/compile.c); methods that did not
    # compile are listed in issues and raise NotImplementedError with the compiler's message
    obj, sources, extras, constants, version, issues = _load_bytes(f, True)
    if _extra_files is not None:
        for name in list(_extra_files):
            if name in extras:
                _extra_files[name] = extras[name]
    archive = _Archive(sources, constants, version, extras)
    archive.issues = {(q, m): msg for q, m, msg in issues}
    return RecursiveScriptModule(obj, archive)


# NamedTuples in results of loaded code: the archive names the class and its fields, not a Python
# class, so (as torch.jit.load) results get a namedtuple type made from them, one per name and
# fields so that results of every call share it
_NT_TYPES = {}


def _namedtuple_type(qualname, fields):
    t = _NT_TYPES.get((qualname, fields))
    if t is None:
        t = _NT_TYPES[(qualname, fields)] = collections.namedtuple(qualname.rpartition(".")[2], fields)
        t.__qualname__ = t.__name__
    return t


def _rebuild(v, shape, make=None, depth=0):
    """v (a result of compiled code) with its NamedTuples rebuilt as _C._namedtuple_shape says;
    make(qualname, fields) gives the class (default: _namedtuple_type)."""
    if shape is None or v is None or depth > 32:
        return v
    make = make or _namedtuple_type
    kind = shape[0]
    if kind == "nt" and isinstance(v, tuple):
        return make(shape[1], shape[2])(*[_rebuild(x, s, make, depth + 1) for x, s in zip(v, shape[3])])
    if kind == "tuple" and isinstance(v, tuple):
        return tuple(_rebuild(x, s, make, depth + 1) for x, s in zip(v, shape[1]))
    if kind == "list" and isinstance(v, list):
        return [_rebuild(x, shape[1], make, depth + 1) for x in v]
    if kind == "dict" and isinstance(v, dict):
        return {k: _rebuild(x, shape[1], make, depth + 1) for k, x in v.items()}
    if kind == "opt":
        return _rebuild(v, shape[1], make, depth + 1)
    return v


def _not_compiled(archive, qualname, name):
    why = getattr(archive, "issues", {}).get((qualname, name))
    return f"{_COMPILE_MSG}:\n{why}" if why else _COMPILE_MSG


class _Archive:
    """What a loaded archive holds besides objects: the code/ sources (path -> text), the
    constant table behind CONSTANTS.cN, the format version and all extra files."""

    def __init__(self, sources, constants, version, extra_files):
        self.sources = sources
        self.constants = constants
        self.version = version
        self.extra_files = extra_files

    def class_source(self, qualname):
        qual, _, _ = qualname.rpartition(".")
        return self.sources.get("code/" + qual.replace(".", "/") + ".py")

    def method_source(self, qualname, method):
        """The method as ``.code`` shows it: dedented, without the type of ``self``."""
        text = self.class_source(qualname)
        if text is None:
            return None
        name = qualname.rpartition(".")[2]
        lines = text.split("\n")
        start = next((i for i, ln in enumerate(lines) if re.match(rf"class {re.escape(name)}[(:]", ln)), None)
        if start is None:
            return None
        i = start + 1
        while i < len(lines) and not lines[i].startswith(f"  def {method}("):
            if lines[i] and not lines[i].startswith(" "):
                return None
            i += 1
        if i == len(lines):
            return None
        out, depth, sig = [], 0, True
        for ln in lines[i:]:
            if not sig and ln.strip() and not ln.startswith("    "):
                break
            if sig:
                out.append(ln[2:] if not out else ln)
                code = re.sub(r'"(\\.|[^"\\])*"', '""', ln)
                depth += code.count("(") + code.count("[") - code.count(")") - code.count("]")
                if depth <= 0 and code.rstrip().endswith(":"):
                    sig = False
            else:
                out.append(ln[2:])
        while out and not out[-1].strip():
            out.pop()
        src = "\n".join(out) + "\n"
        return re.sub(r"^def (\w+)\(self: [\w.]+", r"def \1(self", src, count=1)


class RecursiveScriptModule(ScriptModule):
    """A module loaded from an archive (PyTorch's torch.jit.RecursiveScriptModule)."""

    def __init__(self, obj, archive):
        super().__init__(obj)
        object.__setattr__(self, "_archive", archive)

    def _compiled(self, name="forward"):
        return name in self._c._methods()

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        kinds = self._kinds()
        if kinds.get(name) == "module":
            subs = object.__getattribute__(self, "_submodules")
            if name not in subs:
                subs[name] = RecursiveScriptModule(self._c._get(name), self._archive)
            return subs[name]
        if name in kinds:
            from ._script import _wrap_objects   # objects of script classes: attributes and methods
            return _wrap_objects(self._c._get(name))
        consts = _C._object_constants(self._c)
        if name in consts:
            return consts[name]
        if self._compiled("__%s_getter" % name):   # a property of the module
            return self._run("__%s_getter" % name, ())
        if self._compiled(name):
            fn = self._c._method(name)
            return lambda *args, **kwargs: self._run(name, _bind_args(fn, args, dict(kwargs)))
        if self._archive.method_source(self._c._qualname(), name) is not None:
            raise NotImplementedError(f"method '{name}': {_not_compiled(self._archive, self._c._qualname(), name)}")
        raise AttributeError(f"'RecursiveScriptModule' object has no attribute '{name}'")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        if not self._compiled():
            raise NotImplementedError(_not_compiled(self._archive, self._c._qualname(), "forward"))
        return self._run("forward", _bind_args(self._c._method("forward"), args, dict(kwargs)))

    def _run(self, name, args):
        shapes = self.__dict__.setdefault("_nt_shapes", {})
        shape = shapes.get(name, False)
        if shape is False:
            shape = shapes[name] = _C._namedtuple_shape(self._c._method(name))
        r = self._c._run(name, args)
        if isinstance(r, _C.ScriptObject):
            from ._script import _wrap_objects
            return _wrap_objects(r)
        return r if shape is None else _rebuild(r, shape)

    @property
    def code(self):
        # the archive's text, which is what PyTorch prints for it
        src = self._archive.method_source(self._c._qualname(), "forward")
        if src is None:
            if self._compiled():
                return _code_of(self._c._method("forward"))
            raise RuntimeError("Method 'forward' is not defined.")
        return src

    @property
    def code_with_constants(self):
        from ._script_module import ConstMap
        return self.code, ConstMap({f"c{i}": c for i, c in enumerate(self._archive.constants)})

    @property
    def graph(self):
        if not self._compiled():
            raise NotImplementedError(_not_compiled(self._archive, self._c._qualname(), "forward"))
        return super().graph

    def __repr__(self):
        lines = [f"original_name={self.original_name}"]
        for name, m in self.named_children():
            lines.append(f"({name}): " + "\n  ".join(repr(m).split("\n")))
        if len(lines) == 1:
            return f"RecursiveScriptModule({lines[0]})"
        return "RecursiveScriptModule(\n  " + "\n  ".join(lines) + "\n)"
