"""Differential cases for csrc/ops/ops_enum.def (the builtins of Python Enum values): each row
is reached the way TorchScript code reaches it (c == d, c != d, c.name, c.value), in functions both
libraries script; the members are of one Python Enum class per value type."""
import enum
import sys
import types

if __name__ not in sys.modules:
    # the oracle loads this file by path: torch finds the source of an Enum class through
    # sys.modules[cls.__module__].__file__
    _m = types.ModuleType(__name__)
    _m.__file__ = __file__
    sys.modules[__name__] = _m


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    NEG = -7


class Scale(enum.Enum):
    HALF = 0.5
    BIG = 1e300


class Mode(enum.Enum):
    FAST = "fast"
    EMPTY = ""
    UNI = "ünï"


def _eq(a: Color, b: Color) -> bool:
    return a == b


def _ne(a: Color, b: Color) -> bool:
    return a != b


def _eq_mode(a: Mode, b: Mode) -> bool:
    return a == b


def _name(a: Color) -> str:
    return a.name


def _mode_name(a: Mode) -> str:
    return a.name


def _value_int(a: Color) -> int:
    return a.value


def _value_float(a: Scale) -> float:
    return a.value


def _value_str(a: Mode) -> str:
    return a.value


def _run(L, fn, *args):
    return L.jit.script(fn)(*args)


CASES = {
    "EQ_ENUM": [
        lambda L, T: _run(L, _eq, Color.RED, Color.RED),
        lambda L, T: _run(L, _eq, Color.RED, Color.GREEN),
        lambda L, T: _run(L, _eq_mode, Mode.FAST, Mode.EMPTY),
        lambda L, T: _run(L, _eq_mode, Mode.UNI, Mode.UNI),
    ],
    "NE_ENUM": [
        lambda L, T: _run(L, _ne, Color.RED, Color.RED),
        lambda L, T: _run(L, _ne, Color.NEG, Color.GREEN),
    ],
    "ENUM_NAME": [
        lambda L, T: _run(L, _name, Color.GREEN),
        lambda L, T: _run(L, _mode_name, Mode.UNI),
    ],
    "ENUM_VALUE_INT": [
        lambda L, T: _run(L, _value_int, Color.RED),
        lambda L, T: _run(L, _value_int, Color.NEG),
    ],
    "ENUM_VALUE_FLOAT": [
        lambda L, T: _run(L, _value_float, Scale.HALF),
        lambda L, T: _run(L, _value_float, Scale.BIG),
    ],
    "ENUM_VALUE_STR": [
        lambda L, T: _run(L, _value_str, Mode.FAST),
        lambda L, T: _run(L, _value_str, Mode.EMPTY),
        lambda L, T: _run(L, _value_str, Mode.UNI),
    ],
}
