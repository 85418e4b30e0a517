# expect error: 7:5 aten::append.t(t[](a!) self, t(c -> *) el) -> t[](a!):
# expect hint: append(): expected a value of type Tensor but found int
# expect hint: Empty lists default to List[Tensor]. Add a variable annotation to the assignment to create an empty list of another type (torch.jit.annotate(List[T, []]) where T is the type of elements in the list for Python 2)
# expect hint: hint: annotate it where it is first assigned, `xs: List[int] = []`
def f(n: int):
    xs = []
    xs.append(n)
    return xs
