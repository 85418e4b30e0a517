"""The layers of pyts.nn, one file per family as in torch.nn.modules."""
from .activation import GELU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .linear import Identity, Linear
from .module import Module
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase  # noqa: F401

__all__ = ["Module", "Linear", "Identity", "ReLU", "Tanh", "Sigmoid", "GELU", "SiLU", "Softmax",
           "LogSoftmax"]
__all__ += ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
