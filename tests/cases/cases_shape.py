"""Differential cases for ops_shape.def rows (see tests/oracle.py). Cases that return strides
(`y.stride()`) also check the layout of results, which later views depend on."""
import numpy as np

from oracle import noncontig, rand


def I(*xs):  # noqa: E743 - an int64 index array
    return np.array(xs, dtype=np.int64)


def tr(a):
    """a transposed (non-contiguous) view with the values of a.T"""
    return np.asarray(a).T


def bcast(a, shape):
    """an expanded (stride 0) array"""
    return np.broadcast_to(a, shape)


CASES = {
    "VIEW": [
        lambda L, T: T(rand(3, 4)).view(4, 3),
        lambda L, T: T(rand(3, 4)).view(-1),
        lambda L, T: T(rand(2, 3, 4)).view(2, -1, 2),
        lambda L, T: T(rand(3, 4)).view([12]),
        lambda L, T: T(rand(3, 4)).view((2, 6)).stride(),
        lambda L, T: T(rand()).view(1),
        lambda L, T: T(rand()).view([]),
        lambda L, T: T(rand(1, 1)).view([]),
        lambda L, T: T(rand(0, 3)).view(3, 0),
        lambda L, T: T(rand(0, 3)).view(-1, 0),                        # ambiguous -1
        lambda L, T: T(rand(0, 3)).view(-1).shape,
        lambda L, T: T(rand(3, 4)).view(5),                            # invalid size
        lambda L, T: T(rand(3, 4)).view(-1, -1),
        lambda L, T: T(rand(3, 4)).view(-2, 6),
        lambda L, T: T(tr(rand(4, 3))).view(-1),                        # needs reshape
        lambda L, T: T(tr(rand(4, 3))).view(3, 2, 2).stride(),          # splits a dim: fine
        lambda L, T: T(noncontig(rand(3, 4))).view(3, 2, 2).stride(),
        lambda L, T: T(noncontig(rand(3, 4))).view(12),
        lambda L, T: T(bcast(rand(4), (3, 4))).view(3, 2, 2).stride(),
        lambda L, T: T(rand(2, 1, 3)).view(2, 3, 1).stride(),
        lambda L, T: T(rand(2, 3, dtype=np.int64)).view(3, 2),
        lambda L, T: T(rand(2, 3, dtype=np.bool_)).view(6),
        lambda L, T: T(rand(4, dtype=np.float16)).view(2, 2),
    ],
    "VIEW_AS": [
        lambda L, T: T(rand(3, 4)).view_as(T(rand(6, 2))),
        lambda L, T: T(rand(3, 4)).view_as(T(rand(5))),
    ],
    "RESHAPE": [
        lambda L, T: T(rand(3, 4)).reshape(4, 3),
        lambda L, T: L.reshape(T(rand(3, 4)), (2, -1)),
        lambda L, T: T(tr(rand(4, 3))).reshape(-1),
        lambda L, T: T(tr(rand(4, 3))).reshape(12).stride(),
        lambda L, T: T(noncontig(rand(2, 3))).reshape(3, 2),
        lambda L, T: T(rand()).reshape(1, 1),
        lambda L, T: T(rand(0, 2)).reshape(2, 0),
        lambda L, T: T(rand(3, 4)).reshape(7),
        lambda L, T: T(rand(3, 4, dtype=np.int32)).reshape(shape=(6, 2)),
    ],
    "RESHAPE_AS": [
        lambda L, T: T(tr(rand(4, 3))).reshape_as(T(rand(2, 6))),
        lambda L, T: T(rand(3, 4)).reshape_as(T(rand(2, 5))),
    ],
    "FLATTEN_USING_INTS": [
        lambda L, T: T(rand(2, 3, 4)).flatten(),
        lambda L, T: T(rand(2, 3, 4)).flatten(1),
        lambda L, T: L.flatten(T(rand(2, 3, 4)), 0, 1),
        lambda L, T: T(rand(2, 3, 4)).flatten(start_dim=-2, end_dim=-1),
        lambda L, T: T(rand()).flatten(),
        lambda L, T: T(rand(2, 3)).flatten(1, 1),
        lambda L, T: T(tr(rand(3, 2))).flatten(),
        lambda L, T: T(rand(2, 3)).flatten(1, 0),
        lambda L, T: T(rand(2, 3)).flatten(0, 2),
    ],
    "UNFLATTEN_INT": [
        lambda L, T: T(rand(2, 6)).unflatten(1, (2, 3)),
        lambda L, T: L.unflatten(T(rand(2, 6)), -1, (3, -1)),
        lambda L, T: T(rand(6)).unflatten(0, [1, 6, 1]),
        lambda L, T: T(rand(2, 6)).unflatten(1, (4, 2)),
        lambda L, T: T(rand(2, 6)).unflatten(2, (2, 3)),
    ],
    "SQUEEZE": [
        lambda L, T: T(rand(1, 3, 1, 2)).squeeze(),
        lambda L, T: L.squeeze(T(rand(1, 1))),
        lambda L, T: T(rand()).squeeze(),
        lambda L, T: T(rand(0, 1)).squeeze(),
        lambda L, T: T(noncontig(rand(1, 3, 1))).squeeze().stride(),
    ],
    "SQUEEZE_DIM": [
        lambda L, T: T(rand(1, 3, 1)).squeeze(0),
        lambda L, T: T(rand(1, 3, 1)).squeeze(-1),
        lambda L, T: T(rand(1, 3, 1)).squeeze(1),
        lambda L, T: L.squeeze(T(rand(2, 1)), dim=1),
        lambda L, T: T(rand()).squeeze(0),
        lambda L, T: T(rand(1, 3)).squeeze(2),
    ],
    "SQUEEZE_DIMS": [
        lambda L, T: T(rand(1, 3, 1)).squeeze((0, 2)),
        lambda L, T: T(rand(1, 3, 1)).squeeze([0, 1]),
        lambda L, T: T(rand(1, 3, 1)).squeeze((0, 0)),
        lambda L, T: T(rand()).squeeze((0, -1)),
        lambda L, T: T(rand(1, 3)).squeeze((0, 5)),
    ],
    "UNSQUEEZE": [
        lambda L, T: T(rand(3, 4)).unsqueeze(0),
        lambda L, T: T(rand(3, 4)).unsqueeze(-1).stride(),
        lambda L, T: L.unsqueeze(T(rand(3, 4)), 1).stride(),
        lambda L, T: T(rand()).unsqueeze(0),
        lambda L, T: T(noncontig(rand(3, 4))).unsqueeze(2).stride(),
        lambda L, T: T(rand(3)).unsqueeze(2),
        lambda L, T: T(rand(3)).unsqueeze(-3),
    ],
    "PERMUTE": [
        lambda L, T: T(rand(2, 3, 4)).permute(2, 0, 1),
        lambda L, T: T(rand(2, 3, 4)).permute((-1, 0, 1)).stride(),
        lambda L, T: L.permute(T(rand(2, 3)), [1, 0]),
        lambda L, T: T(rand()).permute(()),
        lambda L, T: T(rand(2, 3)).permute(0),
        lambda L, T: T(rand(2, 3)).permute(0, 0),
        lambda L, T: T(rand(2, 3)).permute(0, 2),
        lambda L, T: T(rand(2, 3, dtype=np.int8)).permute(1, 0),
    ],
    "TRANSPOSE_INT": [
        lambda L, T: T(rand(2, 3)).transpose(0, 1),
        lambda L, T: T(rand(2, 3, 4)).transpose(-1, 0).stride(),
        lambda L, T: L.transpose(T(rand(2, 3)), 1, 1),
        lambda L, T: T(rand()).transpose(0, -1),
        lambda L, T: T(rand(2, 3)).transpose(0, 2),
    ],
    "T": [
        lambda L, T: T(rand(2, 3)).t(),
        lambda L, T: L.t(T(rand(3))),
        lambda L, T: T(rand()).t(),
        lambda L, T: T(rand(2, 2, 2)).t(),
    ],
    "SWAPAXES": [
        lambda L, T: T(rand(2, 3, 4)).swapaxes(0, 2),
        lambda L, T: L.swapaxes(T(rand(2, 3)), -1, -2),
        lambda L, T: T(rand(2, 3)).swapaxes(0, 3),
    ],
    "SWAPDIMS": [
        lambda L, T: T(rand(2, 3, 4)).swapdims(1, 2),
        lambda L, T: L.swapdims(T(rand(2, 3)), 0, 1),
    ],
    "EXPAND": [
        lambda L, T: T(rand(1, 4)).expand(3, 4),
        lambda L, T: T(rand(3, 1)).expand(2, 3, 4).stride(),
        lambda L, T: T(rand(3, 1)).expand(-1, 5),
        lambda L, T: T(rand(3, 1)).expand([3, 1]),
        lambda L, T: T(rand()).expand(2, 3),
        lambda L, T: T(rand(3, 4)).expand(3),
        lambda L, T: T(rand(3, 4)).expand(2, 3, 5),
        lambda L, T: T(rand(3, 4)).expand(-1, 3, 4),
        lambda L, T: T(rand(3, 1)).expand(3, 0),
        lambda L, T: T(noncontig(rand(3, 1))).expand(3, 2).stride(),
    ],
    "EXPAND_AS": [
        lambda L, T: T(rand(1, 4)).expand_as(T(rand(3, 4))),
        lambda L, T: T(rand(2, 4)).expand_as(T(rand(3, 4))),
    ],
    "NARROW": [
        lambda L, T: T(rand(5, 3)).narrow(0, 1, 3),
        lambda L, T: L.narrow(T(rand(5, 3)), -1, -2, 2).stride(),
        lambda L, T: T(rand(5)).narrow(0, 5, 0),
        lambda L, T: T(rand(5)).narrow(0, 4, 2),
        lambda L, T: T(rand(5)).narrow(0, 6, 0),
        lambda L, T: T(rand(5)).narrow(0, 0, -1),
        lambda L, T: T(rand()).narrow(0, 0, 1),
    ],
    "SELECT_INT": [
        lambda L, T: T(rand(3, 4)).select(0, 1),
        lambda L, T: T(rand(3, 4)).select(1, -1),
        lambda L, T: L.select(T(rand(2, 3, 4)), -2, 2).stride(),
        lambda L, T: T(rand(3, 4)).select(0, 3),
        lambda L, T: T(rand(3, 4)).select(0, -4),
        lambda L, T: T(rand()).select(0, 0),
        lambda L, T: T(rand(3, 4)).select(2, 0),
        lambda L, T: T(rand(3, 4))[1],
    ],
    "SLICE_TENSOR": [
        lambda L, T: T(rand(5, 4))[1:3],
        lambda L, T: T(rand(5, 4))[:, ::2].stride(),
        lambda L, T: T(rand(5, 4))[-2:],
        lambda L, T: T(rand(5, 4))[7:10],
        lambda L, T: T(rand(5, 4))[3:1],
        lambda L, T: T(rand(5, 4))[:, 1:-1:2],
        lambda L, T: T(rand(5, 4))[-100:100:3],
        lambda L, T: T(noncontig(rand(5, 4)))[1:, ::3].stride(),
    ],
    "ALIAS": [
        lambda L, T: T(rand(3, 4))[...],
        lambda L, T: T(rand())[...],
        lambda L, T: T(rand(2))[..., :].stride(),
    ],
    "DETACH": [
        lambda L, T: T(rand(3, 4)).detach(),
        lambda L, T: L.detach(T(noncontig(rand(3, 4)))).stride(),
    ],
    "SPLIT_TENSOR": [
        lambda L, T: T(rand(5, 4)).split(2),
        lambda L, T: T(rand(5, 4)).split(3, dim=1),
        lambda L, T: L.split(T(rand(5, 4)), 7),
        lambda L, T: T(rand(0, 4)).split(0),
        lambda L, T: T(rand(3, 4)).split(0),
        lambda L, T: T(rand(3, 4)).split(-1),
        lambda L, T: T(rand()).split(1),
        lambda L, T: [p.stride() for p in T(rand(4, 6)).split(4, 1)],
    ],
    "SPLIT_SIZES": [
        lambda L, T: T(rand(3, 4)).split([1, 2]),
        lambda L, T: L.split(T(rand(3, 4)), [1, 3], 1),
        lambda L, T: T(rand(3, 4)).split([1, 1]),
        lambda L, T: T(rand(3, 4)).split([0, 3, 0]),
    ],
    "SPLIT_WITH_SIZES": [
        lambda L, T: T(rand(3, 4)).split_with_sizes([1, 2]),
        lambda L, T: L.split_with_sizes(T(rand(3, 4)), [2, 2], dim=-1),
        lambda L, T: T(rand(3, 4)).split_with_sizes([4, -1]),
        lambda L, T: T(rand(3, 4)).split_with_sizes([1, 1]),
    ],
    "CHUNK": [
        lambda L, T: T(rand(5, 4)).chunk(2),
        lambda L, T: T(rand(5, 4)).chunk(3, 1),
        lambda L, T: L.chunk(T(rand(3)), 5),
        lambda L, T: T(rand(0, 2)).chunk(3),
        lambda L, T: T(rand(3)).chunk(0),
        lambda L, T: T(rand()).chunk(1),
    ],
    "UNBIND_INT": [
        lambda L, T: T(rand(3, 4)).unbind(),
        lambda L, T: T(rand(3, 4)).unbind(1),
        lambda L, T: L.unbind(T(rand(2, 3)), dim=-1),
        lambda L, T: T(rand(0, 3)).unbind(),
        lambda L, T: T(rand()).unbind(),
        lambda L, T: T(rand(3)).unbind(1),
    ],
    "CONTIGUOUS": [
        lambda L, T: T(tr(rand(3, 4))).contiguous().stride(),
        lambda L, T: T(rand(3, 4)).contiguous(),
        lambda L, T: T(noncontig(rand(3, 4, dtype=np.int16))).contiguous(),
    ],
    "CLONE": [
        lambda L, T: T(rand(3, 4)).clone(),
        lambda L, T: L.clone(T(tr(rand(3, 4)))).stride(),               # keeps the layout
        lambda L, T: T(tr(noncontig(rand(3, 4)))).clone().stride(),      # dense, same order
        lambda L, T: T(bcast(rand(4), (3, 4))).clone().stride(),
        lambda L, T: T(rand(2, 1, 3).transpose(2, 1, 0)).clone().stride(),
        lambda L, T: T(rand()).clone(),
        lambda L, T: T(rand(0, 3)).clone(),
        lambda L, T: T(rand(3, dtype=np.bool_)).clone(),
    ],
    "REPEAT": [
        lambda L, T: T(rand(2, 3)).repeat(2, 3),
        lambda L, T: T(rand(2, 3)).repeat(2, 1, 2),
        lambda L, T: T(rand(3)).repeat((1, 1)),
        lambda L, T: T(rand()).repeat(3),
        lambda L, T: T(rand()).repeat([]),
        lambda L, T: T(tr(rand(3, 2))).repeat(1, 2),
        lambda L, T: T(rand(2, 3)).repeat(0, 2),
        lambda L, T: T(rand(2, 3, dtype=np.bool_)).repeat(2, 2),
        lambda L, T: T(rand(2, 3)).repeat(2),
        lambda L, T: T(rand(2, 3)).repeat(-1, 2),
    ],
    "CAT": [
        lambda L, T: L.cat([T(rand(2, 3)), T(rand(1, 3))]),
        lambda L, T: L.cat((T(rand(2, 3)), T(rand(2, 1)), T(rand(2, 2))), 1),
        lambda L, T: L.cat([T(rand(2, 3)), T(rand(2, 3))], dim=-1),
        lambda L, T: L.cat([T(rand(2, 3)).bfloat16(), T(rand(1, 3, dtype=np.float16))]),
        lambda L, T: L.cat([T(rand(2, 3)).bfloat16(), T(rand(1, 3))]),
        lambda L, T: L.cat([T(rand(2, dtype=np.int32)), T(rand(3))]),           # promotion
        lambda L, T: L.cat([T(rand(2, dtype=np.int32)), T(rand(3, dtype=np.int64))]),
        lambda L, T: L.cat([T(rand(2, dtype=np.bool_)), T(rand(3, dtype=np.uint8))]),
        lambda L, T: L.cat([T(rand(2, 3)), T(rand(0))]),                        # legacy empty skipped
        lambda L, T: L.cat([T(rand(0)), T(rand(0, 3))]),
        lambda L, T: L.cat([T(rand(0)), T(rand(0, dtype=np.int64))]),
        lambda L, T: L.cat([T(noncontig(rand(2, 3))), T(tr(rand(3, 2)))]),
        lambda L, T: L.cat([T(rand(2, 3))]),
        lambda L, T: L.cat([T(rand(2, 3)), T(rand(2, 2))]),
        lambda L, T: L.cat([T(rand(2, 3)), T(rand(3))]),
        lambda L, T: L.cat([T(rand())]),
        lambda L, T: L.cat([]),
        lambda L, T: L.cat([T(rand(2)), T(rand(2))], 1),
    ],
    "CAT_OUT": [
        lambda L, T: L.cat([T(rand(2)), T(rand(3))], out=T(rand(5))),
        lambda L, T: L.cat([T(rand(2)), T(rand(3))], 0, out=T(rand(0, dtype=np.float64)).clone()),
    ],
    "STACK": [
        lambda L, T: L.stack([T(rand(2, 3)), T(rand(2, 3))]),
        lambda L, T: L.stack((T(rand(2, 3)), T(rand(2, 3))), 1).stride(),
        lambda L, T: L.stack([T(rand(2)), T(rand(2, dtype=np.int64))], dim=-1),
        lambda L, T: L.stack([T(rand()), T(rand())]),
        lambda L, T: L.stack([T(rand(2)), T(rand(3))]),
        lambda L, T: L.stack([]),
        lambda L, T: L.stack([T(rand(2))], 2),
    ],
    "FLIP": [
        lambda L, T: T(rand(3, 4)).flip(0),
        lambda L, T: T(rand(3, 4)).flip(0, 1),
        lambda L, T: L.flip(T(rand(2, 3, 4)), (-1, 0)),
        lambda L, T: T(tr(rand(4, 3))).flip(1).stride(),
        lambda L, T: T(rand()).flip(0),
        lambda L, T: T(rand(0, 2)).flip(0),
        lambda L, T: T(rand(3, 4, dtype=np.int64)).flip([]),
        lambda L, T: T(rand(3, 4)).flip(2),
    ],
    "ROLL": [
        lambda L, T: T(rand(3, 4)).roll(1),
        lambda L, T: T(rand(3, 4)).roll(-2, 1),
        lambda L, T: L.roll(T(rand(3, 4)), (1, 2), (0, 1)),
        lambda L, T: T(rand(3, 4)).roll(shifts=7, dims=0),
        lambda L, T: T(tr(rand(4, 3))).roll(1, 0),
        lambda L, T: T(rand(0, 3)).roll(1, 0),
        lambda L, T: T(rand()).roll(1),
        lambda L, T: T(rand(3, 4, dtype=np.int32)).roll(5),
        lambda L, T: T(rand(3, 4)).roll((1, 2), (0,)),
        lambda L, T: T(rand(3, 4)).roll(1, 2),
    ],
    "TRIL": [
        lambda L, T: T(rand(3, 4)).tril(),
        lambda L, T: L.tril(T(rand(3, 4)), 1),
        lambda L, T: T(rand(2, 3, 4)).tril(-1),
        lambda L, T: T(tr(rand(4, 3, dtype=np.int64))).tril(diagonal=2),
        lambda L, T: T(rand(0, 3)).tril(),
        lambda L, T: T(rand(3)).tril(),
    ],
    "TRIL_": [
        lambda L, T: (lambda x: (x.tril_(), x))(T(rand(3, 4))),
        lambda L, T: (lambda x: (x.tril_(-1), x))(T(tr(rand(4, 3)))),
    ],
    "TRIU": [
        lambda L, T: T(rand(3, 4)).triu(),
        lambda L, T: L.triu(T(rand(3, 4)), -1),
        lambda L, T: T(rand(2, 4, 3, dtype=np.bool_)).triu(1),
        lambda L, T: T(rand(3)).triu(),
    ],
    "TRIU_": [
        lambda L, T: (lambda x: (x.triu_(1), x))(T(rand(3, 4))),
        lambda L, T: (lambda x: (x.triu_(), x))(T(noncontig(rand(2, 3, 3)))),
    ],
    "INDEX_SELECT": [
        lambda L, T: T(rand(4, 3)).index_select(0, T(I(3, 0, 0))),
        lambda L, T: L.index_select(T(rand(4, 3)), -1, T(I(2))),
        lambda L, T: T(tr(rand(3, 4))).index_select(1, T(np.array([1, 0], np.int32))),
        lambda L, T: T(rand(4, 3)).index_select(0, T(np.array(2))),
        lambda L, T: T(rand()).index_select(0, T(I(0))),
        lambda L, T: T(rand(4, 3)).index_select(0, T(I())),
        lambda L, T: T(rand(4, 3)).index_select(0, T(I(4))),
        lambda L, T: T(rand(4, 3)).index_select(0, T(I(-1))),
        lambda L, T: T(rand(4, 3)).index_select(0, T(np.array([1.0]))),
        lambda L, T: T(rand(4, 3)).index_select(0, T(I(1).reshape(1, 1))),
    ],
    "GATHER": [
        lambda L, T: T(rand(3, 4)).gather(1, T(I(0, 3, 1, 1, 2, 0).reshape(3, 2))),
        lambda L, T: L.gather(T(rand(3, 4)), 0, T(I(2, 0, 1).reshape(1, 3))),
        lambda L, T: T(tr(rand(4, 3))).gather(-1, T(np.array([[0], [3]], np.int32))),
        lambda L, T: T(rand()).gather(0, T(I(0, 0))),
        lambda L, T: T(rand(3, 4)).gather(0, T(I().reshape(0, 2))),
        lambda L, T: T(rand(3, 4)).gather(0, T(I(5))),
        lambda L, T: T(rand(3, 4)).gather(0, T(I(5).reshape(1, 1))),
        lambda L, T: T(rand(3, 4)).gather(0, T(I(1, 1, 1, 1, 1).reshape(1, 5))),
        lambda L, T: T(rand(3, 4)).gather(0, T(np.array([[1.0]]))),
    ],
    "SCATTER_SRC": [
        lambda L, T: T(rand(3, 4)).scatter(0, T(I(2, 0, 1).reshape(1, 3)), T(rand(2, 3))),
        lambda L, T: L.scatter(T(rand(3, 4)), 1, T(I(3, 0).reshape(2, 1)), T(rand(2, 2))),
        lambda L, T: T(rand(3, 4, dtype=np.int64)).scatter(0, T(I(1).reshape(1, 1)), T(rand(1, 1, dtype=np.int64))),
        lambda L, T: T(rand(3, 4)).scatter(0, T(I(1).reshape(1, 1)), T(rand(1, 1, dtype=np.int64))),
        lambda L, T: T(rand(3, 4)).scatter(0, T(I(7).reshape(1, 1)), T(rand(1, 1))),
        lambda L, T: T(rand(3, 4)).scatter(0, T(I(1, 1).reshape(1, 2)), T(rand(1, 1))),
        lambda L, T: T(rand(3, 4)).scatter(0, T(I(1)), T(rand(1))),
    ],
    "SCATTER_VALUE": [
        lambda L, T: T(rand(3, 4)).scatter(0, T(I(2, 0, 1).reshape(1, 3)), 1.5),
        lambda L, T: L.scatter(T(rand(3, 4, dtype=np.int32)), 1, T(I(3, 0).reshape(2, 1)), 7),
        lambda L, T: T(rand(3, 4)).scatter(1, T(I(9).reshape(1, 1)), 0.0),
    ],
    "SCATTER__SRC": [
        lambda L, T: (lambda x: (x.scatter_(1, T(I(3, 0).reshape(2, 1)), T(rand(2, 1))), x))(T(rand(3, 4))),
        lambda L, T: T(rand(3, 4)).scatter_(0, T(I(3).reshape(1, 1)), T(rand(1, 1))),
    ],
    "SCATTER__VALUE": [
        lambda L, T: (lambda x: (x.scatter_(0, T(I(0, 2).reshape(1, 2)), -1.0), x))(T(rand(3, 4))),
        lambda L, T: (lambda x: (x.scatter_(0, T(I(0, 2).reshape(2, 1)), True), x))(T(rand(3, 4, dtype=np.bool_))),
    ],
    "SCATTER_ADD": [
        lambda L, T: T(rand(3, 4)).scatter_add(0, T(I(0, 0, 1, 0).reshape(2, 2)), T(rand(2, 2))),
        lambda L, T: L.scatter_add(T(rand(3, dtype=np.int64)), 0, T(I(1, 1, 1)), T(rand(3, dtype=np.int64))),
        lambda L, T: T(rand(3)).scatter_add(0, T(I(3)), T(rand(1))),
    ],
    "SCATTER_ADD_": [
        lambda L, T: (lambda x: (x.scatter_add_(1, T(I(0, 0).reshape(1, 2)), T(rand(1, 2))), x))(T(rand(2, 3))),
    ],
    "INDEX_TENSOR": [
        lambda L, T: T(rand(4, 3))[T(I(3, 0, 3))],
        lambda L, T: T(rand(4, 3))[T(I(1, 2)), T(I(0, 2))],
        lambda L, T: T(rand(4, 3))[T(rand(4, 3, dtype=np.bool_))],
        lambda L, T: T(rand(4, 3, 2))[:, T(I(0, 2))].stride(),
        lambda L, T: T(rand(4, 3, 2))[T(I(0, 1)), :, T(I(1, 0))],               # split -> front
        lambda L, T: T(rand(4, 3, 2))[T(I(0, 1).reshape(2, 1)), T(I(0, 1, 2))],  # broadcast
        lambda L, T: T(rand(4, 3))[T(I(5))],
        lambda L, T: T(rand(4, 3))[T(np.array([1.0]))],
        lambda L, T: T(rand(4, 3))[T(I(0, 1)), T(I(0, 1, 2))],
        lambda L, T: T(rand(4, 3))[T(rand(3, dtype=np.bool_))],
        lambda L, T: T(rand(4, 3)).bfloat16()[T(I(1, 1))],
        lambda L, T: T(rand(4, 3, dtype=np.float16))[:, T(I(2))],
        lambda L, T: T(rand(2, 3, 4).transpose(2, 0, 1))[:, T(I(1))].stride(),
        lambda L, T: T(rand(2, 3, 4).transpose(2, 0, 1))[:, :, T(I(1, 0))].stride(),
        lambda L, T: T(rand(2, 3, 4).transpose(2, 0, 1))[T(I(1, 0))].stride(),
        lambda L, T: T(rand(2, 3, 4).transpose(1, 2, 0))[T(I(1, 0)), :, T(I(0))].stride(),
        lambda L, T: T(rand(2, 3, 4).transpose(1, 2, 0))[:, T(rand(4, 2, dtype=np.bool_))].stride(),
    ],
    "INDEX_PUT_": [
        lambda L, T: T(rand(4, 3)).index_put_((T(I(0, 2)),), T(rand(3))),
        lambda L, T: T(rand(4, 3)).index_put_((T(I(0, 0)), T(I(1, 1))), T(rand(2)), accumulate=True),
        lambda L, T: L.index_put_(T(rand(4)), [T(I(0, 0, 3))], T(rand(3)), True),
        lambda L, T: T(rand(4, 3)).index_put_((T(rand(4, 3, dtype=np.bool_)),), T(rand())),
        lambda L, T: T(rand(4, 3)).index_put_((T(I(1, 2)), T(I(1, 1))), T(rand(1))),
        lambda L, T: T(rand(4, dtype=np.int64)).index_put_((T(rand(4, dtype=np.bool_)),), T(np.array([2.7]))),
        lambda L, T: T(rand(4)).index_put_((T(I(0)),), T(I(1))),
        lambda L, T: T(rand(4)).index_put_((T(I(0)),), T(rand(2))),
        lambda L, T: T(rand(4)).index_put_((T(I(0)), T(I(0))), T(rand(1))),
        lambda L, T: (lambda x: x.index_put_((T(I(1, 2)),), x[:2]))(T(rand(6))),           # overlap
        lambda L, T: (lambda x: x.index_put_((T(I(1, 2)),), x[::3]))(T(rand(6))),          # disjoint
        lambda L, T: (lambda x: x.index_put_((T(rand(6, dtype=np.bool_)),), x[4:5]))(T(rand(6))),   # masked fill
        lambda L, T: T(rand(4, 3)).bfloat16().index_put_((T(I(0, 2)),), T(rand(3)).bfloat16(), accumulate=True),
    ],
    "INDEX_PUT": [
        lambda L, T: L.index_put(T(rand(4, 3)), (T(I(3, 1)),), T(rand(2, 3))),
        lambda L, T: T(rand(4)).index_put((T(I(1, 1)),), T(rand(2)), accumulate=True),
    ],
    "MASKED_SELECT": [
        lambda L, T: T(rand(3, 4)).masked_select(T(rand(3, 4, dtype=np.bool_))),
        lambda L, T: L.masked_select(T(rand(3, 4)), T(rand(4, dtype=np.bool_))),
        lambda L, T: T(rand(4, dtype=np.int32)).masked_select(T(rand(3, 1, dtype=np.bool_))),
        lambda L, T: T(noncontig(rand(3, 4))).masked_select(T(rand(3, 4, dtype=np.bool_))),
        lambda L, T: T(rand(3, 4)).masked_select(T(rand(3, 4, dtype=np.uint8))),
        lambda L, T: T(rand(3, 4)).masked_select(T(rand(2, 4, dtype=np.bool_))),
    ],
    # hidden rows for the script compiler; Python reaches the same answers through the
    # hand-written Tensor methods
    "SIZE_INT": [
        lambda L, T: T(rand(3, 4)).size(-1),
        lambda L, T: T(rand(3, 4)).size(2),
    ],
    "DIM": [
        lambda L, T: T(rand(3, 4)).dim(),
        lambda L, T: T(rand()).dim(),
    ],
    "NUMEL": [
        lambda L, T: T(rand(3, 4)).numel(),
        lambda L, T: T(rand(0, 4)).numel(),
    ],
}

# dtype conversion (the to() overloads as Python binds them; prim_* are TorchScript's spellings)
CASES.update({
    "TO_DTYPE": [
        lambda L, T: T(rand(3, 4)).to(L.float64),
        lambda L, T: T(rand(3, 4)).to(L.float32).stride(),
        lambda L, T: T(tr(rand(3, 4))).to(L.float16).stride(),          # keeps the layout
        lambda L, T: T(rand(3, 4) * 10 - 5).to(L.int32),
        lambda L, T: T(rand(3, 4) - 0.5).to(dtype=L.bool),
        lambda L, T: T(rand(3, 4, dtype=np.int64)).to(L.bfloat16),
        lambda L, T: T(rand()).to(L.float64),
        lambda L, T: T(rand(0, 3)).to(L.int8),
        lambda L, T: T(noncontig(rand(3, 4))).to(L.float64, copy=True).stride(),
        lambda L, T: T(rand(3)).to(L.float64, non_blocking=True),
        lambda L, T: T(rand(3)).to("cuda"),                              # no such device
    ],
    "TO_OTHER": [
        lambda L, T: T(rand(3, 4)).to(T(rand(2, dtype=np.float64))),
        lambda L, T: T(rand(3, 4, dtype=np.int16)).to(T(rand(2)), copy=True),
    ],
    "TO_DEVICE": [
        lambda L, T: T(rand(3, 4)).to("cpu", L.float64),
        lambda L, T: T(rand(3, 4)).to(device="cpu", dtype=L.int64),
    ],
    "TO_DTYPE_LAYOUT": [
        lambda L, T: T(rand(3, 4)).to(dtype=L.float16, device="cpu"),
        lambda L, T: T(rand(3, 4)).to(device="cpu", copy=True),
    ],
    "TO_PRIM_DEVICE": [
        lambda L, T: T(rand(3, 4)).to("cpu"),
        lambda L, T: T(rand(3, 4)).to(None),
    ],
    "TO_PRIM_DTYPE": [                                                   # Python binds dtype_layout
        lambda L, T: T(rand(3, 4)).to(dtype=None),
    ],
    "TO_PRIM_OTHER": [
        lambda L, T: T(rand(3, 4)).to(),
        lambda L, T: T(rand(3, 4)).to(copy=True),
    ],
    "TYPE_AS": [
        lambda L, T: T(rand(3, 4)).type_as(T(rand(2, dtype=np.int32))),
        lambda L, T: T(rand(3, 4, dtype=np.int64)).type_as(T(rand())),
        lambda L, T: T(tr(rand(3, 4))).type_as(T(rand(1, dtype=np.float64))).stride(),
    ],
    "_TO_COPY": [                        # not bound in Python (nor in torch): reached through to()
        lambda L, T: T(rand(3, 4)).double(),
        lambda L, T: T(tr(rand(3, 4))).to(L.int16).stride(),
        lambda L, T: T(rand(3, 4) * 4).byte(),
        lambda L, T: T(rand()).bool(),
        lambda L, T: T(rand(2, 3, dtype=np.float64)).half(),
        lambda L, T: T(rand(2, 3)).bfloat16().float(),
    ],
})
