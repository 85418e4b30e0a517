

# ---- 3. attribute reads that end a block print inlined ----
class Counter:
    def __init__(self, n: int):
        self.n = n

    def get(self) -> int:
        return self.n

    def get_plus(self) -> int:
        m = self.n
        return m + 1

    def get_if(self, k: int) -> int:
        if k > 0:
            return self.n
        return k


class UsesCounter(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 4

    def forward(self, x: int) -> int:
        c = Counter(x)
        return c.get() + c.get_plus() + c.get_if(x) + self.k


class UsesCounterP(pyts.nn.Module):
    def __init__(self):
        super().__init__()
        self.k = 4

    def forward(self, x: int) -> int:
        c = Counter(x)
        return c.get() + c.get_plus() + c.get_if(x) + self.k


class ReturnsAttr(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.n = 3

    def forward(self, x: int) -> int:
        return self.n


class ReturnsAttrP(pyts.nn.Module):
    def __init__(self):
        super().__init__()
        self.n = 3

    def forward(self, x: int) -> int:
        return self.n


def _archive_code(save):
    import zipfile
    buf = io.BytesIO()
    save(buf)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    return "".join(z.read(n).decode() for n in z.namelist() if "/code/" in n and n.endswith(".py"))


def test_return_attribute_prints_inlined():
    t = torch.jit.script(ReturnsAttr())
    p = pyts.jit.script(ReturnsAttrP())
    assert p.code == t.code
    assert "return self.n\n" in p.code
    assert p(2) == t(2) == 3


def test_script_class_return_attribute_code():
    t = torch.jit.script(UsesCounter())
    p = pyts.jit.script(UsesCounterP())
    assert p(5) == t(5) == 5 + 6 + 5 + 4
    tc = _archive_code(lambda b: torch.jit.save(t, b))
    pc = _archive_code(p.save)
    t_cls = tc[tc.index("class Counter:"):]
    p_cls = pc[pc.index("class Counter:"):]
    # torch numbers the temporaries of a code file across its classes; pyts per class
    assert re.sub(r"\b_\d+\b", "_N", p_cls).strip() == re.sub(r"\b_\d+\b", "_N", t_cls).strip()
    assert "  def get(self: __torch__.test_followup9.Counter) -> int:\n    return self.n\n" in p_cls
    assert "    if torch.gt(k, 0):\n      _0 = self.n\n" in p_cls
    # the forward's own attribute read feeds an op: assigned, as torch
    assert p.code == t.code
