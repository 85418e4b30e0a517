"""pyts.jit.fork / pyts.jit.wait and pyts.jit.Future, as torch.jit's: in Python, fork runs the
function at once (torch's eager fork does the same: its errors are raised by fork) and returns a
completed Future; in scripted code the compiler emits prim::fork / aten::wait (the resolver maps
these functions to the compiler's builtins), and a Future a scripted function returns arrives here
completed, with its value or its error."""
from typing import Generic, TypeVar

T = TypeVar("T")

_PENDING = object()


class Future(Generic[T]):
    """The result of a fork: wait() (or pyts.jit.wait(fut)) returns the value or raises the error.
    Subscriptable for annotations (`pyts.jit.Future[Tensor]`)."""

    __slots__ = ("_value", "_error")

    def __init__(self):
        self._value = _PENDING
        self._error = None

    def done(self):
        return self._value is not _PENDING or self._error is not None

    def wait(self):
        if self._error is not None:
            raise self._error
        if self._value is _PENDING:
            raise RuntimeError("Future has no value: it was never completed")
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


def _completed_future(value):
    f = Future()
    f._value = value
    return f


def _failed_future(error):
    f = Future()
    f._error = error
    return f


def fork(func, *args, **kwargs):
    """Run func(*args, **kwargs) and return a Future holding its result. In Python the call runs
    at once and its exception propagates from fork, as torch.jit.fork's eager behaviour; in
    scripted code the call is a prim::fork whose errors are raised by wait."""
    if not callable(func):
        # torch's words (its binding takes a Python function)
        raise TypeError("Object of type '%s' is not an instance of 'function'" % type(func).__name__)
    return _completed_future(func(*args, **kwargs))


def wait(future):
    """The value of a Future returned by fork (raises the fork's error)."""
    if not isinstance(future, Future):
        raise TypeError("wait(): incompatible function arguments. The following argument types are supported:\n"
                        "    1. (arg0: pyts.jit.Future) -> object\n\nInvoked with: %r" % (future,))
    return future.wait()


# the compiler's builtins (the resolver answers these for the functions above)
fork._pyts_script_builtin = "fork"
wait._pyts_script_builtin = "wait"
_fork = fork
_wait = wait
