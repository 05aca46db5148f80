"""``cli/`` parses, calls the library once and renders: it writes no record, opens no state
file itself, imports loancli's modules at the top of each file (the lazy command table keeps
``--help`` light), and no module of loancli takes part in an import circle."""

from __future__ import annotations

import ast

import grimp
import pytest
from conftest import ROOT

from loancli.cli.common import options_for
from loancli.errors import InvalidAnswer, NotFound, RuleError

CLI = ROOT / "loancli" / "cli"
# The repository's write calls (and the commit unit they run in).
STORE_WRITES = {
    "insert",
    "update",
    "upsert",
    "remove",
    "remove_ids",
    "meta_set",
    "next_id",
    "transaction",
    "restore",
}
# What opens a state file: only loancli.api (its operations) and loancli.stories.tickets do, for
# the CLI.
OPENERS = ("loancli.store", "loancli.journey.session")


def _modules() -> list[tuple[str, ast.Module]]:
    return [(path.name, ast.parse(path.read_text(encoding="utf-8"))) for path in CLI.glob("*.py")]


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return []


def test_cli_calls_no_store_write() -> None:
    found = [
        f"{name}:{node.lineno} .{node.func.attr}()"
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in STORE_WRITES
    ]
    assert not found, f"cli/ writes records itself: {found}"


def test_cli_opens_no_state_file_itself() -> None:
    found = [
        f"{name}:{node.lineno} {module}"
        for name, tree in _modules()
        for node in ast.walk(tree)
        for module in _imported(node)
        if any(module == m or module.startswith(m + ".") for m in OPENERS)
        or (isinstance(node, ast.ImportFrom) and any(a.name == "open_world" for a in node.names))
    ]
    assert not found, f"cli/ opens a state file without loancli.api: {found}"


def test_cli_imports_loancli_at_the_top_of_each_file() -> None:
    found = [
        f"{name}:{inner.lineno} {module}"
        for name, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for inner in ast.walk(node)
        for module in _imported(inner)
        if module == "loancli" or module.startswith("loancli.")
    ]
    assert not found, f"own-module imports inside functions: {found}"


def test_no_module_of_loancli_is_in_an_import_circle() -> None:
    graph = grimp.build_graph("loancli", include_external_packages=False)
    circles = [
        (module, other)
        for module in graph.modules
        for other in graph.find_modules_directly_imported_by(module)
        if module != other and graph.chain_exists(importer=other, imported=module)
    ]
    assert not circles, f"import circles through: {sorted(circles)[:5]}"


def test_a_field_becomes_the_option_typed_and_the_error_keeps_its_kind() -> None:
    with pytest.raises(NotFound) as renamed, options_for({"phone": "PHONE"}):
        raise NotFound("no account with the number 138****8000", key="phone")
    assert renamed.value.key == "PHONE"
    assert str(renamed.value) == "PHONE: no account with the number 138****8000"
    with pytest.raises(RuleError) as rule, options_for({"month": "--month"}):
        raise RuleError("month", "'2026-13' is not a month; write YYYY-MM")
    assert str(rule.value) == "--month: '2026-13' is not a month; write YYYY-MM"


def test_a_field_not_mapped_is_left_as_the_library_named_it() -> None:
    refused = InvalidAnswer("amount", "99", "below the minimum")
    refused.stopped = ("A0001", "loan_selection", None)
    with pytest.raises(InvalidAnswer) as kept, options_for({"phone": "PHONE"}):
        raise refused
    assert kept.value.key == "amount" and kept.value.stopped == ("A0001", "loan_selection", None)
