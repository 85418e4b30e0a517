"""Every registry row against PyTorch 2.13: each row needs cases in tests/cases/, and every case
must agree with torch on values, dtype, shape and error-or-not."""
import oracle  # tests/ is on sys.path (conftest.py)
import pytest

import pyts

CASES = oracle.load_cases()
ROWS = [r[0] for r in pyts._C._ops()]


def test_every_row_has_cases():
    missing = [r for r in ROWS if not CASES.get(r)]
    assert not missing, f"registry rows without a differential case: {missing}"


def test_cases_name_real_rows():
    unknown = sorted(set(CASES) - set(ROWS))
    assert not unknown, f"cases for rows that do not exist: {unknown}"


PARAMS = [pytest.param(op, i, f, id=f"{op}-{i}") for op in sorted(CASES) for i, f in enumerate(CASES[op])]


@pytest.mark.parametrize("op,i,case", PARAMS)
def test_case(op, i, case):
    oracle.run_case(case)


def test_schemas_match_aten():
    """Every row's schema is PyTorch's (parsed by PyTorch's own schema parser and compared with
    the registered aten schema), so archives and printed code bind the same arguments."""
    torch = pytest.importorskip("torch")
    for rid, schema, *_ in pyts._C._ops():
        name = schema.split("(")[0]
        # a row written "prim::min.int(...)" is of that namespace (its schema text without it)
        given, _, name = name.rpartition("::")
        schema = schema[len(given) + 2:] if given else schema
        base, _, overload = name.partition(".")
        # TorchScript's builtins on numbers and tensors' attributes live in prim:: (prim::abs.int,
        # prim::min.self_int, prim::device); a row matches in either namespace
        found = []
        for ns in ((given,) if given else ("aten", "prim")):
            op = getattr(getattr(torch.ops, ns), base, None)
            if op is not None and (overload or "default") in op.overloads():
                found.append((str(getattr(op, overload or "default")._schema),
                              str(torch._C.parse_schema(f"{ns}::" + schema))))
        assert found, f"{rid}: PyTorch has no aten:: or prim:: op {name}"
        assert any(theirs == ours for theirs, ours in found), (rid, found)
