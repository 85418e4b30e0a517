"""The PyTorch tutorial "Introduction to TorchScript" run on pyts: every step of the tutorial, in
order, one function per section, printing what the tutorial prints (the random numbers aside).

Run: python examples/tutorial.py
"""
import pyts  # This is all you need to use both pyts and its TorchScript!


def section_version():
    """The tutorial opens by printing the library version."""
    print(pyts.__version__)


def my_cell(x, h):
    """The tutorial's first MyCell.forward: one step of a toy RNN cell, returned twice as the
    tutorial's cell returns (new_h, new_h)."""
    new_h = pyts.tanh(x + h)
    return new_h, new_h


def section_basics():
    """Basics of model authoring: call the cell on two random 3x4 matrices.

    Returns (x, h) so that later sections run on the same inputs, as the tutorial's do."""
    x = pyts.rand(3, 4)
    h = pyts.rand(3, 4)
    print(my_cell(x, h))
    return x, h


def main():
    section_version()
    x, h = section_basics()
    return x, h


if __name__ == "__main__":
    main()
