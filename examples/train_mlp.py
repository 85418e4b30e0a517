"""Train a small MLP with pyts: three interleaved spirals of 2-D points, a 2-64-64-3 network
(Linear + ReLU), cross-entropy loss, Adam, a StepLR schedule. Prints the loss as it falls and the
final training accuracy. The same code runs on PyTorch with `import torch as pyts`.

Run: python examples/train_mlp.py [--steps N] [--seed S] [--threads T]
"""
import argparse
import math
import time

import numpy as np

import pyts
import pyts.nn as nn
import pyts.nn.functional as F


def spirals(n_per_class=128, classes=3, seed=0):
    """Points on `classes` noisy spiral arms; returns (x float32 (N, 2), y int64 (N,))."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        theta = np.linspace(c * 2 * math.pi / classes, c * 2 * math.pi / classes + 3.5, n_per_class)
        theta = theta + rng.normal(0, 0.15, n_per_class)
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        ys.append(np.full(n_per_class, c))
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int64)


class MLP(nn.Module):
    """Two hidden layers with ReLU; returns the logits."""

    def __init__(self, n_in=2, hidden=64, n_out=3):
        super().__init__()
        self.fc1 = nn.Linear(n_in, hidden)
        self.act1 = nn.ReLU()
        self.fc2 = nn.Linear(hidden, hidden)
        self.act2 = nn.ReLU()
        self.fc3 = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.fc3(self.act2(self.fc2(self.act1(self.fc1(x)))))


def train(steps=300, seed=0, log_every=50):
    """Full-batch training; returns the list of losses (one per step) and the final accuracy."""
    pyts.manual_seed(seed)
    x_np, y_np = spirals(seed=seed)
    x, y = pyts.from_numpy(x_np), pyts.from_numpy(y_np)
    model = MLP()
    opt = pyts.optim.Adam(model.parameters(), lr=0.02)
    sched = pyts.optim.lr_scheduler.StepLR(opt, step_size=150, gamma=0.5)
    losses = []
    for step in range(steps):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if step % log_every == 0 or step == steps - 1:
            print(f"step {step:4d}  loss {losses[-1]:.4f}  lr {sched.get_last_lr()[0]:.4g}")
    with pyts.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    return losses, accuracy


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    # the matrices here are small: one thread is fastest, and BLAS threads that wait for each
    # other are very slow on a busy machine
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    pyts.set_num_threads(args.threads)
    t0 = time.perf_counter()
    losses, accuracy = train(args.steps, args.seed)
    print(f"first loss {losses[0]:.4f}, last loss {losses[-1]:.4f}, "
          f"training accuracy {accuracy:.1%}, {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
