"""pyts.nn.functional: torch.nn.functional's API over the registry ops.

Each function maps PyTorch's Python arguments (reduction strings, legacy size_average/reduce,
``stride=None``, ``padding_idx=None``, ...) onto the one ATen op that PyTorch's own function
calls, so traces and scripts record the same ops. The numerics all live in C (csrc/ops/k_nn*.c).

Every function is written in the TorchScript subset (annotated, no Python-only dispatch), so
pyts.jit.script compiles it from this source when a scripted module calls it; the ones torch
defines as builtins (conv1d, conv2d) are the registry functions themselves.

Example::

    import pyts, pyts.nn.functional as F
    F.cross_entropy(pyts.tensor([[2.0, 0.5, -1.0]]), pyts.tensor([0]), label_smoothing=0.1)
"""
import math as _math
import warnings
from typing import List, Optional, Tuple

import pyts as _pyts
from pyts import Tensor
from pyts._jit_internal import BroadcastingList2

# dtypes are ints in TorchScript (torch spells them DType = int; the compiler knows no type aliases)


__all__ = [
    "adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "conv1d", "conv2d", "cross_entropy", "dropout",
    "embedding", "gelu", "l1_loss", "layer_norm", "linear", "log_softmax", "max_pool2d",
    "max_pool2d_with_indices", "mse_loss", "nll_loss", "one_hot", "pad", "relu", "sigmoid",
    "silu", "softmax", "tanh",
]


# ---- argument helpers (PyTorch's torch.nn._reduction and friends) ----
def _reduction_enum(reduction: str) -> int:
    if reduction == "none":
        ret = 0
    elif reduction == "mean":
        ret = 1
    elif reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        ret = 1
    elif reduction == "sum":
        ret = 2
    else:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return ret


def _legacy_reduction(size_average: Optional[bool], reduce: Optional[bool]) -> str:
    """The reduction string the deprecated size_average / reduce pair stands for."""
    sa = True if size_average is None else size_average
    red = True if reduce is None else reduce
    if sa and red:
        ret = "mean"
    elif red:
        ret = "sum"
    else:
        ret = "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


def _reduction(size_average: Optional[bool], reduce: Optional[bool], reduction: str) -> int:
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    return _reduction_enum(reduction)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    if ndim == 0 or ndim == 1 or ndim == 3:
        ret = 0
    else:
        ret = 1
    return ret


# ---- activations (rows of the pointwise topic) ----
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return _pyts.relu_(input) if inplace else _pyts.relu(input)


# torch.nn.functional's gelu, linear, bilinear, one_hot and scaled_dot_product_attention are
# the builtin ops themselves (C functions): so are pyts's, and scripted code calls the op directly
gelu = _pyts.gelu


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return _pyts.silu_(input) if inplace else _pyts.silu(input)


def sigmoid(input: Tensor) -> Tensor:
    return _pyts.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    return _pyts.tanh(input)


linear = _pyts.linear


# ---- softmax ----
def softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3,
            dtype: Optional[int] = None) -> Tensor:
    if dim is None:
        _dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    else:
        _dim = dim
    return input.softmax(_dim) if dtype is None else input.softmax(_dim, dtype=dtype)


def log_softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3,
                dtype: Optional[int] = None) -> Tensor:
    if dim is None:
        _dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    else:
        _dim = dim
    return input.log_softmax(_dim) if dtype is None else input.log_softmax(_dim, dtype=dtype)


# ---- normalisation, dropout, lookup ----
def layer_norm(input: Tensor, normalized_shape: List[int], weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    return _pyts.layer_norm(input, normalized_shape, weight, bias, eps, True)


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    if training:
        size = input.size()
        prod = size[0]
        for i in range(len(size) - 2):   # size[2:] (the compiler has no list slicing yet)
            prod *= size[i + 2]
        if prod == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _pyts.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, True)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _pyts.dropout_(input, p, training) if inplace else _pyts.dropout(input, p, training)


def embedding(input: Tensor, weight: Tensor, padding_idx: Optional[int] = None, max_norm: Optional[float] = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    if padding_idx is not None:
        pidx = padding_idx
        if pidx > 0:
            if pidx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif pidx < 0:
            if pidx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            pidx = weight.size(0) + pidx
    else:
        pidx = -1
    if max_norm is not None:
        raise NotImplementedError("pyts: embedding(max_norm=...) needs embedding_renorm_, not implemented yet")
    return _pyts.embedding(weight, input, pidx, scale_grad_by_freq, sparse)


one_hot = _pyts.one_hot


# ---- convolution and pooling ----
# torch.nn.functional.conv1d / conv2d are the builtins torch.conv1d / conv2d: so are these (the
# compiler calls the op, with its int-or-list and 'same'/'valid' padding overloads)
conv1d = _pyts.conv1d
conv2d = _pyts.conv2d


def max_pool2d_with_indices(input: Tensor, kernel_size: BroadcastingList2[int],
                            stride: Optional[BroadcastingList2[int]] = None, padding: BroadcastingList2[int] = 0,
                            dilation: BroadcastingList2[int] = 1, ceil_mode: bool = False,
                            return_indices: bool = False) -> Tuple[Tensor, Tensor]:
    # stride=None is the op's `stride=[]` (= kernel_size)
    if stride is None:
        return _pyts.max_pool2d_with_indices(input, kernel_size, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    return _pyts.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


def _max_pool2d(input: Tensor, kernel_size: BroadcastingList2[int], stride: Optional[BroadcastingList2[int]] = None,
                padding: BroadcastingList2[int] = 0, dilation: BroadcastingList2[int] = 1, ceil_mode: bool = False,
                return_indices: bool = False) -> Tensor:
    if stride is None:
        return _pyts.max_pool2d(input, kernel_size, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    return _pyts.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """PyTorch's boolean dispatch: return_indices=True also returns the argmax indices. Scripted
    code calls _max_pool2d (or max_pool2d_with_indices for a literal return_indices=True), as
    torch's compiler resolves its boolean_dispatch; the function itself cannot be scripted."""
    f = max_pool2d_with_indices if return_indices else _max_pool2d
    return f(input, kernel_size, stride, padding, dilation, ceil_mode)


# the compiler's boolean dispatch: "<argument>:<position>:<default>", and the two functions
max_pool2d._pyts_dispatch = "return_indices:6:0"
max_pool2d._pyts_dispatch_true = max_pool2d_with_indices
max_pool2d._pyts_dispatch_false = _max_pool2d


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if stride is None:
        return _pyts.avg_pool2d(input, kernel_size, padding=padding, ceil_mode=ceil_mode,
                                  count_include_pad=count_include_pad, divisor_override=divisor_override)
    return _pyts.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


# torch's F.avg_pool2d is the builtin torch._C._nn.avg_pool2d: scripted code calls the op
avg_pool2d._pyts_builtin = True


def adaptive_avg_pool2d(input: Tensor, output_size: BroadcastingList2[int]) -> Tensor:
    if not _pyts.jit.is_scripting():
        # None entries keep the input's size (torch.nn.modules.utils._list_with_default); scripted
        # code has a List[int]
        if not isinstance(output_size, int):
            size = list(input.size())
            if len(size) <= len(output_size):
                raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
            output_size = [v if v is not None else d for v, d in zip(output_size, size[-len(output_size):])]
    return _pyts.adaptive_avg_pool2d(input, output_size)


def pad(input: Tensor, pad: List[int], mode: str = "constant", value: Optional[float] = None) -> Tensor:
    return _pyts.pad(input, pad, mode, value)


# ---- losses ----
def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
                  ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    return _pyts.cross_entropy_loss(input, target, weight, _reduction(size_average, reduce, reduction),
                                    ignore_index, label_smoothing)


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
             ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    return _pyts.nll_loss_nd(input, target, weight, _reduction(size_average, reduce, reduction), ignore_index)


def mse_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
             reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=2)
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if weight is None:
        return _pyts.mse_loss(input, target, _reduction_enum(reduction))
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


def l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
            reduction: str = "mean", weight: Optional[Tensor] = None) -> Tensor:
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
        if weight is not None:
            return _pyts.sum(errors) / _pyts.sum(weight)
        return _pyts.mean(errors)
    raise ValueError(f"{reduction} is not a valid value for reduction")


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                         size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                         reduction: str = "mean") -> Tensor:
    red = _reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    return _pyts.binary_cross_entropy(input, target, weight, red)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                                     size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                                     reduction: str = "mean", pos_weight: Optional[Tensor] = None) -> Tensor:
    red = _reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    return _pyts.binary_cross_entropy_with_logits(input, target, weight, pos_weight, red)


# ---- attention (bilinear, scaled_dot_product_attention, multi_head_attention_forward) ----
# multi_head_attention_forward is torch's Python function over registry ops (linear, bmm,
# softmax, dropout, scaled_dot_product_attention): same checks, same messages, same math path.
# torch's need_weights branch uses baddbmm(mask, q, k^T); here bmm(q, k^T) + mask (same values).

__all__ += ["bilinear", "scaled_dot_product_attention", "multi_head_attention_forward"]


bilinear = _pyts.bilinear


scaled_dot_product_attention = _pyts.scaled_dot_product_attention


def _none_or_dtype(input: Optional[Tensor]) -> Optional[int]:
    if input is None:
        return None
    elif isinstance(input, _pyts.Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask: Optional[Tensor], mask_name: str, other_type: Optional[int], other_name: str,
                    target_type: int, check_other: bool = True) -> Optional[Tensor]:
    """A bool mask (True = masked out) becomes a float mask of target_type (-inf where True)."""
    if mask is not None:
        _mask_dtype = mask.dtype
        _mask_is_float = mask.is_floating_point()
        if _mask_dtype != _pyts.bool and not _mask_is_float:
            raise AssertionError(f"only bool and floating types of {mask_name} are supported")
        if check_other and other_type is not None:
            if _mask_dtype != other_type:
                warnings.warn(f"Support for mismatched {mask_name} and {other_name} "
                              "is deprecated. Use same type for both instead.", stacklevel=2)
        if not _mask_is_float:
            mask = _pyts.zeros_like(mask, dtype=target_type).masked_fill_(mask, -_math.inf)
    return mask


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor,
                          b: Optional[Tensor] = None) -> Tuple[Tensor, Tensor, Tensor]:
    E = q.size(-1)
    if k is v:
        if q is k:
            # self-attention: one projection, split into q, k, v
            proj = linear(q, w, b)
            proj = proj.unflatten(-1, (3, E)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
            return proj[0], proj[1], proj[2]
        else:
            # encoder-decoder attention
            w_q, w_kv = w.split([E, E * 2])
            if b is None:
                b_q = b_kv = None
            else:
                b_q, b_kv = b.split([E, E * 2])
            q_proj = linear(q, w_q, b_q)
            kv_proj = linear(k, w_kv, b_kv)
            kv_proj = kv_proj.unflatten(-1, (2, E)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
            return (q_proj, kv_proj[0], kv_proj[1])
    else:
        w_q, w_k, w_v = w.chunk(3)
        if b is None:
            b_q = b_k = b_v = None
        else:
            b_q, b_k, b_v = b.chunk(3)
        return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q: Tensor, k: Tensor, v: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor,
                   b_q: Optional[Tensor] = None, b_k: Optional[Tensor] = None,
                   b_v: Optional[Tensor] = None) -> Tuple[Tensor, Tensor, Tensor]:
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    if w_q.shape != (Eq, Eq):
        raise AssertionError(f"expecting query weights shape of {(Eq, Eq)}, but got {w_q.shape}")
    if w_k.shape != (Eq, Ek):
        raise AssertionError(f"expecting key weights shape of {(Eq, Ek)}, but got {w_k.shape}")
    if w_v.shape != (Eq, Ev):
        raise AssertionError(f"expecting value weights shape of {(Eq, Ev)}, but got {w_v.shape}")
    if b_q is not None and b_q.shape != (Eq,):
        raise AssertionError(f"expecting query bias shape of {(Eq,)}, but got {b_q.shape}")
    if b_k is not None and b_k.shape != (Eq,):
        raise AssertionError(f"expecting key bias shape of {(Eq,)}, but got {b_k.shape}")
    if b_v is not None and b_v.shape != (Eq,):
        raise AssertionError(f"expecting value bias shape of {(Eq,)}, but got {b_v.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Optional[Tensor],
                     attn_mask: Optional[Tensor], num_heads: int) -> bool:
    """Whether the input is batched (3-D query) or not (2-D); anything else is refused."""
    if query.dim() == 3:
        is_batched = True
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D"
                                 f" but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() != 2 and attn_mask.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                                 f" but found {attn_mask.dim()}-D tensor instead")
    elif query.dim() == 2:
        is_batched = False
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D"
                                 f" but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D"
                                 f" but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() != 2 and attn_mask.dim() != 3:
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                                     f" but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected_shape = (num_heads, query.shape[0], key.shape[0])
                if attn_mask.shape != expected_shape:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected_shape} but got {attn_mask.shape}")
    else:
        raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                             f"{query.dim()}-D query tensor")
    return is_batched


def _check_key_padding_mask(key_padding_mask: Tensor, src_len: int, bsz: int) -> None:
    if key_padding_mask.shape[0] != bsz:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}")
    if key_padding_mask.shape[1] != src_len:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got {key_padding_mask.shape[1]}")


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Optional[Tensor], in_proj_bias: Optional[Tensor],
                                 bias_k: Optional[Tensor], bias_v: Optional[Tensor], add_zero_attn: bool,
                                 dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Optional[Tensor],
                                 training: bool = True, key_padding_mask: Optional[Tensor] = None,
                                 need_weights: bool = True, attn_mask: Optional[Tensor] = None,
                                 use_separate_proj_weight: bool = False, q_proj_weight: Optional[Tensor] = None,
                                 k_proj_weight: Optional[Tensor] = None, v_proj_weight: Optional[Tensor] = None,
                                 static_k: Optional[Tensor] = None, static_v: Optional[Tensor] = None,
                                 average_attn_weights: bool = True,
                                 is_causal: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
    """Multi-head attention over (L, N, E) inputs (or unbatched (L, E)); returns (output,
    weights) with weights averaged over heads, per head, or None when need_weights is False."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    # an unbatched input gets a batch dim of 1 (squeezed off the outputs again)
    if not is_batched:
        query = query.unsqueeze(1)
        key = key.unsqueeze(1)
        value = value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)

    tgt_len, bsz, embed_dim = query.shape
    src_len, _, _ = key.shape

    key_padding_mask = _canonical_mask(mask=key_padding_mask, mask_name="key_padding_mask",
                                       other_type=_none_or_dtype(attn_mask), other_name="attn_mask",
                                       target_type=query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. "
                           "You may use the Transformer module method "
                           "`generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        # the causal hint replaces the mask inside scaled_dot_product_attention
        attn_mask = None
    else:
        attn_mask = _canonical_mask(mask=attn_mask, mask_name="attn_mask", other_type=None, other_name="",
                                    target_type=query.dtype, check_other=False)
        if key_padding_mask is not None:
            # the merged mask is not causal any more
            is_causal = False

    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        # allow MHA to have different embedding dimensions when separate projection weights are used
        if key.size(0) != value.size(0) or key.size(1) != value.size(1):
            raise AssertionError(f"key's sequence and batch dims {(key.size(0), key.size(1))} do not match "
                                 f"value's {(value.size(0), value.size(1))}")
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # input projections
    if not use_separate_proj_weight:
        # if/else rather than `if None: raise`: the compiler refines Optionals in branches only
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        else:
            q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        if q_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but q_proj_weight is None")
        elif k_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but k_proj_weight is None")
        elif v_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is True but v_proj_weight is None")
        else:
            if in_proj_bias is None:
                b_q = b_k = b_v = None
            else:
                b_q, b_k, b_v = in_proj_bias.chunk(3)
            q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k,
                                     b_v)

    # attn_mask to 3-D (1 or bsz * num_heads, L, S)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if attn_mask.shape != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if attn_mask.shape != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    # bias along the batch dimension
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = _pyts.cat([k, bias_k.repeat(1, bsz, 1)])
        v = _pyts.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, [0, 1])
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, [0, 1])
    else:
        if bias_k is not None:
            raise AssertionError("bias_k is set but bias_v is None")
        if bias_v is not None:
            raise AssertionError("bias_v is set but bias_k is None")

    # heads into the batch dimension: (bsz * num_heads, L, head_dim)
    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is None:
        k = k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        if static_k.size(0) != bsz * num_heads:
            raise AssertionError(f"expecting static_k.size(0) of {bsz * num_heads}, but got {static_k.size(0)}")
        if static_k.size(2) != head_dim:
            raise AssertionError(f"expecting static_k.size(2) of {head_dim}, but got {static_k.size(2)}")
        k = static_k
    if static_v is None:
        v = v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    else:
        if static_v.size(0) != bsz * num_heads:
            raise AssertionError(f"expecting static_v.size(0) of {bsz * num_heads}, but got {static_v.size(0)}")
        if static_v.size(2) != head_dim:
            raise AssertionError(f"expecting static_v.size(2) of {head_dim}, but got {static_v.size(2)}")
        v = static_v

    # zero attention along the sequence dimension
    if add_zero_attn:
        zero_attn_shape = (bsz * num_heads, 1, head_dim)
        k = _pyts.cat([k, _pyts.zeros(zero_attn_shape, dtype=k.dtype)], dim=1)
        v = _pyts.cat([v, _pyts.zeros(zero_attn_shape, dtype=v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, [0, 1])
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, [0, 1])

    src_len = k.size(1)

    # key padding merged into the attention mask
    if key_padding_mask is not None:
        _check_key_padding_mask(key_padding_mask, src_len, bsz)
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
                            .reshape(bsz * num_heads, 1, src_len))
        if attn_mask is None:
            attn_mask = key_padding_mask
        else:
            attn_mask = attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        _B, _Nt, E = q.shape
        q_scaled = q * _math.sqrt(1.0 / float(E))
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        attn_output_weights = _pyts.bmm(q_scaled, k.transpose(-2, -1))
        if attn_mask is not None:
            attn_output_weights = attn_mask + attn_output_weights
        attn_output_weights = softmax(attn_output_weights, dim=-1)
        if dropout_p > 0.0:
            attn_output_weights = dropout(attn_output_weights, p=dropout_p)
        attn_output = _pyts.bmm(attn_output_weights, v)
        attn_output = attn_output.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        attn_output = linear(attn_output, out_proj_weight, out_proj_bias)
        attn_output = attn_output.view(tgt_len, bsz, attn_output.size(1))
        # optionally average attention weights over heads
        attn_output_weights = attn_output_weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn_output_weights = attn_output_weights.mean(dim=1)
        if not is_batched:
            attn_output = attn_output.squeeze(1)
            attn_output_weights = attn_output_weights.squeeze(0)
        return attn_output, attn_output_weights
    else:
        # attn_mask can be (1, L, S) or (bsz * num_heads, L, S); sdpa wants (bsz, num_heads, L, S)
        if attn_mask is not None:
            if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
                attn_mask = attn_mask.unsqueeze(0)
            else:
                attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
        q = q.view(bsz, num_heads, tgt_len, head_dim)
        k = k.view(bsz, num_heads, src_len, head_dim)
        v = v.view(bsz, num_heads, src_len, head_dim)
        attn_output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
        attn_output = attn_output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
        attn_output = linear(attn_output, out_proj_weight, out_proj_bias)
        attn_output = attn_output.view(tgt_len, bsz, attn_output.size(1))
        if not is_batched:
            attn_output = attn_output.squeeze(1)
        return attn_output, None


# ---- activations of ops_act.def (torch.nn.functional's signatures) ----
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    if inplace:
        return _pyts.leaky_relu_(input, negative_slope)
    return _pyts.leaky_relu(input, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        return _pyts.elu_(input, alpha)
    return _pyts.elu(input, alpha)


# the registry function itself, as torch's F.softplus is torch._C._nn.softplus (Scalar parameters,
# so a script passes int attributes too)
softplus = _pyts.softplus


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        return _pyts.hardtanh_(input, min_val, max_val)
    return _pyts.hardtanh(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    if inplace:
        return _pyts.relu6_(input)
    return _pyts.relu6(input)


__all__ += ["leaky_relu", "elu", "softplus", "hardtanh", "relu6"]
