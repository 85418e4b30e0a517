# A script class: attributes declared by __init__ (one annotated), methods calling each other,
# an attribute written from outside, an object made inside a method of its own class.
# call: (torch.tensor([1.0, 2.0]), 3)
# expect: tensor([20., 35.])
# call: (torch.tensor([0.5]), 0)
# expect: tensor([5.])
class Acc:
    def __init__(self, x: torch.Tensor, k: int):
        self.x = x
        self.k: int = k

    def bump(self) -> "Acc":
        self.k += 1
        return Acc(self.x * 2, self.k)

    def value(self) -> torch.Tensor:
        return self.x * self.weight()

    def weight(self) -> float:
        return float(self.k) + 1.0


def f(x: torch.Tensor, n: int) -> torch.Tensor:
    a = Acc(x, n)
    b = a.bump()
    b.x = b.x + 1.0
    return b.value() + a.value()
