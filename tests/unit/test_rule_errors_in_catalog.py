"""Every ``RuleError`` the library raises speaks the borrower's language: its message is a
sentence of the catalog with a Chinese translation, never a bare English string.

The source is read with ``ast``: each ``RuleError(field, message)`` (and each
``super().__init__(field, message)`` of a ``RuleError`` subclass) must pass a message that is
``_("...")`` (or ``_("...").format(...)``), or a name bound to one in the same function, or
``str(exc)`` of an exception it caught (a lower layer's rule, worded there, named here by the
field). The ``_("...")`` sentences are then looked up in the zh_CN catalog.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import loancli

PACKAGE_DIR = Path(loancli.__file__).parent
CATALOG = PACKAGE_DIR / "locale" / "zh_CN" / "LC_MESSAGES" / "loancli.po"
# The packages whose refusals are checked.
PACKAGES = ("journey",)


@dataclass(frozen=True)
class Raised:
    """One RuleError in the source: where, and its message's catalog sentence (None when the
    message is another exception's text it wraps)."""

    where: str
    msgid: str | None


def _gettext_literal(node: ast.expr) -> str | None:
    """The sentence of ``_("...")`` or ``_("...").format(...)``, else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        node = node.func.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


class _Finder(ast.NodeVisitor):
    def __init__(self, path: Path, rule_classes: set[str]) -> None:
        self.path = path
        self.rule_classes = rule_classes
        self.found: list[Raised] = []
        self.problems: list[str] = []
        # What is in scope while visiting: caught exception names, names bound to _("...").
        self._caught: list[str] = []
        self._sentences: list[dict[str, str]] = [{}]
        self._class: list[str] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:  # noqa: N802 - ast's visitor names
        self._class.append(node.name)
        self.generic_visit(node)
        self._class.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:  # noqa: N802
        self._sentences.append({})
        self.generic_visit(node)
        self._sentences.pop()

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:  # noqa: N802
        if node.name:
            self._caught.append(node.name)
        self.generic_visit(node)
        if node.name:
            self._caught.pop()

    def visit_Assign(self, node: ast.Assign) -> None:  # noqa: N802
        sentence = _gettext_literal(node.value)
        if sentence is not None:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self._sentences[-1][target.id] = sentence
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:  # noqa: N802
        if self._is_rule_error(node):
            where = f"{self.path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}"
            message = node.args[1] if len(node.args) > 1 else None
            if message is None:
                self.problems.append(f"{where}: no message argument")
            else:
                self._check(where, message)
        self.generic_visit(node)

    def _is_rule_error(self, node: ast.Call) -> bool:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "RuleError":
            return True
        # super().__init__(field, message) inside a RuleError subclass.
        return (
            bool(self._class)
            and self._class[-1] in self.rule_classes
            and isinstance(func, ast.Attribute)
            and func.attr == "__init__"
            and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name)
            and func.value.func.id == "super"
        )

    def _check(self, where: str, message: ast.expr) -> None:
        sentence = _gettext_literal(message)
        if sentence is None and isinstance(message, ast.Name):
            sentence = self._sentences[-1].get(message.id)
        if sentence is not None:
            self.found.append(Raised(where, sentence))
            return
        wrapped = (
            isinstance(message, ast.Call)
            and isinstance(message.func, ast.Name)
            and message.func.id == "str"
            and len(message.args) == 1
            and isinstance(message.args[0], ast.Name)
            and message.args[0].id in self._caught
        )
        if wrapped:
            self.found.append(Raised(where, None))
            return
        self.problems.append(
            f"{where}: the message is not a catalog sentence: {ast.unparse(message)}"
        )


def _rule_classes(trees: list[ast.Module]) -> set[str]:
    """The RuleError subclasses defined in the scanned sources."""
    names = {"RuleError"}
    changed = True
    while changed:
        changed = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                    if bases & names:
                        names.add(node.name)
                        changed = True
    return names - {"RuleError"}


def _scan(package: str) -> tuple[list[Raised], list[str]]:
    paths = sorted((PACKAGE_DIR / package).rglob("*.py"))
    trees = [ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in paths]
    classes = _rule_classes(trees)
    found: list[Raised] = []
    problems: list[str] = []
    for path, tree in zip(paths, trees, strict=True):
        finder = _Finder(path, classes)
        finder.visit(tree)
        found += finder.found
        problems += finder.problems
    return found, problems


def _translations() -> dict[str, str]:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    return {str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.id, str)}


def _sentences(package: str) -> Iterator[Raised]:
    found, _problems = _scan(package)
    return (r for r in found if r.msgid is not None)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_rule_error_message_is_a_catalog_sentence(package: str) -> None:
    found, problems = _scan(package)
    assert found, f"no RuleError found in loancli/{package}: the scan is broken"
    assert problems == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_rule_error_sentence_has_a_chinese_translation(package: str) -> None:
    translations = _translations()
    missing = [
        f"{r.where}: {r.msgid!r}"
        for r in _sentences(package)
        if not translations.get(r.msgid or "")
    ]
    assert missing == []


def test_the_scan_sees_the_forms_it_allows_and_refuses_the_others(tmp_path: Path) -> None:
    source = """
class Ahead(RuleError):
    def __init__(self, step):
        super().__init__("step", _("{step} is ahead").format(step=step))

def f(x):
    why = _("a sentence")
    try:
        g(x)
    except ValueError as exc:
        raise RuleError("amount", str(exc)) from None
    if x:
        raise RuleError("term", why)
    raise RuleError("price", f"English {x}")
"""
    path = PACKAGE_DIR / "journey" / "example.py"
    tree = ast.parse(source)
    finder = _Finder(path, _rule_classes([tree]))
    finder.visit(tree)
    assert [r.msgid for r in finder.found] == ["{step} is ahead", None, "a sentence"]
    assert len(finder.problems) == 1 and "English" in finder.problems[0]
