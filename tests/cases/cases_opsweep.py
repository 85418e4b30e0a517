"""Differential cases for ops_opsweep.def rows (see tests/oracle.py)."""
import numpy as np

from oracle import noncontig, rand

CASES = {
    "BROADCAST_TENSORS": [
        lambda L, T: L.broadcast_tensors(T(rand(3, 1)), T(rand(4))),
        lambda L, T: L.broadcast_tensors(T(rand(2, 1, 3)), T(rand(4, 1)), T(rand())),
        lambda L, T: L.broadcast_tensors(T(noncontig(rand(3, 4))), T(rand(1, 4, dtype=np.int64))),
        lambda L, T: L.broadcast_tensors(T(rand(3))),
        lambda L, T: L.broadcast_tensors(),
        lambda L, T: L.broadcast_tensors(T(rand(0, 3)), T(rand(3))),
        lambda L, T: [t.stride() for t in L.broadcast_tensors(T(rand(3, 1)), T(rand(1, 4)))],
        lambda L, T: L.broadcast_tensors(T(rand(3)), T(rand(4))),          # error: shapes do not broadcast
    ],
}
