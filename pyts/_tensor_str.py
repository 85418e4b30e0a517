"""Temporary repr until the C formatter lands."""


def _repr(t):
    return "tensor(" + repr(t.tolist()) + ")"
