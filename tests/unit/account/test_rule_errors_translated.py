"""Every refusal the account layer raises as a ``RuleError`` names a domain field (never a
command-line option) and says it in a sentence of the catalog, translated into Chinese.

The source is read with ``ast``: each ``raise X(...)`` whose ``X`` is ``RuleError`` or one of
its subclasses (looked up in the module), its field the first argument, its sentences the
``_("...")`` calls among its arguments.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import ROOT

from loancli.errors import RuleError

PACKAGES = ("account",)
PO = ROOT / "loancli" / "locale" / "zh_CN" / "LC_MESSAGES" / "loancli.po"


def _modules() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (ROOT / "loancli" / package).rglob("*.py")
    )


def _raised_rule_errors(path: Path) -> list[tuple[int, ast.Call]]:
    """The ``raise RuleError(...)`` (or a subclass) calls in the module at ``path``."""
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    module = vars(importlib.import_module(name))
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
            continue
        func = node.exc.func
        kind = module.get(func.id) if isinstance(func, ast.Name) else None
        if isinstance(kind, type) and issubclass(kind, RuleError):
            found.append((node.lineno, node.exc))
    return found


def _sentences(call: ast.Call) -> list[str]:
    """The literal texts of the ``_("...")`` calls among the call's arguments."""
    args = [*call.args, *(k.value for k in call.keywords)]
    return [
        node.args[0].value
        for arg in args
        for node in ast.walk(arg)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


RAISES = [
    (f"{path.relative_to(ROOT)}:{line}", call)
    for path in _modules()
    for line, call in _raised_rule_errors(path)
]


def test_the_account_layer_raises_rule_errors() -> None:
    assert len(RAISES) >= 5  # the scan finds them (a scan that finds none checks nothing)


@pytest.mark.parametrize(("where", "call"), RAISES, ids=[where for where, _call in RAISES])
def test_a_rule_error_names_a_field_and_its_sentence_is_translated(
    where: str, call: ast.Call
) -> None:
    field = call.args[0] if call.args else None
    assert isinstance(field, ast.Constant) and isinstance(field.value, str), where
    assert field.value.isidentifier() and field.value.islower(), f"{where}: {field.value!r}"
    sentences = _sentences(call)
    assert sentences, f"{where}: the message does not go through the catalog"
    catalog = read_po(PO.open("rb"), locale="zh_CN")
    for sentence in sentences:
        message = catalog.get(sentence)
        assert message is not None, f"{where}: {sentence!r} is not in the catalog"
        assert message.string, f"{where}: {sentence!r} has no Chinese translation"
