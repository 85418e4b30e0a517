"""pyts._jit_internal: the annotation helpers of torch._jit_internal that scripted code names.

``BroadcastingList2[int]`` annotates a List[int] parameter that also takes one int (repeated to
two) or a tuple, as torch.nn.functional's pooling functions do; the script compiler reads the
annotation from the source, and scripted functions called from Python apply the same rule."""

__all__ = ["BroadcastingList1", "BroadcastingList2", "BroadcastingList3", "BroadcastingList4",
           "BroadcastingList5", "BroadcastingList6", "BroadcastingListCls"]


class _Broadcast:
    """BroadcastingListN[T]: what the subscripted annotation evaluates to (n and T kept for
    callers that convert arguments)."""

    __slots__ = ("n", "elem")

    def __init__(self, n, elem):
        self.n = n
        self.elem = elem

    def __repr__(self):
        return f"BroadcastingList{self.n}[{getattr(self.elem, '__name__', self.elem)}]"

    def __call__(self, *args):
        # callable only so that typing accepts it inside Optional[...]
        raise TypeError(f"{self!r} is an annotation, not a type to call")


class BroadcastingListCls:
    def __init__(self, n):
        self.n = n

    def __getitem__(self, types):
        return _Broadcast(self.n, types)

    def __repr__(self):
        return f"BroadcastingList{self.n}"


BroadcastingList1 = BroadcastingListCls(1)
BroadcastingList2 = BroadcastingListCls(2)
BroadcastingList3 = BroadcastingListCls(3)
BroadcastingList4 = BroadcastingListCls(4)
BroadcastingList5 = BroadcastingListCls(5)
BroadcastingList6 = BroadcastingListCls(6)
