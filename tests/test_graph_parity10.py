"""`str(graph)` of scripted functions and modules is torch 2.13's, compared in-process with torch
on the cases of the differential script suites (tests/graph_parity_sweep.py runs all of them):
constants at the top in torch's order (literals materialized at the graph's top once per value,
then one pooling pass, which leaves them in reverse order of first use), source ranges where
torch's frontend gives them (none on containers, unpacks, refinement casts, GetAttr, property
reads, schema defaults, folded constants), attribute values printed as IValue::repr (doubles,
quoted strings). Source locations are compared with the file name dropped (each library compiles
its own copy of the source); EXACT cases also match in the numbers of temporaries, the others
once temporaries are renumbered in order of appearance (torch numbers them by every value its
frontend creates and erases)."""
import os
import re

import pytest
import torch

import pyts
from script_diff import define

_verify = os.environ.get("PYTS_VERIFY")
import code_parity_sweep  # noqa: E402  (sets PYTS_VERIFY for its own runs: restored below)
from graph_parity_sweep import normal, renumbered  # noqa: E402
if _verify is None:
    os.environ.pop("PYTS_VERIFY", None)

BUILD = dict(code_parity_sweep.cases())

EXACT = [
    "test_script_builtins:list_insert", "test_script_builtins:list_remove", "test_script_builtins:del_list",
    "test_script_builtins:del_dict", "lang3:unrolled_no_return", "lang3.M:method_list_args",
    "golden:for_tuple_unrolled",
]

ALMOST = [
    "test_script_builtins:list_insert_str", "test_script_builtins:list_index",
    "test_script_builtins:list_index_types", "test_script_builtins:list_count",
    "test_script_builtins:list_remove_str", "test_script_builtins:list_sort",
    "test_script_builtins:list_sort_reverse", "test_script_builtins:list_reverse_clear",
    "test_script_builtins:list_extend_copy", "test_script_builtins:list_tensor_methods",
    "test_script_builtins:del_dict_int", "test_script_builtins:dict_clear_copy", "test_script_builtins:str_compare",
    "test_script_builtins:str_predicates", "test_script_builtins:str_case_maps", "test_script_builtins:str_strip",
    "test_script_builtins:str_find", "test_script_builtins:str_index", "test_script_builtins:str_startswith",
    "test_script_builtins:str_pad", "test_script_builtins:str_pad_bad_fill", "test_script_builtins:str_partition",
    "test_script_builtins:str_split", "test_script_builtins:str_split_empty_sep",
    "test_script_builtins:str_expandtabs", "test_script_builtins:str_ord_chr", "test_script_builtins:int_radix",
    "test_script_builtins:str_to_number", "test_script_builtins:str_to_float",
    "test_script_builtins:int_of_float_of_str", "test_script_builtins:math_predicates",
    "test_script_builtins:tensor_item", "test_script_builtins:tensor_item_return",
    "test_script_builtins:tensor_item_return_int", "test_script_builtins:tensor_item_bool",
    "test_script_builtins:tensor_conversions", "test_script_builtins:tensor_attributes",
    "test_script_builtins:tensor_T", "test_script_lang2:list_slice", "test_script_lang2:str_slice",
    "test_script_lang2:tensor_list_slice", "test_script_lang2:tuple_slice",
    "test_script_lang2:tuple_slice_extremes", "test_script_lang2:list_ops", "test_script_lang2:list_aliasing",
    "test_script_lang2:list_of_range", "test_script_lang2:list_str_tensor_add", "test_script_lang2:tuple_in",
    "test_script_lang2:empty_int_list_args", "test_script_lang2:narrow_after_if", "test_script_lang2:narrow_loops",
    "test_script_lang2:ret_for", "test_script_lang2:ret_while_break_continue", "test_script_lang2:ret_for_list",
    "test_script_lang2:ret_nested", "test_script_lang2:ret_optional", "test_script_lang2:ret_in_branch_loop",
    "test_script_lang2:ret_none_in_loop", "test_script_lang2:assert_refines", "test_script_union:int_or_tensor",
    "test_script_union:tuple_of_types", "test_script_union:types_sorted", "test_script_union:jit_isinstance",
    "test_script_union:list_member", "test_script_union:list_of_int", "test_script_union:is_none",
    "test_script_union:pep604_none", "test_script_union:not_isinstance_early", "test_script_union:and_or",
    "test_script_union:ifexp", "test_script_union:locals_and_containers", "test_script_union:list_elements",
    "test_script_union:optional_tensor", "test_script_union:optional_not_list", "test_script_union:loop_carried",
    "test_script_union:join_none", "test_script_union:flattened", "test_script_tolist:ann_assign",
    "test_script_tolist:ann_int2", "test_script_tolist:ann_float2", "test_script_tolist:ann_bool2",
    "test_script_tolist:ann_int1", "test_script_tolist:ann_scalar", "test_script_tolist:ann_scalar_int",
    "test_script_tolist:ann_scalar_bool", "test_script_tolist:annotate", "test_script_tolist:ret_ann",
    "test_script_tolist:ret_branch", "test_script_tolist:ternary", "test_script_tolist:nested_expr",
    "test_script_tolist:args_ignored", "test_script_tolist:loop_use", "test_script_tolist:deep",
    "test_script_tolist:num_arith", "test_script_tolist:num_compare", "test_script_tolist:num_div_zero",
    "test_script_tolist:num_neg_wraps", "test_script_tolist:num_convert", "test_script_tolist:num_times_tensor",
    "test_script_tolist:num_unary", "test_script_tolist:num_to_int", "test_print_code:for_list",
    "test_print_code:for_dict", "test_print_code:for_enum_zip", "test_print_code:for_tensor",
    "test_print_code:for_tuple", "test_print_code:for_break", "test_print_code:listcomp",
    "test_print_code:listcomp_tensor", "test_print_code:dictcomp", "test_print_code:dict_ops",
    "test_print_code:int_dict", "test_print_code:list_ops", "test_print_code:str_ops", "test_print_code:fstring",
    "test_print_code:str_conv", "test_print_code:math_fns", "test_print_code:any_all", "test_print_code:no_grad",
    "test_print_code:nested_comp", "test_print_code:nested_index", "test_print_code:tensor_containers",
    "test_print_code:prim_builtins", "test_script:f", "test_script:g", "test_script:w", "test_script:gate",
    "test_script:d", "test_script:r", "test_script:t", "test_script:early", "test_script:nested",
    "test_script:conv", "test_script:tup", "test_script:assert_", "test_script:raise_", "test_script:ln",
    "test_script:opt1", "test_script:opt2", "lang3:ret_tuple", "lang3:ret_tuple_first", "lang3:ret_tuple_in_while",
    "lang3.M:ret_sequential_first", "lang3.M:tuple_attr_none", "lang3.M:final_tuple_constant", "golden:assert_ok",
    "golden:both_branches_return", "golden:break_continue", "golden:break_nested_paths", "golden:chained_assign",
    "golden:chained_compare", "golden:comprehensions", "golden:continue_in_while", "golden:conversions",
    "golden:defaults", "golden:dict_methods", "golden:docstring_and_pass", "golden:early_return",
    "golden:for_list_dict", "golden:for_range", "golden:if_else", "golden:int_float_arith", "golden:len_and_int",
    "golden:math_builtins", "golden:namedtuple_fields", "golden:nested_loop_break", "golden:nested_loops",
    "golden:no_grad_block", "golden:optional_refinement", "golden:pep604_optional", "golden:print_values",
    "golden:raise_computed_message", "golden:raise_in_branch", "golden:range_step", "golden:return_in_loop",
    "golden:strings_and_format", "golden:ternary_and_or", "golden:tuple_unpack",
    "golden:type_comment_per_parameter", "golden:type_comment_signature", "golden:while_loop",
    "golden:while_true_break",
]


def unmangled(g):
    """torch mangles a class compiled again in the same process (___torch_mangle_N): which
    number depends on what the test session compiled before"""
    return re.sub(r"___torch_mangle_\d+\.", "", g)


def graphs(tmp_path, label):
    build = BUILD[label]
    gt = unmangled(normal(str(torch.jit.script(build(tmp_path, torch)).graph)))
    gp = unmangled(normal(str(pyts.jit.script(build(tmp_path, pyts)).graph)))
    return gp, gt


@pytest.mark.parametrize("label", EXACT)
def test_graph_is_torchs(tmp_path, label):
    gp, gt = graphs(tmp_path, label)
    assert gp == gt


@pytest.mark.parametrize("label", ALMOST)
def test_graph_is_torchs_but_for_temporaries(tmp_path, label):
    gp, gt = graphs(tmp_path, label)
    assert renumbered(gp) == renumbered(gt)


# functions written for what this file's fixes touch
EXTRA = {
    # a negative literal: the literal's constant at the top, the folded negation where it is used
    "negative_literal": "def f(x: int, y: float):\n    a = x + -1\n    b = y * -2.5\n    s = 'q'\n    return a, b, x + 1, s\n",
    # doubles as IValue::repr prints them, strings quoted with C escapes and octal bytes
    "attr_values": ("def f(x: float, s: str):\n    return (x + 0.1, x * 1e-7, x - 1e20, x + 2.5, x * 1.0, x * 100.0,"
                    " x * 1e16, x * 1.5e300, s + 'a\\nb\\t\\\"q\\'\\\\', s + '\\u00e9\\x01\\x7f\\r\\x07')\n"),
    "while_literals": ("def f(limit: int):\n    steps = 0\n    v = 1\n    while v < limit:\n        v = v * 2\n"
                       "        steps += 1\n    return steps\n"),
    "break_false": ("def f(x, n: int):\n    i = 0\n    while i < n:\n        i += 1\n        if i % 2 == 0:\n"
                    "            break\n        x = x * x\n    return x\n"),
    "continue_for_true": ("def f(x: int):\n    for i in range(x):\n        if i > 3:\n            continue\n"
                          "        x += 1\n    return x\n"),
    "continue_while_true": ("def f(n: int):\n    i = 0\n    while True:\n        i += 1\n        if i < 3:\n"
                            "            continue\n        if i > n:\n            break\n    return i\n"),
    "defaults_unranged": ("def f(x, s: str, t: str, l: List[int]):\n    a = x.sum()\n    b = s.find(t)\n    l.sort()\n"
                          "    c = torch.sum(x)\n    d = s.startswith(t)\n    e = x.add(x)\n    return a, b, c, d, e\n"),
    "properties": ("def f(x):\n    return (x.shape, x.ndim, x.T, x.dtype, x.device, x.requires_grad, x.is_cuda, x.data,"
                   " x.is_leaf, x.layout)\n"),
    "chained_compare": "def f(a: int, b: int, c: int):\n    return a < b < c, a > b > c > 0\n",
    "list_of_iterators": ("def f(n: int, m: int):\n    return list(range(n)), list(range(m, n, 2)),"
                          " list(enumerate(['a', 'b'])), list(zip([1, 2], ['x', 'y']))\n"),
    "loops_over_containers": ("def f(xs: List[int], d: Dict[str, int], x):\n    s = 0\n    for v in xs:\n        s += v\n"
                              "    for k in d:\n        s += d[k]\n    for i, v in enumerate(xs):\n        s += i * v\n"
                              "    for r in x:\n        s += int(r.sum())\n    return s, [v * 2 for v in xs], {k: 1 for k in d}\n"),
    # (asserts differ: torch's prim::RaiseException has a second, None, argument)
    "raise_ranges": ("def f(n: int):\n    if n < 0:\n        raise ValueError('negative')\n"
                     "    if n > 10:\n        raise RuntimeError('too big: ' + str(n))\n    return n\n"),
    "tensor_subscripts": "def f(x, i: int):\n    return x[i], x[1:3], x[None, 0], x[i, 1:]\n",
    "tuple_slices": "def f(x: Tuple[int, str, float]):\n    return x[0:2], x[::-1], x[5:], x[-2:]\n",
}


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_extra_graph_is_torchs(tmp_path, name):
    src = EXTRA[name]
    g = {lib: normal(str(lib.jit.script(define(tmp_path, name, src, lib, "gp10")["f"]).graph)) for lib in (pyts, torch)}
    assert renumbered(g[pyts]) == renumbered(g[torch])


def test_seed_decision_gate_graphs_are_torchs():
    """The seed's MyDecisionGate scripted: .graph and .inlined_graph as torch's (locations and
    class mangling aside, as tests/test_trace_golden.py compares its printers)."""
    import test_trace_golden as tg
    p, t = tg.build(pyts, "scripted_gate"), tg.build(torch, "scripted_gate")
    for what in ("graph", "inlined_graph"):
        assert tg.loose(str(getattr(p, what))) == tg.loose(str(getattr(t, what))), what
