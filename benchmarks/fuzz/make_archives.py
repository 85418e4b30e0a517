"""Write the seed archives of archive_campaign.py into DIR (run where torch imports, i.e. not under
ASan): pyts-traced and pyts-scripted modules, and torch.jit.save archives (traced, scripted with
loops and ints, attributes of every kind). Beside each NAME.pt, NAME.npy holds a valid input for
forward (one tensor argument) or NAME.args a JSON list describing the arguments.

    python benchmarks/fuzz/make_archives.py DIR"""
import json
import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
warnings.filterwarnings("ignore")


def main(d):
    import torch
    import pyts
    import pyts.jit
    from tutorial_models import tutorial
    from test_archive_fuzz import make_torch_archives, pyts_archive
    os.makedirs(d, exist_ok=True)
    x34 = np.random.default_rng(0).random((3, 4)).astype(np.float32)

    def save_inputs(name, *inputs):
        json.dump([a.tolist() if isinstance(a, np.ndarray) else a for a in inputs], open(os.path.join(d, name + ".args"), "w"))

    for name, data in pyts_archive():
        open(os.path.join(d, name + ".pt"), "wb").write(data)
    save_inputs("pyts-traced", np.ones((2, 4), np.float32))
    make_torch_archives(d)
    save_inputs("torch_traced", x34, x34)
    save_inputs("torch_scripted", np.ones((3, 2), np.float32))
    TP, TT = tutorial(pyts), tutorial(torch)
    tcell = torch.jit.trace(TT.MyCell(torch.jit.script(TT.MyDecisionGate())), (torch.rand(3, 4), torch.rand(3, 4)))
    torch.jit.save(torch.jit.trace(TT.WrapRNN(torch.jit.script(TT.MyRNNLoop(tcell))), (torch.rand(10, 3, 4),)),
                   os.path.join(d, "torch_tutorial.pt"))
    save_inputs("torch_tutorial", np.ones((10, 3, 4), np.float32))
    pcell = pyts.jit.trace_module(TP.MyCell(pyts.jit.script(TP.MyDecisionGate())),
                                  {"forward": (pyts.ones(3, 4), pyts.ones(3, 4))}, check_trace=False)
    loop = pyts.jit.script(TP.MyRNNLoop(pcell))
    pyts.jit.save(loop, os.path.join(d, "pyts_rnn_loop.pt"))
    save_inputs("pyts_rnn_loop", np.ones((10, 3, 4), np.float32))

    class TScalars(torch.nn.Module):
        def forward(self, x, k: int, s: float = 0.5):
            if k < 0:
                raise ValueError("k must not be negative")
            out = []
            for i in range(k):
                out.append(x[i % x.shape[0]] * s)
            return x * s + k, x.sum(), out

    torch.jit.save(torch.jit.script(TScalars()), os.path.join(d, "torch_scalars.pt"))
    save_inputs("torch_scalars", x34, 3, 0.25)
    cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(36, 10)).eval()
    torch.jit.save(torch.jit.trace(cnn, torch.rand(2, 1, 8, 8)), os.path.join(d, "torch_cnn.pt"))
    save_inputs("torch_cnn", np.ones((2, 1, 8, 8), np.float32))
    ln = torch.nn.Sequential(torch.nn.Linear(8, 16, bias=False), torch.nn.LayerNorm(16), torch.nn.Tanh())
    torch.jit.save(torch.jit.script(ln), os.path.join(d, "torch_layernorm.pt"))
    save_inputs("torch_layernorm", np.ones((2, 8), np.float32))


if __name__ == "__main__":
    main(sys.argv[1])
