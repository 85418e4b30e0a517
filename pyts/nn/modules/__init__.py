"""The layers of pyts.nn, one file per family as in torch.nn.modules."""
from .activation import GELU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .linear import Identity, Linear
from .module import Module

__all__ = ["Module", "Linear", "Identity", "ReLU", "Tanh", "Sigmoid", "GELU", "SiLU", "Softmax",
           "LogSoftmax"]
from .activation import MultiheadAttention  # noqa: E402
from .linear import Bilinear  # noqa: E402
from .transformer import TransformerEncoder, TransformerEncoderLayer  # noqa: E402

__all__ += ["Bilinear", "MultiheadAttention", "TransformerEncoder", "TransformerEncoderLayer"]
