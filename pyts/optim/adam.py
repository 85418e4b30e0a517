"""pyts.optim.Adam (and the decoupled weight decay AdamW builds on), computed in the order of
torch 2.13's single-tensor (foreach=False, capturable=False) implementation so that parameters
and state (step, exp_avg, exp_avg_sq, max_exp_avg_sq) match PyTorch to float32 rounding."""
from __future__ import annotations

from .. import _C
from .optimizer import Optimizer, Tensor, _scalar_dtype, _run_closure, _to_scalar, _use_grad

__all__ = ["Adam"]

_zeros_like = _C._functions["zeros_like"]
_zeros = _C._functions["zeros"]
_maximum = _C._functions["maximum"]


class Adam(Optimizer):
    """m <- lerp(m, g, 1 - beta1); v <- beta2 v + (1 - beta2) g^2;
    theta <- theta - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps), with v replaced
    by its running maximum under amsgrad, L2 weight decay added to g (or, with
    decoupled_weight_decay, theta scaled by 1 - lr * weight_decay first) and g negated with maximize.

    foreach and fused are accepted and kept in the param groups (so state_dicts and reprs match
    PyTorch's) but pyts always runs the single-tensor loop."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(map(_to_scalar, betas))
        if capturable or differentiable:
            # those paths keep step and the bias corrections as tensors (for CUDA graphs and for
            # differentiating through the step): neither exists in pyts
            raise NotImplementedError(f"pyts.optim.{type(self).__name__}: capturable=True and "
                                      "differentiable=True are not supported")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
            for p in group["params"]:
                p_state = self.state.get(p, [])
                if len(p_state) != 0 and not isinstance(p_state["step"], Tensor):
                    p_state["step"] = _C.tensor(float(p_state["step"]), dtype=_scalar_dtype())

    @_use_grad
    def step(self, closure=None):
        """Perform a single optimisation step; closure re-evaluates the model and returns the
        loss (run with grad enabled)."""
        loss = _run_closure(closure)
        state = self.state
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            if isinstance(beta1, Tensor):
                beta1 = beta1.item()
            if isinstance(beta2, Tensor):
                beta2 = beta2.item()
            lr = group["lr"]
            if isinstance(lr, Tensor):
                lr = lr.item()
            weight_decay = group["weight_decay"]
            eps = group["eps"]
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            one_minus_beta1 = 1 - beta1
            one_minus_beta2 = 1 - beta2
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                st = state[p]
                if len(st) == 0:  # lazy state initialisation, as torch
                    st["step"] = _zeros((), dtype=_scalar_dtype())
                    st["exp_avg"] = _zeros_like(p)
                    st["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        st["max_exp_avg_sq"] = _zeros_like(p)
                if maximize:
                    grad = -grad
                step_t = st["step"]
                step_t.add_(1)
                exp_avg = st["exp_avg"]
                exp_avg_sq = st["exp_avg_sq"]
                if weight_decay != 0:
                    if decoupled:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        grad = grad.add(p, alpha=weight_decay)
                exp_avg.lerp_(grad, one_minus_beta1)
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=one_minus_beta2)
                step = step_t.item()
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
                if amsgrad:
                    max_exp_avg_sq = st["max_exp_avg_sq"]
                    _maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
                    denom = max_exp_avg_sq.sqrt()
                else:
                    denom = exp_avg_sq.sqrt()
                # torch: (v.sqrt() / c).add_(eps); dividing the fresh tensor in place is the same
                # arithmetic without a second temporary
                denom.div_(bias_correction2_sqrt).add_(eps)
                p.addcdiv_(exp_avg, denom, value=-step_size)
        return loss
