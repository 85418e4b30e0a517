"""Helpers the layer tests share: input specs generated alike for pyts and torch, and the node
kinds of a printed graph (pyts' Graph has no node API; both libraries print alike)."""
import re

import numpy as np


def f32(*shape):
    return ("f", shape)


def i64(high, *shape):
    return ("i", high, shape)


def prob(*shape):   # values in (0, 1): BCELoss inputs and targets
    return ("p", shape)


def boolmask(*shape):   # key padding masks: True = ignore; the first key is never masked
    return ("b", shape)


def gen(spec, rng):
    """A NumPy array for one spec, drawn from rng."""
    if spec[0] == "f":
        return rng.standard_normal(spec[1]).astype(np.float32)
    if spec[0] == "p":
        return rng.uniform(0.05, 0.95, spec[1]).astype(np.float32)
    if spec[0] == "b":
        m = rng.random(spec[1]) < 0.3
        m[..., 0] = False
        return m
    return rng.integers(0, spec[1], spec[2]).astype(np.int64)


def kinds(graph):
    """node kinds of a printed graph, in order"""
    out = []
    for line in str(graph).splitlines()[1:]:
        m = re.match(r"\s*(?:%.* = )?([A-Za-z_]+::\w+)[\[(]", line)
        if m:
            out.append(m.group(1))
    return out
