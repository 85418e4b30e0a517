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
        base, _, overload = name.partition(".")
        op, ns = getattr(torch.ops.aten, base, None), "aten"
        if op is None or (overload or "default") not in op.overloads():
            # TorchScript's builtins on numbers live in prim:: (prim::abs.int, prim::min.self_int)
            op, ns = getattr(torch.ops.prim, base, None), "prim"
        assert op is not None, f"{rid}: PyTorch has no aten::{base}"
        aten = str(getattr(op, overload or "default")._schema)
        ours = str(torch._C.parse_schema(f"{ns}::" + schema))
        assert ours == aten, rid
