"""The layers of pyts.nn, one file per family as in torch.nn.modules."""
from .activation import ELU, GELU, Hardtanh, LeakyReLU, ReLU6, Softplus
from .activation import LogSoftmax, MultiheadAttention, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .batchnorm import BatchNorm1d, BatchNorm2d
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
from .normalization import LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .sparse import Embedding
from .transformer import TransformerEncoder, TransformerEncoderLayer

__all__ = ["Module", "Linear", "Identity", "Bilinear", "ReLU", "Tanh", "Sigmoid", "GELU", "SiLU",
           "LeakyReLU", "ELU", "Softplus", "Hardtanh", "ReLU6",
           "Softmax", "LogSoftmax", "MultiheadAttention", "Sequential", "ModuleList", "ModuleDict",
           "ParameterList", "ParameterDict", "Dropout", "Embedding", "LayerNorm", "BatchNorm1d",
           "BatchNorm2d", "Conv1d", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "Flatten",
           "Unflatten", "TransformerEncoderLayer", "TransformerEncoder", "L1Loss", "MSELoss", "NLLLoss",
           "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "RNNBase", "RNN", "LSTM", "GRU",
           "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
