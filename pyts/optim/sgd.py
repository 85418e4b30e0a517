"""pyts.optim.SGD: stochastic gradient descent with optional momentum, dampening, Nesterov
momentum, weight decay (L2) and maximize, computed in the order of torch 2.13's single-tensor
(foreach=False) implementation so that parameters match PyTorch to float32 rounding."""
from __future__ import annotations

from .optimizer import Optimizer, Tensor, _to_scalar, _use_grad, _run_closure

__all__ = ["SGD"]


class SGD(Optimizer):
    """theta <- theta - lr * g, where g is the gradient (negated with maximize), plus
    weight_decay * theta, passed through the momentum buffer b <- momentum * b + (1 - dampening) * g
    (b = g at the first step); Nesterov uses g + momentum * b. foreach and fused are accepted
    and kept in the param groups, but pyts always runs the single-tensor loop."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if differentiable:
            raise NotImplementedError("pyts.optim.SGD: differentiable=True is not supported")
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    @_use_grad
    def step(self, closure=None):
        """Perform a single optimisation step; closure re-evaluates the model and returns the
        loss (run with grad enabled)."""
        loss = _run_closure(closure)
        state = self.state
        for group in self.param_groups:
            weight_decay = group["weight_decay"]
            momentum = group["momentum"]
            lr = group["lr"]
            if isinstance(lr, Tensor):
                lr = _to_scalar(lr).item()
            neg_lr = -lr
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if maximize:
                    grad = -grad
                if weight_decay != 0:
                    grad = grad.add(p, alpha=weight_decay)
                if momentum != 0:
                    st = state[p]
                    buf = st.get("momentum_buffer")
                    if buf is None:
                        buf = grad.detach().clone()
                        st["momentum_buffer"] = buf
                    else:
                        buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                    if nesterov:
                        grad = grad.add(buf, alpha=momentum)
                    else:
                        grad = buf
                p.add_(grad, alpha=neg_lr)
        return loss
