"""Long robustness campaign for the script compiler (not part of the test suite). Seeds: every
function and class in tests/test_script*.py and tests/script/*.py. Each case mutates one seed
(delete/duplicate/swap tokens and lines, change annotations, numbers, names, indentation) or is a
random token sequence, then
  - compiles the text with the C compiler directly (_C._compile_function: only CompileError),
  - if Python accepts it: pyts.jit.script on the function / an instance of the class,
  - runs what compiled on arguments built from the annotations (runtime errors must be Python
    exceptions of the usual kinds).
Crashes, sanitizer reports and hangs (> HANG s) are reported with the case by the parent.

    python benchmarks/fuzz/compiler_campaign.py [--n 3000] [--seed 0] [--out DIR]"""
import argparse
import ast
import glob
import linecache
import os
import random
import re
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from _runner import drive  # noqa: E402


def seeds():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "script", "*.py"))):
        out.append(("func", open(path).read()))
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "test_script*.py"))):
        text = open(path).read()
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("test_"):
                seg = ast.get_source_segment(text, node, padded=True)
                if seg and len(seg) < 6000:
                    deco = "".join("@" + ast.get_source_segment(text, d) + "\n" for d in node.decorator_list
                                   if "jit" in ast.get_source_segment(text, d))
                    out.append(("class" if isinstance(node, ast.ClassDef) else "func",
                                deco + textwrap.dedent(seg)))
    return out


TYPES = ["int", "float", "bool", "str", "Tensor", "List[int]", "List[Tensor]", "Optional[int]",
         "Tuple[int, Tensor]", "Dict[str, int]", "Optional[Tensor]", "List[float]", "Any", "None",
         "torch.Tensor", "Dict[int, List[str]]", "Union[int, str]", "int | None", "Final[int]", "NoSuchType"]
NAMES = ["x", "y", "n", "i", "self", "torch", "None", "True", "len", "range", "print", "super",
         "__init__", "forward", "f", "math", "List", "int", "float", "zip", "enumerate", "isinstance"]
NUMS = ["0", "-1", "1", "2", "3.5", "1e308", "-0.0", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "0x7fffffff", "1j", "10**20", "2**63"]
POOL = ["def", "if", "else", "elif", "while", "for", "in", "return", "(", ")", "[", "]", "{", "}", ":",
        ",", ".", "=", "+=", "-", "*", "**", "//", "%", "<<", "not", "and", "or", "is", "None", "lambda",
        "yield", "with", "try:", "except", "global", "nonlocal", "del", "@", "->", ";", "...", "pass",
        "break", "continue", "raise", "assert", "class", "import", "async", "await", "f'{x}'", "'s'",
        "\n", "\n    ", "\n        ", "\t", "#", "# type: (int) -> int", "\\\n", "x[1:2:3]", "x[None, ...]",
        "[i for i in x]", "{k: v for k, v in d}", "*args", "**kw", ":=", "if x else", "torch.jit.annotate"]

TOKEN_RE = re.compile(r"\w+|[ \t]+|\n|.", re.S)


def mutate(src, rng):
    r = rng.random()
    if r < 0.25:   # line-level
        lines = src.split("\n")
        for _ in range(rng.randint(1, 3)):
            if not lines:
                break
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            op = rng.randrange(5)
            if op == 0:
                del lines[i]
            elif op == 1:
                lines.insert(i, lines[j])
            elif op == 2:
                lines[i], lines[j] = lines[j], lines[i]
            elif op == 3:   # indentation
                d = rng.choice([-8, -4, 4, 8, 1])
                lines[i] = " " * max(0, len(lines[i]) - len(lines[i].lstrip()) + d) + lines[i].lstrip()
            else:
                lines[i] = lines[i] + rng.choice([" + 1", "[0]", ".t()", " * x", "()", " if x else y"])
        return "\n".join(lines)
    toks = TOKEN_RE.findall(src)
    for _ in range(rng.randint(1, 4)):
        if not toks:
            toks = [rng.choice(POOL)]
            continue
        i = rng.randrange(len(toks))
        op = rng.randrange(8)
        if op == 0:
            del toks[i]
        elif op == 1:
            toks.insert(i, rng.choice(POOL))
        elif op == 2:
            toks.insert(i, toks[i])
        elif op == 3:
            j = rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        elif op == 4:   # a number
            nums = [k for k, t in enumerate(toks) if t.isdigit()]
            if nums:
                toks[rng.choice(nums)] = rng.choice(NUMS)
        elif op == 5:   # an annotation
            ann = [k for k, t in enumerate(toks) if t in ("int", "float", "bool", "str", "Tensor", "List",
                                                           "Dict", "Optional", "Tuple")]
            if ann:
                toks[rng.choice(ann)] = rng.choice(TYPES)
        elif op == 6:   # a name
            names = [k for k, t in enumerate(toks) if t.isidentifier()]
            if names:
                toks[rng.choice(names)] = rng.choice(NAMES + [toks[rng.choice(names)]])
        else:
            toks[i] = rng.choice(POOL)
    return "".join(toks)


CONSTS = [0, -1, 1, 2, 3.5, -0.0, 2 ** 63 - 1, 2 ** 63, -2 ** 63, 10 ** 30, 1e308, float("inf"), None, True,
          False, "s", "", (1, 2), ()]
WRAPS = ["len({})", "{}[0]", "{}[-1:]", "({}, {})", "[{}]", "-{}", "not {}", "{}.t()", "{}.shape", "int({})",
         "float({})", "{} + {}", "{} if {} else {}", "{}[None, ...]", "{}.size(0)", "str({})", "{}.tolist()",
         "[x for x in {}]", "{}.item()", "torch.cat([{}])", "{}.sum(0)", "{}[{}]", "isinstance({}, int)",
         "{} is None", "{}.dim()", "range({})", "list({})", "{}.items()", "torch.jit.annotate(List[int], {})"]


def ast_mutate(src, rng):
    """Mutations that keep the Python grammar, so the emitter (not the parser) sees them."""
    import ast
    tree = ast.parse(src)
    exprs = [n for n in ast.walk(tree) if isinstance(n, ast.expr) and not isinstance(n, (ast.expr_context,))]
    bodies = [n for n in ast.walk(tree) if hasattr(n, "body") and isinstance(n.body, list) and n.body]
    anns = [n for n in ast.walk(tree) if isinstance(n, ast.arg) and n.annotation is not None] + \
           [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.returns is not None]
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(5)
        if op == 0 and exprs:          # an expression replaced by another one of the program
            a, b = rng.choice(exprs), rng.choice(exprs)
            for f, v in ast.iter_fields(_parent_of(tree, a) or tree):
                pass
            _replace(tree, a, _copy(b), rng)
        elif op == 1:
            consts = [n for n in ast.walk(tree) if isinstance(n, ast.Constant)]
            if consts:
                rng.choice(consts).value = rng.choice(CONSTS)
        elif op == 2 and bodies:       # statements deleted, duplicated, swapped
            body = rng.choice(bodies).body
            i, j = rng.randrange(len(body)), rng.randrange(len(body))
            k = rng.randrange(3)
            if k == 0 and len(body) > 1:
                del body[i]
            elif k == 1:
                body.insert(i, _copy(body[j]))
            else:
                body[i], body[j] = body[j], body[i]
        elif op == 3 and anns:
            n = rng.choice(anns)
            t = ast.parse(rng.choice(TYPES).replace("int | None", "Optional[int]"), mode="eval").body
            if isinstance(n, ast.arg):
                n.annotation = t
            else:
                n.returns = t
        elif exprs:                    # an expression wrapped in an operation
            a = rng.choice(exprs)
            w = rng.choice(WRAPS)
            try:
                e = ast.parse(w.format(*[ast.unparse(a)] * w.count("{}")), mode="eval").body
            except SyntaxError:
                continue
            _replace(tree, a, e, rng)
    return ast.unparse(tree)


def _copy(n):
    import copy
    return copy.deepcopy(n)


def _parent_of(tree, node):
    import ast
    for p in ast.walk(tree):
        for c in ast.iter_child_nodes(p):
            if c is node:
                return p
    return None


def _replace(tree, old, new, rng):
    import ast
    p = _parent_of(tree, old)
    if p is None:
        return
    for f, v in ast.iter_fields(p):
        if v is old:
            setattr(p, f, new)
        elif isinstance(v, list):
            for k, x in enumerate(v):
                if x is old:
                    v[k] = new


def random_tokens(rng):
    return "".join(rng.choice(POOL + NAMES + NUMS + [" "] * 5) for _ in range(rng.randint(1, 60)))


# ---------------------------------------------------------------- child
def arg_for(ann, pyts):
    a = ast.unparse(ann) if ann is not None else "Tensor"
    a = a.replace("torch.", "").replace("typing.", "")
    if a.startswith("Optional["):
        a = a[9:-1]
    table = {"int": 3, "float": 1.5, "bool": True, "str": "ab", "List[int]": [1, 2], "List[float]": [0.5],
             "List[str]": ["a"], "Dict[str, int]": {"a": 1}, "Dict[str, Tensor]": {"a": pyts.ones(2)},
             "Tuple[int, int]": (1, 2), "Tuple[Tensor, Tensor]": (pyts.ones(2), pyts.ones(2))}
    if a in table:
        return table[a]
    if a.startswith("List[Tensor"):
        return [pyts.ones(2, 3), pyts.ones(2, 3)]
    return pyts.ones(2, 3)


def run_compiled(call, fn_ast, pyts):
    args = [arg_for(a.annotation, pyts) for a in fn_ast.args.args if a.arg != "self"]
    for attempt in (args, [pyts.ones(2, 3)] * len(args), args[:-1]):
        try:
            call(*attempt)
        except (TypeError, RuntimeError, IndexError, ValueError, KeyError, ZeroDivisionError,
                AssertionError, NotImplementedError, MemoryError, AttributeError, OverflowError,
                StopIteration, ArithmeticError) as e:
            if isinstance(e, (AttributeError, KeyError)) and "pyts" in str(type(e)):
                raise
        except pyts.jit.CompileError:
            pass


def child(args):
    import types
    import typing
    import warnings
    warnings.filterwarnings("ignore")
    import pyts
    import pyts.jit
    from pyts.jit._script import _Resolver
    CompileError = pyts.jit.CompileError
    g = {"torch": pyts, "pyts": pyts, "L": pyts, "nn": pyts.nn, "F": pyts.nn.functional, "Tensor": pyts.Tensor,
         "warnings": warnings, "math": __import__("math"), "np": __import__("numpy")}
    g.update({k: getattr(typing, k) for k in ("List", "Dict", "Optional", "Tuple", "Union", "Any", "Final",
                                              "NamedTuple")})
    resolver = _Resolver(types.FunctionType((lambda: 0).__code__, g))
    sd = seeds()
    prog = open(args.progress, "a", buffering=1)
    stats = {}
    for i in range(args.start, args.n if args.replay is None else args.replay + 1):
        rng = random.Random(f"{args.seed}-{i}")
        kind, src = sd[rng.randrange(len(sd))]
        r = rng.random()
        if r < 0.05:
            src = random_tokens(rng)
        elif r < 0.55 or args.ast_only:
            try:
                src = ast_mutate(src, rng)
            except (SyntaxError, RecursionError, ValueError, TypeError, AttributeError):
                src = mutate(src, rng)
        else:
            src = mutate(src, rng)
        prog.write(f"{i} {kind} {src!r}\n")
        if args.replay is not None:
            print(src)
        outcome = "?"
        try:
            if kind == "func" and not src.lstrip().startswith("@"):
                try:
                    f = pyts._C._compile_function(src, "fuzz.py", 0, resolver)
                    outcome = "c-ok"
                    try:
                        fn_ast = next(n for n in ast.parse(src).body if isinstance(n, ast.FunctionDef))
                        run_compiled(f, fn_ast, pyts)
                    except (SyntaxError, StopIteration):
                        pass
                except CompileError:
                    outcome = "c-err"
            # the Python path: the real resolver, classes, modules
            try:
                tree = ast.parse(src)
                code = compile(tree, f"<fuzz{i}>", "exec")
            except (SyntaxError, ValueError):
                stats[outcome] = stats.get(outcome, 0) + 1
                continue
            fname = f"<fuzz{i}>"
            linecache.cache[fname] = (len(src), None, src.splitlines(True), fname)
            ns = dict(g)
            try:
                exec(code, ns)
            except Exception:  # noqa: BLE001 - the mutated Python itself failed
                continue
            finally:
                pass
            for node in tree.body:
                obj = ns.get(getattr(node, "name", ""), None)
                if obj is None:
                    continue
                if isinstance(node, ast.FunctionDef):
                    try:
                        sf = pyts.jit.script(obj)
                        outcome = "py-ok"
                    except CompileError:
                        outcome = "py-err"
                        continue
                    run_compiled(sf, node, pyts)
                elif isinstance(node, ast.ClassDef) and isinstance(obj, type):
                    try:
                        inst = obj() if issubclass(obj, pyts.nn.Module) else None
                    except Exception:  # noqa: BLE001 - the class's own __init__
                        continue
                    try:
                        sm = pyts.jit.script(inst if inst is not None else obj)
                        outcome = "cls-ok"
                    except CompileError:
                        outcome = "cls-err"
                        continue
                    fwd = next((n for n in node.body if isinstance(n, ast.FunctionDef) and n.name == "forward"), None)
                    if inst is not None and fwd is not None:
                        run_compiled(sm, fwd, pyts)
            linecache.cache.pop(fname, None)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # noqa: BLE001 - anything else out of pyts is reported
            print(f"BADEXC {type(e).__name__}: {str(e)[:300]} :: {i} {kind} {src!r}"[:4000], flush=True)
        stats[outcome] = stats.get(outcome, 0) + 1
    print("STATS", stats, flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--progress")
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hang", type=float, default=10)
    ap.add_argument("--out", default=".")
    ap.add_argument("--replay", type=int)
    ap.add_argument("--ast-only", action="store_true")
    a = ap.parse_args()
    if a.replay is not None:
        a.progress, a.start = os.devnull, a.replay
        child(a)
    elif a.child:
        child(a)
    else:
        drive(os.path.abspath(__file__), ["--n", str(a.n), "--seed", str(a.seed)] + (["--ast-only"] if a.ast_only else []),
              os.path.join(a.out, "compiler_progress.txt"), a.hang)
