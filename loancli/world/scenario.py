"""Scenario files: how the outside world behaves, as data a support person can read.

A scenario is YAML::

    name: frozen-card
    description: The bound card is frozen, so the money cannot arrive.
    expect: {status: stopped, stopped_at: disbursement, reason: card_frozen}
    clock: 2026-03-02T10:00:00+08:00
    providers:
      bank: {card_status: frozen}

Besides ``providers`` (how the outside world behaves), a scenario may hold ``accounts`` (the
state the borrower's account was already in: registered with another password, trusted
devices) and ``borrower`` (answers where this borrower did something other than the happy
path, e.g. ``sms_wait: 6m``). ``borrower`` answers sit under ``--set`` and over
``--answers``, so a complaint replays with the happy-path answers.

Unknown keys and wrong types are refused with the file, the key path and the expected form.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from loancli.account.accounts import TWO_STEP_MODES
from loancli.asking import read_yaml_file
from loancli.clock import CHINA_TZ, LATEST_CLOCK, parse_clock, parse_duration
from loancli.errors import UsageError, quoted
from loancli.i18n import _
from loancli.loan.products import load_products
from loancli.questions import QUESTIONS
from loancli.reasons import Reason
from loancli.validation import MAX_MONEY, Range, check_money, file_kind
from loancli.world.presets import preset_problem
from loancli.world.providers import WorldSettings
from loancli.world.providers.bank import CARD_STATUSES
from loancli.world.providers.faults import Fault, parse_fault
from loancli.world.providers.liveness import RESULTS
from loancli.world.providers.ocr import OUTCOMES
from loancli.world.providers.review import DECISIONS

BUILTIN_DIR = Path(__file__).parents[1] / "data" / "scenarios"


def _choices() -> dict[str, tuple[str, ...]]:
    """Values a setting may take, where it is a closed set (each defined by its provider)."""
    return {
        "ocr.outcomes": OUTCOMES,
        "liveness.results": RESULTS,
        "review.decision": DECISIONS,
        "bank.card_status": CARD_STATUSES,
    }


@dataclass
class Scenario:
    name: str
    description: str = ""
    expect: dict[str, Any] = field(default_factory=dict)
    clock: datetime | None = None
    world: WorldSettings = field(default_factory=WorldSettings)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    borrower: dict[str, Any] = field(default_factory=dict)
    source: str = "built-in default"
    # The command the scenario reproduces, when it is not ``apply``
    # (e.g. [account, change-phone]); run with the flow's answers file under fixtures/answers.
    command: list[str] = field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        """Where relative paths in the scenario's borrower answers start."""
        path = Path(self.source)
        try:
            return path.resolve().parent if file_kind(path) == "file" else Path.cwd()
        except ValueError:
            return Path.cwd()


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def load_scenario(name_or_path: str | None) -> Scenario:
    """A built-in scenario by name, or a YAML file by path; None is the default world."""
    if not name_or_path:
        return Scenario("default")
    path = Path(name_or_path)
    try:
        kind = file_kind(path)
    except ValueError as exc:
        raise UsageError(
            _("{value0}: {exc}").format(value0=quoted(name_or_path), exc=exc), key="--scenario"
        ) from None
    if not path.suffix and kind == "missing":
        names = builtin_names()
        if name_or_path not in names:
            near = difflib.get_close_matches(name_or_path, names, n=1)
            hint = (
                _("did you mean {name}?").format(name=near[0])
                if near
                else _("see loancli scenario list")
            )
            raise UsageError(
                _("no built-in scenario {value0}; {hint}").format(
                    value0=quoted(name_or_path), hint=hint
                ),
                key="--scenario",
            )
        path = BUILTIN_DIR / f"{name_or_path}.yaml"
    return parse_scenario_file(path)


def parse_scenario_file(path: Path) -> Scenario:
    where = str(path)
    data = read_yaml_file(path, "scenario file", key="--scenario", typed=True)
    return scenario_from_dict(data if data is not None else {}, where, default_name=path.stem)


class ScenarioProblem(UsageError):
    """One thing wrong in a scenario file, at a key path."""

    def __init__(self, where: str, key_path: str, message: str) -> None:
        self.key_path = key_path
        self.text = f"{key_path}: {message}"
        self.message = f"{where}: {self.text}"
        super().__init__(self.message, key="--scenario")


class ScenarioInvalid(UsageError):
    """Every problem a scenario file has, found in one reading."""

    def __init__(self, where: str, problems: list[ScenarioProblem]) -> None:
        self.problems = problems
        if len(problems) == 1:
            message = problems[0].message
        else:
            lines = "".join(f"\n  {p.text}" for p in problems)
            message = _("{where}: {count} problems:{lines}").format(
                where=where, count=len(problems), lines=lines
            )
        super().__init__(message, key="--scenario")


_error = ScenarioProblem


class _Problems:
    """Collects problems so that one reading reports them all (``scenario validate``)."""

    def __init__(self) -> None:
        self.found: list[ScenarioProblem] = []

    @contextmanager
    def collect(self) -> Iterator[None]:
        try:
            yield
        except ScenarioProblem as problem:
            self.found.append(problem)


SCENARIO_KEYS = (
    "name",
    "description",
    "expect",
    "clock",
    "providers",
    "accounts",
    "borrower",
    "command",
    "products",
)


def scenario_from_dict(data: Any, where: str, default_name: str = "scenario") -> Scenario:
    """A scenario from its parsed YAML; ``where`` (the file) names it in every error, and
    every problem in the file is reported at once (:class:`ScenarioInvalid`)."""
    if not isinstance(data, dict):
        raise ScenarioInvalid(
            where,
            [
                _error(
                    where, "(top level)", _("expected a mapping with name, description, providers")
                )
            ],
        )
    problems = _Problems()
    for key in data:
        if key not in SCENARIO_KEYS:
            with problems.collect():
                raise _error(
                    where,
                    str(key),
                    _("unknown key; expected one of {value0}").format(
                        value0=", ".join(sorted(SCENARIO_KEYS))
                    ),
                )
    world = _world(data.get("providers", {}) or {}, where, problems)
    with problems.collect():
        world.products = _products(data.get("products") or {}, where)
    accounts = _accounts(data.get("accounts", []) or [], where, problems)
    scenario = Scenario(str(data.get("name", default_name)), world=world, source=where)
    with problems.collect():
        scenario.description = _text(data.get("description", ""), where, "description")
    with problems.collect():
        scenario.expect = _expect(data.get("expect", {}) or {}, where)
    if "clock" in data:
        with problems.collect():
            scenario.clock = _clock(data["clock"], where)
    with problems.collect():
        scenario.borrower = _borrower(data.get("borrower", {}) or {}, where)
    with problems.collect():
        scenario.command = _command(data.get("command", []) or [], where)
    if problems.found:
        raise ScenarioInvalid(where, problems.found)
    # An account the scenario seeds was registered on the scenario's phone, unless it lists
    # the devices it trusts.
    for account in accounts:
        account.setdefault("trusted_devices", [world.device.model])
    scenario.accounts = accounts
    return scenario


def _text(value: Any, where: str, path: str) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _error(where, path, _("expected text"))
    return str(value)


def _command(command: Any, where: str) -> list[str]:
    if not isinstance(command, list) or not all(
        isinstance(w, str | int | float) and not isinstance(w, bool) for w in command
    ):
        raise _error(where, "command", _("expected a list of words, e.g. [account, change-phone]"))
    return [str(w) for w in command]


def _expect(expect: Any, where: str) -> dict[str, Any]:
    if not isinstance(expect, dict):
        raise _error(
            where, "expect", _("expected a mapping such as {status: stopped, reason: card_frozen}")
        )
    for key in expect:
        if key not in ("status", "stopped_at", "reason"):
            raise _error(
                where, f"expect.{key}", _("unknown key; expected status, stopped_at, reason")
            )
    for key, value in expect.items():
        if not isinstance(value, str):
            raise _error(
                where,
                f"expect.{key}",
                _("expected one word, not {value0}").format(value0=type(value).__name__),
            )
    if "status" in expect and expect["status"] not in ("completed", "stopped"):
        raise _error(
            where,
            "expect.status",
            _("{value0!r} is not one of completed, stopped").format(value0=expect["status"]),
        )
    if "reason" in expect and expect["reason"] not in {r.value for r in Reason}:
        raise _error(
            where,
            "expect.reason",
            _("{value0!r} is not a reason code; see the README's reason codes").format(
                value0=expect["reason"]
            ),
        )
    return expect


def _borrower(borrower: Any, where: str) -> dict[str, Any]:
    if not isinstance(borrower, dict):
        raise _error(where, "borrower", _("expected a mapping of answer key: answer"))
    for key in borrower:
        if key not in QUESTIONS:
            raise _error(
                where, f"borrower.{key}", _("not an answer key; see the README's answer keys")
            )
    return borrower


def _clock(raw: Any, where: str) -> datetime:
    try:
        clock = raw if isinstance(raw, datetime) else parse_clock(str(raw))
    except ValueError as exc:
        raise _error(where, "clock", str(exc)) from None
    clock = clock if clock.tzinfo is not None else clock.replace(tzinfo=CHINA_TZ)
    if clock > LATEST_CLOCK:
        raise _error(
            where,
            "clock",
            _("{value0} is after {value1}").format(
                value0=clock.isoformat(), value1=LATEST_CLOCK.date()
            ),
        )
    return clock


def _world(providers: Any, where: str, problems: _Problems) -> WorldSettings:
    world = WorldSettings()
    if not isinstance(providers, dict):
        with problems.collect():
            raise _error(where, "providers", _("expected a mapping of provider name to settings"))
        return world
    names = [f.name for f in dataclasses.fields(world) if f.name != "products"]
    for name, settings in providers.items():
        with problems.collect():
            if name not in names:
                raise _error(
                    where,
                    f"providers.{name}",
                    _("unknown provider; expected one of {value0}").format(value0=", ".join(names)),
                )
            if not isinstance(settings, dict):
                raise _error(where, f"providers.{name}", _("expected a mapping of setting: value"))
        if name in names and isinstance(settings, dict):
            _apply(getattr(world, name), settings, where, f"providers.{name}", name, problems)
    return world


def _products(overrides: Any, where: str) -> dict[str, Any]:
    """Product settings the scenario changes (``products: {cash_loan: {apr_cap: 15}}``)."""
    if not isinstance(overrides, dict):
        raise _error(where, "products", _("expected a mapping of product key to settings"))
    try:
        load_products(overrides=overrides)
    except ValueError as exc:
        text = str(exc).removeprefix("products: ")
        raise _error(where, "products", text) from None
    return overrides


ACCOUNT_KEYS = {
    "phone": str,
    "password": str,
    "trusted_devices": list,
    "two_step": str,
    "wrong_passwords": int,
    "face_locked": bool,
    # Their contents are checked by accounts.preset_problem
    "identity": dict,
    "cards": list,
    "contacts": list,
    "recent_checkouts": int,
    "frozen": bool,
}
# The last login's city (unusual-login warning), a lock in force.
ACCOUNT_KEYS.update({"last_city": str, "locked": bool})


def _accounts(items: Any, where: str, problems: _Problems) -> list[dict[str, Any]]:
    """Accounts that exist before the run (the borrower registered earlier)."""
    out: list[dict[str, Any]] = []
    with problems.collect():
        if not isinstance(items, list):
            raise _error(where, "accounts", _("expected a list of {phone, password, ...}"))
        for i, item in enumerate(items):
            with problems.collect():
                out.append(_account(item, f"accounts[{i}]", where, problems))
    return out


def _account(item: Any, path: str, where: str, problems: _Problems) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _error(where, path, _("expected a mapping with phone and password"))
    for key, value in item.items():
        with problems.collect():
            if key not in ACCOUNT_KEYS:
                raise _error(
                    where,
                    f"{path}.{key}",
                    _("unknown key; expected {value0}").format(
                        value0=", ".join(sorted(ACCOUNT_KEYS))
                    ),
                )
            expected = ACCOUNT_KEYS[key]
            if key == "phone":
                value = str(value)
            if not isinstance(value, expected) or isinstance(value, bool) and expected is int:
                raise _error(
                    where, f"{path}.{key}", _("expected {value0}").format(value0=expected.__name__)
                )

            problem = preset_problem(key, value)
            if problem:
                raise _error(where, f"{path}.{key}", problem)
            if key == "two_step" and value not in _two_step_modes():
                raise _error(
                    where,
                    f"{path}.{key}",
                    _("{value!r} is not one of {value0}").format(
                        value=value, value0=", ".join(_two_step_modes())
                    ),
                )
    if "phone" not in item or "password" not in item:
        raise _error(where, path, _("an account needs phone and password"))
    return {**item, "phone": str(item["phone"])}


def _two_step_modes() -> tuple[str, ...]:
    return TWO_STEP_MODES


def _apply(
    target: Any,
    settings: dict[str, Any],
    where: str,
    prefix: str,
    provider: str,
    problems: _Problems,
) -> None:
    hints = typing.get_type_hints(type(target), include_extras=True)
    for key, value in settings.items():
        with problems.collect():
            path = f"{prefix}.{key}"
            if key not in hints:
                known = ", ".join(sorted(hints))
                raise _error(
                    where,
                    path,
                    _("unknown setting; {provider} has {known}").format(
                        provider=provider, known=known
                    ),
                )
            hint, allowed = _unwrap(hints[key])
            converted = _convert(value, hint, where, path)
            if allowed is not None:
                problem = allowed.problem(converted)
                if problem:
                    raise _error(where, path, problem)
            choices = _choices().get(f"{provider}.{key}")
            if choices:
                items = converted if isinstance(converted, list) else [converted]
                for item in items:
                    if item not in choices:
                        raise _error(
                            where,
                            path,
                            _("{item!r} is not one of {value0}").format(
                                item=item, value0=", ".join(choices)
                            ),
                        )
            setattr(target, key, converted)


def _unwrap(hint: Any) -> tuple[Any, Range | None]:
    """``Annotated[int, Range(4, 8)]`` -> (int, Range(4, 8)); a plain hint -> (hint, None)."""
    if typing.get_origin(hint) is typing.Annotated:
        base, *extras = typing.get_args(hint)
        ranges = [e for e in extras if isinstance(e, Range)]
        return base, ranges[0] if ranges else None
    return hint, None


def _convert(value: Any, hint: Any, where: str, path: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is list:
        (item_type,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise _error(
                where,
                path,
                _("expected a list, e.g. [{value0}]").format(value0=_example(item_type)),
            )
        return [_convert(v, item_type, where, f"{path}[{i}]") for i, v in enumerate(value)]
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _convert(value, args[0], where, path)
    if hint is bool:
        if not isinstance(value, bool):
            raise _error(where, path, _("expected true or false"))
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _error(where, path, _("expected a whole number"))
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _error(where, path, _("expected a number such as 0.8"))
        if not math.isfinite(value):
            raise _error(where, path, _("{value!r} is not a finite number").format(value=value))
        return float(value)
    if hint is Decimal:
        # YAML reads 1.0e+400 as infinity and 20_000 as 20000: both are refused or kept as
        # the number they are; an amount has at most two decimal places.
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _error(where, path, _("expected an amount such as 20000"))
        if isinstance(value, float) and not math.isfinite(value):
            raise _error(
                where,
                path,
                _("{value!r} is too large; expected an amount such as 20000").format(value=value),
            )
        try:
            return check_money(
                repr(value) if isinstance(value, float) else value, minimum=-MAX_MONEY
            )
        except ValueError as exc:
            raise _error(where, path, str(exc)) from None

    if hint is Fault:
        try:
            return parse_fault(value)
        except ValueError as exc:
            raise _error(where, path, str(exc)) from None
    if hint is timedelta:
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise _error(where, path, str(exc)) from None
    if hint is str:
        if not isinstance(value, str):
            raise _error(where, path, _("expected text"))
        return value
    raise _error(where, path, _("unsupported setting type {hint}").format(hint=hint))


def _example(item_type: Any) -> str:
    return {str: "a, b", int: "1, 2", float: "0.5, 0.9"}.get(item_type, "...")


COMPLAINTS_FILE = Path(__file__).parents[1] / "data" / "complaints.yaml"


@dataclass(frozen=True)
class Match:
    scenario: Scenario
    why: str


def command_of(scenario: Scenario) -> list[str]:
    """The words of the command a scenario reproduces: ``apply`` unless it says otherwise."""
    return scenario.command or ["apply"]


def run_command(scenario: Scenario) -> str:
    """The command line that reproduces a built-in scenario with its flow's answers file."""
    import shlex

    words = command_of(scenario)
    answers = {"apply": "happy-path", "account": "change-phone", "checkout": "checkout"}
    file = f"fixtures/answers/{answers.get(words[0], words[0])}.yaml"
    return shlex.join(
        ["loancli", "--scenario", scenario.name, "--no-input", *words, "--answers", file]
    )


def find_scenarios(words: str) -> list[Match]:
    """The built-in scenarios for a complaint (Chinese or English, as a borrower says it), a
    reason code, a step or a name, best first."""
    import yaml

    query = " ".join(words.split()).lower()
    scenarios = {name: load_scenario(name) for name in builtin_names()}
    table = yaml.safe_load(COMPLAINTS_FILE.read_text(encoding="utf-8"))
    found: dict[str, tuple[int, str]] = {}

    def add(name: str, score: int, why: str) -> None:
        if name in scenarios and found.get(name, (0, ""))[0] < score:
            found[name] = (score, why)

    for name, s in scenarios.items():
        if query == name:
            add(name, 100, _("its name"))
        if query and query == s.expect.get("reason"):
            add(name, 90, _("it stops with {reason}").format(reason=query))
        if query and query == s.expect.get("stopped_at"):
            add(name, 80, _("it stops at the step {step}").format(step=query))
    for entry in table:
        phrases = [str(p).lower() for p in entry.get("words", [])]
        hit = next((p for p in phrases if p and (p in query or query in p)), None)
        if hit is None:
            continue
        for name, s in scenarios.items():
            if s.expect.get("reason") in entry.get("reasons", []):
                stops = _("it stops with {reason}").format(reason=s.expect["reason"])
                add(name, 70, f"“{hit}”: {stops}")
            if name in entry.get("scenarios", []):
                add(name, 60, f"“{hit}”")
    if not found and query:
        tokens = [t for t in query.replace("-", " ").split() if len(t) > 2]
        for name, s in scenarios.items():
            text = f"{name} {s.description}".lower()
            if tokens and all(t in text for t in tokens):
                add(name, 10, _("its description"))
    ranked = sorted(found.items(), key=lambda item: (-item[1][0], item[0]))
    return [Match(scenarios[name], why) for name, (_score, why) in ranked]


def check_command(scenario: Scenario, command: str) -> None:
    """Refuse a scenario written for another command (``apply --scenario phone-taken``), with
    the command it is for."""
    words = command_of(scenario)
    options = [i for i, w in enumerate(words) if w.startswith("-")]
    wanted = words[: options[0]] if options else words
    if scenario.command and command.split() != wanted:
        raise UsageError(
            _("the scenario {value0} reproduces `{value1}`, not `{command}`; run: {value2}").format(
                value0=scenario.name,
                value1=" ".join(wanted),
                command=command,
                value2=run_command(scenario),
            ),
            key="--scenario",
        )
