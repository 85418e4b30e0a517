"""pyts.nn.functional: torch.nn.functional's API over the registry ops.

Each function maps PyTorch's Python arguments (reduction strings, legacy size_average/reduce,
``stride=None``, ``padding_idx=None``, ...) onto the one ATen op that PyTorch's own function
calls, so traces and scripts record the same ops. The numerics all live in C (csrc/ops/k_nn*.c).

Example::

    import pyts, pyts.nn.functional as F
    F.cross_entropy(pyts.tensor([[2.0, 0.5, -1.0]]), pyts.tensor([0]), label_smoothing=0.1)
"""
import warnings

import pyts as _pyts

from .. import _C

_ops = _C._functions

__all__ = [
    "adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "conv1d", "conv2d", "cross_entropy", "dropout",
    "embedding", "gelu", "l1_loss", "layer_norm", "linear", "log_softmax", "max_pool2d",
    "max_pool2d_with_indices", "mse_loss", "nll_loss", "one_hot", "pad", "relu", "sigmoid",
    "silu", "softmax", "tanh",
]


# ---- argument helpers (PyTorch's torch.nn._reduction and friends) ----
def _reduction_enum(reduction):
    if reduction == "none":
        return 0
    if reduction == "mean":
        return 1
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        return 1
    if reduction == "sum":
        return 2
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average, reduce):
    """The reduction string the deprecated size_average / reduce pair stands for."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return _reduction_enum(reduction)


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


# ---- activations (rows of the pointwise topic) ----
def relu(input, inplace=False):
    return _pyts.relu_(input) if inplace else _pyts.relu(input)


def gelu(input, approximate="none"):
    return _pyts.gelu(input, approximate=approximate)


def silu(input, inplace=False):
    return _pyts.silu_(input) if inplace else _pyts.silu(input)


def sigmoid(input):
    return _pyts.sigmoid(input)


def tanh(input):
    return _pyts.tanh(input)


def linear(input, weight, bias=None):
    return _pyts.linear(input, weight, bias)


# ---- softmax ----
def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim) if dtype is None else input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim) if dtype is None else input.log_softmax(dim, dtype=dtype)


# ---- normalisation, dropout, lookup ----
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    return _ops["layer_norm"](input, normalized_shape, weight, bias, eps, True)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    if training:
        size = input.size()
        prod = size[0]
        for s in size[2:]:
            prod *= s
        if prod == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _ops["batch_norm"](input, weight, bias, running_mean, running_var, training, momentum, eps, True)


def dropout(input, p=0.5, training=True, inplace=False):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _ops["dropout_" if inplace else "dropout"](input, p, training)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        raise NotImplementedError("pyts: embedding(max_norm=...) needs embedding_renorm_, not implemented yet")
    return _ops["embedding"](weight, input, padding_idx, scale_grad_by_freq, sparse)


def one_hot(tensor, num_classes=-1):
    return _ops["one_hot"](tensor, num_classes)


# ---- convolution and pooling ----
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _ops["conv1d"](input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _ops["conv2d"](input, weight, bias, stride, padding, dilation, groups)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    # stride=None is the schema's default `stride=[]` (= kernel_size)
    if stride is None:
        return _ops["max_pool2d_with_indices"](input, kernel_size, padding=padding, dilation=dilation,
                                               ceil_mode=ceil_mode)
    return _ops["max_pool2d_with_indices"](input, kernel_size, stride, padding, dilation, ceil_mode)


def _max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                return_indices=False):
    if stride is None:
        return _ops["max_pool2d"](input, kernel_size, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    return _ops["max_pool2d"](input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """PyTorch's boolean dispatch: return_indices=True also returns the argmax indices."""
    f = max_pool2d_with_indices if return_indices else _max_pool2d
    return f(input, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if stride is None:
        return _ops["avg_pool2d"](input, kernel_size, padding=padding, ceil_mode=ceil_mode,
                                  count_include_pad=count_include_pad, divisor_override=divisor_override)
    return _ops["avg_pool2d"](input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool2d(input, output_size):
    # None entries keep the input's size (torch.nn.modules.utils._list_with_default)
    if not isinstance(output_size, int):
        size = list(input.size())
        if len(size) <= len(output_size):
            raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
        output_size = [v if v is not None else d for v, d in zip(output_size, size[-len(output_size):])]
    return _ops["adaptive_avg_pool2d"](input, output_size)


def pad(input, pad, mode="constant", value=None):
    return _ops["pad"](input, pad, mode, value)


# ---- losses ----
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    return _ops["cross_entropy_loss"](input, target, weight, _reduction(size_average, reduce, reduction),
                                      ignore_index, label_smoothing)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    return _ops["nll_loss_nd"](input, target, weight, _reduction(size_average, reduce, reduction), ignore_index)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if weight is None:
        return _ops["mse_loss"](input, target, _reduction_enum(reduction))
    # weighted: composed from registry ops as PyTorch composes it
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    diff = input - target
    weighted = diff * diff * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return _pyts.sum(weighted)
    if reduction == "mean":
        return _pyts.sum(weighted) / _pyts.sum(weight)
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if weight is not None and weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    # ATen's l1_loss is a composite too: abs(input - target), then the reduction
    errors = _pyts.abs(input - target)
    if weight is not None:
        errors = errors * weight
    if reduction == "none":
        return errors
    if reduction == "sum":
        return _pyts.sum(errors)
    if reduction == "mean":
        return _pyts.sum(errors) / _pyts.sum(weight) if weight is not None else _pyts.mean(errors)
    raise ValueError(f"{reduction} is not a valid value for reduction")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    red = _reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    return _ops["binary_cross_entropy"](input, target, weight, red)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    red = _reduction(size_average, reduce, reduction)
    if not (target.size() == input.size()):
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    return _ops["binary_cross_entropy_with_logits"](input, target, weight, pos_weight, red)
