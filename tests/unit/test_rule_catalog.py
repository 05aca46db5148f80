"""Every ``RuleError`` the library raises says its message through the catalog: the message is
``_("...")`` (or ``_("...").format(...)``), a variable set to one, or the text of an exception
caught just before (``str(exc)``, said by the parser that raised it), and the catalog has its
Chinese. Found by reading the source, so a refusal no test triggers is held to it too."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "loancli"
CATALOG = LIBRARY / "locale" / "zh_CN" / "LC_MESSAGES" / "loancli.po"
# The packages held to it (their refusals are RuleErrors, or subclasses of it).
PACKAGES = ("loan", "identity", "account", "journey")


@dataclass(frozen=True)
class Raised:
    """One ``RuleError(...)`` (or subclass) call: where, and the catalog ids its message says
    (None: a message that is not through the catalog)."""

    where: str
    ids: tuple[str, ...] | None


def _trees(paths: list[Path]) -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in paths}


def _marked_constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level ``NAME = N_("...")`` across the library: a message kept as a constant."""
    found = {}
    for tree in trees.values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, text = node.targets[0], _marked(node.value)
                if isinstance(target, ast.Name) and text is not None:
                    found[target.id] = text
    return found


def _marked(node: ast.expr) -> str | None:
    """The text of ``_("...")`` or ``N_("...")``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("_", "N_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _rule_classes(trees: dict[Path, ast.Module]) -> dict[str, int | None]:
    """RuleError and its subclasses in ``trees``, each with the position of the
    message among its call's arguments (None: the class says its own message in its
    ``__init__``, checked there by :func:`_own_messages`)."""
    classes: dict[str, int | None] = {"RuleError": 1}
    # The class statements, found in one walk; the passes below go over them only.
    defined = [n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.ClassDef)]
    changed = True
    while changed:
        changed = False
        for node in defined:
            if node.name not in classes:
                parents = [b.id for b in node.bases if isinstance(b, ast.Name) and b.id in classes]
                if parents:
                    classes[node.name] = _message_position(node, classes[parents[-1]])
                    changed = True
    return classes


def _init_of(cls: ast.ClassDef) -> ast.FunctionDef | None:
    return next(
        (n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None
    )


def _super_inits(init: ast.FunctionDef, inherited: int) -> Iterator[ast.Call]:
    """The ``....__init__(...)`` calls of ``init`` that pass a message at ``inherited``."""
    for node in ast.walk(init):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "__init__"
            and len(node.args) > inherited
        ):
            yield node


def _message_position(cls: ast.ClassDef, inherited: int | None) -> int | None:
    """Which of a subclass's own arguments it passes on as the message; None when its
    ``__init__`` passes on a message of its own making."""
    init = _init_of(cls)
    if init is None:
        return inherited
    position = 1 if inherited is None else inherited
    params = [a.arg for a in init.args.args[1:]]
    calls = list(_super_inits(init, position))
    for node in calls:
        message = node.args[position]
        if isinstance(message, ast.Name) and message.id in params:
            return params.index(message.id)
    if calls:
        return None
    raise AssertionError(f"{cls.name}.__init__ passes no parameter on as the message")


def _own_messages(
    path: Path, tree: ast.Module, classes: dict[str, int | None], constants: dict[str, str]
) -> Iterator[Raised]:
    """The messages the classes that say their own (position None) pass on in ``__init__``."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or classes.get(node.name, 0) is not None:
            continue
        init = _init_of(node)
        if init is None:  # inherits the message of a parent that says its own
            continue
        parents = [b.id for b in node.bases if isinstance(b, ast.Name) and b.id in classes]
        inherited = classes[parents[-1]]
        position = 1 if inherited is None else inherited
        for call in _super_inits(init, position):
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            yield Raised(where, _ids(call.args[position], init, constants, tree))


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _ids(
    expr: ast.expr, function: ast.AST, constants: dict[str, str], module: ast.Module
) -> tuple[str, ...] | None:
    """The catalog ids ``expr`` says; () for an exception's own text; None when it is not
    through the catalog. A call of a function of the same module says what it returns."""
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
    ):
        expr = expr.func.value
    text = _marked(expr)
    if text is not None:
        return (text,)
    if isinstance(expr, ast.Name):
        values = [
            node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and node.value is not None
            and any(
                isinstance(t, ast.Name) and t.id == expr.id
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
        ]
        return _all(values, function, constants, module) if values else None
    if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Name):
        return None
    if expr.func.id == "_" and len(expr.args) == 1 and isinstance(expr.args[0], ast.Name):
        name = expr.args[0].id
        return (constants[name],) if name in constants else None
    if expr.func.id == "str" and len(expr.args) == 1 and isinstance(expr.args[0], ast.Name):
        caught = {h.name for h in ast.walk(function) if isinstance(h, ast.ExceptHandler)}
        return () if expr.args[0].id in caught else None
    called = next(
        (n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == expr.func.id),
        None,
    )
    if called is None or called is function:
        return None
    returned = [
        node.value
        for node in ast.walk(called)
        if isinstance(node, ast.Return)
        and node.value is not None
        and not (isinstance(node.value, ast.Constant) and node.value.value is None)
    ]
    return _all(returned, called, constants, module)


def _all(
    exprs: list[ast.expr], function: ast.AST, constants: dict[str, str], module: ast.Module
) -> tuple[str, ...] | None:
    found: list[str] = []
    for expr in exprs:
        ids = _ids(expr, function, constants, module)
        if ids is None:
            return None
        found += ids
    return tuple(found)


def raised(packages: tuple[str, ...] = PACKAGES) -> list[Raised]:
    """Every RuleError call in ``packages``, with the ids its message says."""
    library = _trees(sorted(LIBRARY.rglob("*.py")))
    scanned = {p: t for p, t in library.items() if p.relative_to(LIBRARY).parts[0] in packages}
    constants = _marked_constants(library)
    # The RuleError subclasses of the whole library (errors.NotFound is one): a scanned
    # package's refusal may be one of them.
    classes = _rule_classes(library)
    out = []
    for path, tree in scanned.items():
        for function in _functions(tree):
            for node in ast.walk(function):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in classes
                ):
                    continue
                position = classes[node.func.id]
                if position is None:  # the class's own message, found by _own_messages
                    continue
                message = next((k.value for k in node.keywords if k.arg == "message"), None)
                if message is None and len(node.args) > position:
                    message = node.args[position]
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                ids = None if message is None else _ids(message, function, constants, tree)
                out.append(Raised(where, ids))
        out.extend(_own_messages(path, tree, classes, constants))
    return out


@functools.cache
def translations() -> dict[str, str]:
    with CATALOG.open("rb") as file:
        catalog = read_po(file)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


@functools.cache
def all_raised() -> list[Raised]:
    """The scan, once per process, when a test first asks (not while tests are collected: each
    worker would read the whole library)."""
    return raised()


def test_the_scan_finds_the_refusals() -> None:
    found = all_raised()
    assert len(found) > 20
    assert any("servicing.py" in r.where for r in found)
    assert any("card.py" in r.where for r in found)


def test_every_rule_error_message_is_in_the_catalog_with_chinese() -> None:
    chinese = translations()
    problems = []
    for site in all_raised():
        if site.ids is None:
            problems.append(f"{site.where}: the message is not _(...) through the catalog")
            continue
        problems += [
            f"{site.where}: {msgid!r} has no Chinese in the catalog"
            for msgid in site.ids
            if msgid not in chinese
        ]
    assert not problems, "\n".join(problems)


def test_a_message_not_through_the_catalog_is_found(tmp_path: Path) -> None:
    source = (
        "def f(x):\n"
        "    raise RuleError('amount', f'{x} is wrong')\n"
        "def g(x):\n"
        "    raise RuleError('amount', _('{x} is fine').format(x=x))\n"
    )
    tree = ast.parse(source)
    functions = list(_functions(tree))
    calls = [n for f in functions for n in ast.walk(f) if isinstance(n, ast.Call)]
    rule_calls = [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "RuleError"]
    assert _ids(rule_calls[0].args[1], functions[0], {}, tree) is None
    assert _ids(rule_calls[1].args[1], functions[1], {}, tree) == ("{x} is fine",)


def test_a_class_that_says_its_own_message_is_checked_in_its_init() -> None:
    source = (
        "class Late(RuleError):\n"
        "    def __init__(self, step):\n"
        "        super().__init__('step', f'{step} comes later')\n"
        "class Early(RuleError):\n"
        "    def __init__(self, step):\n"
        "        super().__init__('step', _('{step} came first').format(step=step))\n"
        "def f():\n"
        "    raise Late('x')\n"
    )
    path = ROOT / "loancli" / "example.py"
    tree = ast.parse(source)
    classes = _rule_classes({path: tree})
    assert classes["Late"] is None and classes["Early"] is None
    own = list(_own_messages(path, tree, classes, {}))
    assert [r.ids for r in own] == [None, ("{step} came first",)]
