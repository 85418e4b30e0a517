"""Differential cases for ops_pointwise.def rows (see tests/oracle.py)."""
import numpy as np

from oracle import noncontig, rand

CASES = {
    "ADD_TENSOR": [
        lambda L, T: L.add(T(rand(3, 4)), T(rand(3, 4))),
        lambda L, T: L.add(T(rand(3, 1)), T(rand(4)), alpha=2),
        lambda L, T: T(rand(2, 3, dtype=np.int32)) + 1.5,
        lambda L, T: T(rand(5, dtype=np.int64)) + T(rand(dtype=np.float64)),
        lambda L, T: T(noncontig(rand(3, 4))) + T(rand(3, 4)),
        lambda L, T: T(rand(0, 4)) + T(rand(4)),
        lambda L, T: T(rand(3, 4)) + T(rand(3)),
        lambda L, T: T(rand(4, dtype=np.bool_)) + T(rand(4, dtype=np.bool_)),
        lambda L, T: T(rand(4, dtype=np.int64)).add(T(rand(4, dtype=np.int64)), alpha=0.5),
        lambda L, T: T(rand(4, dtype=np.uint8)) + T(rand(4, dtype=np.int8)),
        lambda L, T: T(rand(4, dtype=np.float16)) + T(rand(4, dtype=np.float32)),
    ],
}
