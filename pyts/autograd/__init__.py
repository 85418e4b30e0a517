"""pyts.autograd: reverse-mode differentiation of pyts programs, as torch.autograd.

The graph is recorded in C (csrc/autograd/) while ops run on tensors that require grad; this
module holds the Python entry points: ``backward``, ``grad`` and the grad-mode context managers
(which also work as decorators)::

    >>> x = pyts.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()          # doctest: +SKIP
    >>> x.grad                            # doctest: +SKIP
    tensor([2., 4.])
    >>> with pyts.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
"""
from __future__ import annotations

import functools
from _thread import _local as _thread_local

from .. import _C

__all__ = [
    "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
    "is_grad_enabled", "is_inference_mode_enabled",
]

is_grad_enabled = _C.is_grad_enabled
_set_grad_enabled = _C._set_grad_enabled


class _DecoratorContextManager:
    """A context manager that also decorates functions (and generator functions): the decorated
    function runs inside a fresh copy of the context."""

    def __call__(self, func):
        if isinstance(func, type):
            raise RuntimeError("Cannot decorate classes; it is ambiguous")
        # inspect.isgeneratorfunction without importing inspect (import pyts stays light)
        code = getattr(getattr(func, "__func__", func), "__code__", None)
        if code is not None and code.co_flags & 0x20:   # CO_GENERATOR
            return self._wrap_generator(func)

        @functools.wraps(func)
        def decorate_context(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return decorate_context

    def _wrap_generator(self, func):
        @functools.wraps(func)
        def generator_context(*args, **kwargs):
            gen = func(*args, **kwargs)
            # the mode holds while the generator runs, not while its caller does
            with self.clone():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with self.clone():
                        gen.close()
                    raise
                except BaseException as e:  # noqa: BLE001 - forwarded into the generator
                    with self.clone():
                        response = gen.throw(e)
                else:
                    try:
                        with self.clone():
                            response = gen.send(request)
                    except StopIteration as e:
                        return e.value

        return generator_context

    def __enter__(self):
        raise NotImplementedError

    def __exit__(self, exc_type, exc_value, traceback):
        raise NotImplementedError

    def clone(self):
        return self.__class__()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Also usable as a bare decorator: ``@pyts.no_grad`` as well as ``@pyts.no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    """Context manager (and decorator) that turns gradient recording off in this thread: results
    of ops have ``requires_grad=False`` even when their inputs require grad."""

    def __init__(self) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = is_grad_enabled()
        _set_grad_enabled(False)

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        _set_grad_enabled(self.prev)


class enable_grad(_NoParamDecoratorContextManager):
    """Context manager (and decorator) that turns gradient recording on inside a no_grad region."""

    def __enter__(self) -> None:
        self.prev = is_grad_enabled()
        _set_grad_enabled(True)

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        _set_grad_enabled(self.prev)


class set_grad_enabled(_DecoratorContextManager):
    """Sets grad mode to ``mode`` at once (as a plain call), or for a ``with`` block or a decorated
    function, restoring the previous mode afterwards."""

    def __init__(self, mode: bool) -> None:
        self.prev = is_grad_enabled()
        self.mode = mode
        _set_grad_enabled(mode)

    def __call__(self, orig_func):
        _set_grad_enabled(self.prev)
        return super().__call__(orig_func)

    def __enter__(self) -> None:
        _set_grad_enabled(self.mode)

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        _set_grad_enabled(self.prev)

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """torch.inference_mode: in pyts the same as no_grad when mode is True, and no change of
    grad mode when it is False."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __enter__(self) -> None:
        self.prev = is_grad_enabled()
        self.prev_inference = is_inference_mode_enabled()
        if self.mode:
            _set_grad_enabled(False)
            _inference.on = True

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        _set_grad_enabled(self.prev)
        _inference.on = self.prev_inference

    def clone(self):
        return self.__class__(self.mode)


_inference = _thread_local()   # like grad mode, per thread (threading.local without importing threading)


def is_inference_mode_enabled() -> bool:
    return getattr(_inference, "on", False)


def _tensor_or_tensors(x):
    from .. import Tensor

    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate d tensors / d leaves into the leaves' ``.grad`` (only those in ``inputs`` when
    given). ``grad_tensors`` are the gradients of ``tensors``; None entries are allowed for
    one-element tensors."""
    if grad_variables is not None:
        if grad_tensors is not None:
            raise RuntimeError("'grad_tensors' and 'grad_variables' (deprecated) arguments both "
                               "passed to backward(). Please only use 'grad_tensors'.")
        grad_tensors = grad_variables
    tensors = _tensor_or_tensors(tensors)
    if grad_tensors is not None:
        grad_tensors = _tensor_or_tensors(grad_tensors)
    if inputs is not None:
        inputs = _tensor_or_tensors(inputs)
    _C._backward(tensors, grad_tensors, retain_graph, create_graph, inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d outputs / d inputs as a tuple, without touching ``.grad``. With create_graph the
    result has its own graph, so it can be differentiated again."""
    if is_grads_batched:
        raise NotImplementedError("pyts.autograd.grad: is_grads_batched is not supported")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _tensor_or_tensors(outputs)
    inputs = _tensor_or_tensors(inputs)
    if grad_outputs is not None:
        grad_outputs = _tensor_or_tensors(grad_outputs)
    result = _C._grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)
    if materialize_grads:
        result = tuple(g if g is not None else _zeros_like(i) for g, i in zip(result, inputs))
    return result


def _zeros_like(t):
    import pyts

    z = getattr(pyts, "zeros_like", None)
    if z is not None:
        return z(t)
    return t.detach() * 0
