"""pyts.jit.fork / pyts.jit.wait and pyts.jit.Future, and torch.jit._awaitable's _Await. fork submits
the call to the inter-op pool (pyts._C._submit: a worker takes the GIL to run a Python function) and
returns a pending Future; wait returns the value, raising the function's own exception. torch's
eager fork runs the function at once instead; pyts runs it in parallel as scripted forks do (while
tracing, fork runs the function at once so the tracer records it). In scripted code the compiler
emits prim::fork / aten::wait and prim::awaitable / prim::awaitable_wait (the resolver maps these
functions to the compiler's builtins); a scripted Future or Await reaching Python wraps the C one."""
from typing import Generic, TypeVar

from .. import _C

T = TypeVar("T")

_PENDING = object()


class Future(Generic[T]):
    """The result of a fork: wait() (or pyts.jit.wait(fut)) returns the value or raises the error.
    Subscriptable for annotations (`pyts.jit.Future[Tensor]`)."""

    __slots__ = ("_value", "_error", "_c", "_eager", "_trace")

    def __init__(self):
        self._value = _PENDING
        self._error = None
        self._c = None        # the C future (a pending fork), None once its outcome is read
        self._eager = False   # _c's value is an (ok, value or exception) pair of a Python call
        self._trace = -1      # the traced prim::fork's token, while tracing

    def _settle(self):
        c = self._c
        if c is None:
            return
        try:
            r = c.wait()
        except BaseException as e:   # a scripted fork's error
            if self._c is c:
                self._c, self._error = None, e
            return
        if self._c is not c:   # another thread settled it meanwhile
            return
        if self._eager:
            ok, v = r
            if ok:
                self._value = v
            else:
                self._error = v
        else:
            self._value = r
        self._c = None

    def done(self):
        c = self._c
        if c is not None:
            return c.done()
        return self._value is not _PENDING or self._error is not None

    def wait(self):
        self._settle()
        if self._error is not None:
            raise self._error
        if self._value is _PENDING:
            raise RuntimeError("Future has no value: it was never completed")
        if self._trace >= 0 and _C._trace_depth() > 0:
            _C._trace_wait(self._trace, self._value)   # aten::wait in the trace
        return self._value

    def value(self):
        return self.wait()

    def set_result(self, result):
        if self.done():
            raise RuntimeError("Future can only be marked completed once.")
        self._value = result

    def set_exception(self, error):
        if self.done():
            raise RuntimeError("Future can only be marked completed once.")
        self._error = error

    def __repr__(self):
        return "<pyts.jit.Future object at 0x%x>" % id(self)


class _Await(Generic[T]):
    """torch.jit._awaitable's result (torch._C._Await): the function runs at the first wait, once.
    Subscriptable for annotations (`Await[T]` in scripted code)."""

    __slots__ = ("_f", "_fn", "_args", "_nowait")

    def __init__(self, f, fn=None, args=(), nowait=False):
        self._f = f
        self._fn = fn
        self._args = args
        self._nowait = nowait

    def fn(self):
        return self._fn

    def args(self):
        return self._args

    def is_nowait(self):
        return self._nowait

    def wait(self):
        return self._f.wait()

    def __repr__(self):
        return "<pyts._C._Await object at 0x%x>" % id(self)


def _completed_future(value):
    f = Future()
    f._value = value
    return f


def _failed_future(error):
    f = Future()
    f._error = error
    return f


def _future_from_c(c):
    f = Future()
    f._c = c
    return f


def _await_from_c(c):
    return _Await(_future_from_c(c))


def _to_c(o):
    """(C future, eager?, await?) for a Future or _Await passed to scripted code; None otherwise."""
    if isinstance(o, _Await):
        aw, o = True, o._f
    elif isinstance(o, Future):
        aw = False
    else:
        return None
    c = o._c
    if c is None:
        # a completed (or never completed) Python future: as an eager task's outcome
        c = _C._await_nowait(o.wait()) if o._error is None else _C._submit(_raise, (o._error,), None, True)
        return (c, True, aw)
    return (c, o._eager, aw)


def _raise(e):
    raise e


def _tracing():
    return _C._trace_depth() > 0


def fork(func, *args, **kwargs):
    """Submit func(*args, **kwargs) to the inter-op pool and return a Future of its result; its
    exception is raised by wait. While tracing, the call runs at once (recorded as torch records
    it). In scripted code the call is a prim::fork."""
    if not callable(func):
        # torch's words (its binding takes a Python function)
        raise TypeError("Object of type '%s' is not an instance of 'function'" % type(func).__name__)
    if _tracing():
        # torch's tracer: the call runs now, its ops recorded into a prim::fork's subgraph
        _C._trace_fork_begin()
        try:
            r = func(*args, **kwargs)
        except BaseException:
            _C._trace_fork_abort()
            raise
        f = _completed_future(r)
        f._trace = _C._trace_fork_end(r)
        return f
    f = Future()
    f._c = _C._submit(func, args, kwargs or None, False)
    f._eager = True
    return f


def wait(future):
    """The value of a Future returned by fork (raises the fork's error)."""
    if not isinstance(future, Future):
        raise TypeError("wait(): incompatible function arguments. The following argument types are supported:\n"
                        "    1. (arg0: pyts.jit.Future) -> object\n\nInvoked with: %r" % (future,))
    return future.wait()


def _awaitable(func, *args, **kwargs):
    """An _Await of func(*args, **kwargs): the call runs at the first _awaitable_wait, once."""
    if not callable(func):
        raise TypeError("Object of type '%s' is not an instance of 'function'" % type(func).__name__)
    f = Future()
    f._c = _C._submit(func, args, kwargs or None, True)
    f._eager = True
    return _Await(f, func, args)


def _awaitable_wait(aw):
    """The value of an _Await (running its function if it has not run yet)."""
    if not isinstance(aw, _Await):
        raise TypeError("_awaitable_wait(): incompatible function arguments. The following argument types are "
                        "supported:\n    1. (arg0: torch._C._Await) -> object\n\nInvoked with: %r" % (aw,))
    return aw.wait()


def _awaitable_nowait(x):
    """A completed _Await holding x."""
    return _Await(_completed_future(x), nowait=True)


# the compiler's builtins (the resolver answers these for the functions above)
fork._pyts_script_builtin = "fork"
wait._pyts_script_builtin = "wait"
_awaitable._pyts_script_builtin = "awaitable"
_awaitable_wait._pyts_script_builtin = "awaitable_wait"
_awaitable_nowait._pyts_script_builtin = "awaitable_nowait"
_fork = fork
_wait = wait
