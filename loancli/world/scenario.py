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
``--answers``, so a complaint replays with the happy-path answers. ``complaint`` holds what
borrowers write when it happens to them (``{zh: [...], en: [...]}``); ``scenario find`` ranks
the scenarios by it.

Unknown keys and wrong types are refused with the file, the key path and the expected form.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import shlex
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from loancli.asking import answer_problem, read_yaml_file
from loancli.clock import CHINA_TZ, LATEST_CLOCK, parse_clock, parse_duration
from loancli.errors import RuleError, UsageError, quoted
from loancli.i18n import _
from loancli.loan.products import ProductProblems, load_products
from loancli.questions import QUESTIONS
from loancli.reasons import Reason
from loancli.store import MemoryState
from loancli.validation import (
    MAX_MONEY,
    NOT_UTF8,
    Check,
    OneOf,
    Range,
    check_money,
    file_kind,
    has_control,
    has_surrogate,
)
from loancli.world.presets import AccountPreset
from loancli.world.providers import ProductOverrides, WorldSettings
from loancli.world.providers.faults import Fault, parse_fault

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

BUILTIN_DIR = Path(__file__).parents[1] / "data" / "scenarios"
D = TypeVar("D", bound="DataclassInstance")


@dataclass
class Scenario:
    name: str
    description: str = ""
    # The outcome the scenario reproduces: status, stopped_at, reason (each one word).
    expect: dict[str, str] = field(default_factory=dict)
    clock: datetime | None = None
    world: WorldSettings = field(default_factory=WorldSettings)
    accounts: list[AccountPreset] = field(default_factory=list)
    # The borrower's own answers, as written: each question parses its own.
    borrower: dict[str, object] = field(default_factory=dict)
    source: str = "built-in default"
    # The command the scenario reproduces, when it is not ``apply``
    # (e.g. [account, change-phone]); run with the flow's built-in answers set.
    command: list[str] = field(default_factory=list)
    # What borrowers write when this happens to them, by language (``zh``, ``en``).
    complaint: dict[str, list[str]] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        """Where relative paths in the scenario's borrower answers start."""
        path = Path(self.source)
        try:
            return path.resolve().parent if file_kind(path) == "file" else Path.cwd()
        except ValueError:
            return Path.cwd()


def scenario_for(state: object, scenario: Scenario) -> Scenario:
    """The scenario as the world kept at ``state`` runs it: a world kept in memory (a story
    run) hashes passwords cheaply, since its hashes end with it; a state file keeps OWASP's
    grade."""
    if not isinstance(state, MemoryState) or scenario.world.hashing == "fast":
        return scenario
    world = dataclasses.replace(scenario.world, hashing="fast")
    return dataclasses.replace(scenario, world=world)


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
        raise RuleError(
            "scenario", _("{value0}: {exc}").format(value0=quoted(name_or_path), exc=exc)
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
            raise RuleError(
                "scenario",
                _("no built-in scenario {value0}; {hint}").format(
                    value0=quoted(name_or_path), hint=hint
                ),
            )
        path = BUILTIN_DIR / f"{name_or_path}.yaml"
    return parse_scenario_file(path)


def parse_scenario_file(path: Path) -> Scenario:
    where = str(path)
    data = read_scenario_data(path)
    return scenario_from_dict(data if data is not None else {}, where, default_name=path.stem)


def read_scenario_data(path: Path) -> object:
    """A scenario file's YAML: settings typed (``latency: 2s``, ``apr: 12.5``), the borrower's
    answers kept as the text written, as in an answers file (``sms_code: 012345`` is that
    code, not the octal number 5349)."""
    data = _read_yaml(path, typed=True)
    if isinstance(data, dict) and isinstance(data.get("borrower"), dict):
        text = _read_yaml(path, typed=False)
        if isinstance(text, dict) and isinstance(text.get("borrower"), dict):
            data["borrower"] = text["borrower"]
    return data


def _read_yaml(path: Path, typed: bool) -> object:
    """The file's YAML; a file that cannot be read as YAML is refused naming ``scenario``."""
    try:
        data: object = read_yaml_file(path, "scenario file", key="scenario", typed=typed)
    except RuleError:
        raise
    except UsageError as exc:
        raise RuleError("scenario", str(exc).removeprefix("scenario: ")) from None
    return data


class ScenarioProblem(RuleError):
    """One thing wrong in a scenario file, at a key path."""

    def __init__(self, where: str, key_path: str, message: str) -> None:
        self.key_path = key_path
        self.text = f"{key_path}: {message}"
        self.message = f"{where}: {self.text}"
        super().__init__("scenario", self.message)


class ScenarioInvalid(RuleError):
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
        super().__init__("scenario", message)


class _Reader:
    """Reads a scenario's parsed YAML against the types of its settings (the providers'
    dataclasses, the account presets), collecting every problem with its key path, so that
    one reading reports them all (``scenario validate``).

    A setting's type says how it is read: ``bool``, ``int``, ``float``, ``Decimal`` (an
    amount), ``str`` (text without control characters), a ``Literal`` (one of its words),
    ``timedelta`` (``6m``), ``date``, ``Fault``; ``list[...]``; ``... | None``; a dataclass (a
    mapping of its fields). Its ``Annotated`` rules then check the value: ``Range``,
    ``OneOf``, ``Check`` (the question's own check of a phone, a card, an ID number).

    Not ``msgspec.convert`` (which validates the records): it stops at the first error, its
    messages are fixed English without the example of what is right, and it reads
    ``timedelta`` as ISO 8601 and ``Fault`` as an object itself, so a ``dec_hook`` never sees
    ``6m`` or ``true``.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self.found: list[ScenarioProblem] = []

    @contextmanager
    def collect(self) -> Iterator[None]:
        try:
            yield
        except ScenarioProblem as problem:
            self.found.append(problem)

    def error(self, path: str, message: str) -> ScenarioProblem:
        return ScenarioProblem(self.where, path, message)

    def read(self, value: object, hint: object, path: str) -> object:
        """``value`` as ``hint`` says, or :class:`ScenarioProblem` at ``path``."""
        hint, rules = _unwrap(hint)
        origin = typing.get_origin(hint)
        if origin is list:
            return self._list(value, typing.get_args(hint)[0], path)
        if origin in (typing.Union, types.UnionType):
            if value is None:
                return None
            (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
            return self.read(value, inner, path)
        if isinstance(hint, type) and hint not in _SCALARS and dataclasses.is_dataclass(hint):
            return self.instance(value, hint, path)
        return self._scalar(value, hint, rules, path)

    def text(self, value: object, path: str) -> str:
        """``value`` as text, as a ``str`` setting is read."""
        try:
            return _text(value)
        except ValueError as exc:
            raise self.error(path, str(exc)) from None

    def mapping(
        self, value: object, kind: type[DataclassInstance], path: str, unknown: str | None = None
    ) -> dict[str, object]:
        """A mapping read against the fields of the dataclass ``kind``: the keys written, each
        converted (one left empty with ``~`` is left out). ``unknown`` is what an unknown key
        is told."""
        hints = typing.get_type_hints(kind, include_extras=True)
        required = [f.name for f in dataclasses.fields(kind) if _is_required(f)]
        if not isinstance(value, dict):
            needs = ", ".join(required) or ", ".join(hints)
            raise self.error(path, _("expected a mapping with {keys}").format(keys=needs))
        out: dict[str, object] = {}
        for key, item in value.items():
            with self.collect():
                if key not in hints:
                    known = ", ".join(sorted(hints))
                    raise self.error(
                        f"{path}.{key}",
                        unknown or _("unknown key; expected {value0}").format(value0=known),
                    )
                converted = self.read(item, hints[key], f"{path}.{key}")
                if converted is not None:
                    out[key] = converted
        missing = [name for name in required if name not in value]
        if missing:
            raise self.error(
                path,
                _("expected {keys}; missing {missing}").format(
                    keys=", ".join(required), missing=", ".join(missing)
                ),
            )
        return out

    def instance(self, value: object, kind: type[D], path: str) -> D | None:
        """The dataclass ``kind`` made of a mapping of its fields (:meth:`mapping`); None when
        something in it is wrong (the problem is collected, and the scenario refused)."""
        before = len(self.found)
        values = self.mapping(value, kind, path)
        if len(self.found) > before:
            return None
        return kind(**values)

    def _list(self, value: object, item: object, path: str) -> list[object]:
        if not isinstance(value, list):
            raise self.error(
                path, _("expected a list, e.g. [{value0}]").format(value0=_example(item))
            )
        out = []
        for i, one in enumerate(value):
            with self.collect():
                out.append(self.read(one, item, f"{path}[{i}]"))
        return out

    def _scalar(self, value: object, hint: object, rules: list[Rule], path: str) -> object:
        reader = _SCALARS.get(hint)
        if typing.get_origin(hint) is typing.Literal:
            # A closed set of words (``card_type: CardType``): text, one of them.
            reader = _text
            rules = [OneOf(tuple(map(str, typing.get_args(hint)))), *rules]
        try:
            if reader is not None:
                value = reader(value)
            elif not any(isinstance(rule, Check) for rule in rules):
                raise ValueError(_("unsupported setting type {hint}").format(hint=hint))
            for rule in rules:
                if isinstance(rule, Check):
                    value = rule.check(value)
                    continue
                problem = rule.problem(value)
                if problem:
                    raise ValueError(problem)
        except ValueError as exc:
            raise self.error(path, str(exc)) from None
        return value


Rule = Range[Any] | OneOf | Check


def _is_required(f: dataclasses.Field[object]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _unwrap(hint: object) -> tuple[object, list[Rule]]:
    """``Annotated[int, Range(4, 8)]`` -> (int, [Range(4, 8)]); a plain hint -> (hint, [])."""
    if typing.get_origin(hint) is typing.Annotated:
        base, *extras = typing.get_args(hint)
        return base, [e for e in extras if isinstance(e, Range | OneOf | Check)]
    return hint, []


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(_("expected true or false"))
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(_("expected a whole number"))
    return value


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("expected a number such as 0.8"))
    if not math.isfinite(value):
        raise ValueError(_("{value!r} is not a finite number").format(value=value))
    return float(value)


def _decimal(value: object) -> Decimal:
    # YAML reads 1.0e+400 as infinity and 20_000 as 20000: both are refused or kept as the
    # number they are; an amount has at most two decimal places.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(_("expected an amount such as 20000"))
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(
            _("{value!r} is too large; expected an amount such as 20000").format(value=value)
        )
    return check_money(repr(value) if isinstance(value, float) else value, minimum=-MAX_MONEY)


def _text(value: object) -> str:
    """Text as written (a whole number as its digits: ``phone: 13800138000``), without
    control characters, which would reach every terminal and report that shows it."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        if isinstance(value, float):
            raise ValueError(
                _("expected text, not the number {value!r}; put it in quotes").format(value=value)
            )
        raise ValueError(_("expected text, not {kind}").format(kind=_kind(value)))
    text = str(value)
    if has_surrogate(text):
        raise ValueError(_(NOT_UTF8))
    if has_control(text):
        raise ValueError(_("control characters (such as escape codes) are not allowed"))
    return text


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return _("true/false")
    if value is None:
        return _("nothing (null)")
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    return type(value).__name__


def _date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise ValueError(_("expected a date, YYYY-MM-DD")) from None


_SCALARS: dict[object, Callable[[object], object]] = {
    bool: _bool,
    int: _int,
    float: _float,
    Decimal: _decimal,
    str: _text,
    timedelta: parse_duration,
    date: _date,
    Fault: parse_fault,
}
_EXAMPLES: dict[object, str] = {str: "a, b", int: "1, 2", float: "0.5, 0.9"}


def _example(item_type: object) -> str:
    base, _rules = _unwrap(item_type)
    return _EXAMPLES.get(base, "...")


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
    "complaint",
)
# The order the parts of a scenario are read in (after ``providers``): its problems are
# listed in this order.
_READ_ORDER = (
    "name",
    "description",
    "products",
    "expect",
    "clock",
    "borrower",
    "command",
    "complaint",
    "accounts",
)


def scenario_from_dict(data: object, where: str, default_name: str = "scenario") -> Scenario:
    """A scenario from its parsed YAML; ``where`` (the file) names it in every error, and
    every problem in the file is reported at once (:class:`ScenarioInvalid`)."""
    reader = _Reader(where)
    if not isinstance(data, dict):
        expected = _("expected a mapping with name, description, providers")
        raise ScenarioInvalid(where, [reader.error("(top level)", expected)])
    for key in data:
        if key not in SCENARIO_KEYS:
            known = ", ".join(sorted(SCENARIO_KEYS))
            with reader.collect():
                raise reader.error(
                    str(key), _("unknown key; expected one of {value0}").format(value0=known)
                )
    scenario = Scenario(default_name, source=where)
    _world(scenario.world, data.get("providers") or {}, reader)
    for key in _READ_ORDER:
        if key in data:
            with reader.collect():
                _read_part(scenario, key, data[key], reader)
    if reader.found:
        raise ScenarioInvalid(where, reader.found)
    # An account the scenario seeds was registered on the scenario's phone, unless it lists
    # the devices it trusts.
    for account in scenario.accounts:
        if account.trusted_devices is None:
            account.trusted_devices = [scenario.world.device.model]
    return scenario


def _read_part(scenario: Scenario, key: str, value: object, reader: _Reader) -> None:
    """Set the part ``key`` of the scenario from what the file says."""
    if key == "name":
        scenario.name = reader.text(value, "name")
    elif key == "description":
        scenario.description = "" if value is None else reader.text(value, "description")
    elif key == "products":
        scenario.world.products = _products(value, reader)
    elif key == "expect":
        scenario.expect = _expect(value, reader)
    elif key == "clock":
        scenario.clock = _clock(value, reader)
    elif key == "borrower":
        scenario.borrower = _borrower(value, reader)
    elif key == "command":
        scenario.command = _command(value, reader)
    elif key == "complaint":
        scenario.complaint = _complaint(value, reader)
    elif key == "accounts":
        scenario.accounts = _accounts(value, reader)


def _command(command: object, reader: _Reader) -> list[str]:
    if command is None:
        return []
    if not isinstance(command, list):
        raise reader.error("command", _("expected a list of words, e.g. [account, change-phone]"))
    return [reader.text(word, f"command[{i}]") for i, word in enumerate(command)]


COMPLAINT_LANGUAGES = ("zh", "en")
COMPLAINT_MAX_CHARS = 200


def _complaint(value: object, reader: _Reader) -> dict[str, list[str]]:
    """What borrowers write, by language: ``{zh: [钱没到账], en: [money never arrived]}``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise reader.error(
            "complaint", _("expected a mapping such as {zh: [钱没到账], en: [money never arrived]}")
        )
    out: dict[str, list[str]] = {}
    for lang, phrases in value.items():
        with reader.collect():
            path = f"complaint.{lang}"
            if lang not in COMPLAINT_LANGUAGES:
                raise reader.error(path, _("unknown language; expected zh or en"))
            out[lang] = [str(p) for p in cast(list[object], reader.read(phrases, list[str], path))]
            for i, phrase in enumerate(out[lang]):
                if not phrase.strip() or len(phrase) > COMPLAINT_MAX_CHARS:
                    with reader.collect():
                        raise reader.error(
                            f"{path}[{i}]",
                            _("expected a phrase of 1 to {count} characters").format(
                                count=COMPLAINT_MAX_CHARS
                            ),
                        )
    return out


EXPECT_KEYS = ("status", "stopped_at", "reason")


def _expect(expect: object, reader: _Reader) -> dict[str, str]:
    if expect is None:
        return {}
    if not isinstance(expect, dict):
        raise reader.error(
            "expect", _("expected a mapping such as {status: stopped, reason: card_frozen}")
        )
    out: dict[str, str] = {}
    for key, value in expect.items():
        with reader.collect():
            out[key] = _expect_value(key, value, reader)
    return out


def _expect_value(key: object, value: object, reader: _Reader) -> str:
    path = f"expect.{key}"
    if key not in EXPECT_KEYS:
        raise reader.error(path, _("unknown key; expected status, stopped_at, reason"))
    if not isinstance(value, str):
        raise reader.error(
            path, _("expected one word, not {value0}").format(value0=type(value).__name__)
        )
    word = reader.text(value, path)
    if key == "status" and word not in ("completed", "stopped"):
        raise reader.error(
            path, _("{value0!r} is not one of completed, stopped").format(value0=word)
        )
    if key == "reason" and word not in {r.value for r in Reason}:
        raise reader.error(
            path,
            _("{value0!r} is not a reason code; see docs/reference/reason-codes.md").format(
                value0=word
            ),
        )
    return word


def _borrower(borrower: object, reader: _Reader) -> dict[str, object]:
    """The borrower's own answers: known keys, each answer of the form its question takes
    (checked as a run checks them before it starts)."""
    if borrower is None:
        return {}
    if not isinstance(borrower, dict):
        raise reader.error("borrower", _("expected a mapping of answer key: answer"))
    base = Path(reader.where).resolve().parent
    for key, value in borrower.items():
        with reader.collect():
            path = f"borrower.{key}"
            if key not in QUESTIONS:
                raise reader.error(path, _("not an answer key; see docs/reference/answer-keys.md"))
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                where = f"{path}[{i}]" if isinstance(value, list) else path
                with reader.collect():
                    problem = answer_problem(QUESTIONS[key], item, base)
                    if problem:
                        raise reader.error(where, problem)
    return borrower


def _clock(raw: object, reader: _Reader) -> datetime:
    example = "2026-03-02T10:00:00+08:00"
    try:
        if isinstance(raw, datetime):
            clock = raw
        elif isinstance(raw, date):
            clock = datetime(raw.year, raw.month, raw.day)
        elif isinstance(raw, str):
            clock = parse_clock(raw)
        else:
            raise ValueError(
                _("expected an ISO date-time such as {example}").format(example=example)
            )
    except ValueError as exc:
        raise reader.error("clock", str(exc)) from None
    clock = clock if clock.tzinfo is not None else clock.replace(tzinfo=CHINA_TZ)
    if clock > LATEST_CLOCK:
        raise reader.error(
            "clock",
            _("{value0} is after {value1}").format(
                value0=clock.isoformat(), value1=LATEST_CLOCK.date()
            ),
        )
    return clock


def _world(world: WorldSettings, providers: object, reader: _Reader) -> None:
    """Set what ``providers:`` changes on the default world, setting by setting."""
    if not isinstance(providers, dict):
        with reader.collect():
            raise reader.error("providers", _("expected a mapping of provider name to settings"))
        return
    # The providers are the world's settings objects; ``products`` has a key of its own, and
    # ``hashing`` is the run's, never a file's.
    names = [f.name for f in dataclasses.fields(world) if _is_settings(getattr(world, f.name))]
    for name, settings in providers.items():
        with reader.collect():
            path = f"providers.{name}"
            if name not in names:
                raise reader.error(
                    path,
                    _("unknown provider; expected one of {value0}").format(value0=", ".join(names)),
                )
            if not isinstance(settings, dict):
                raise reader.error(path, _("expected a mapping of setting: value"))
            target = getattr(world, name)
            known = ", ".join(sorted(typing.get_type_hints(type(target))))
            unknown = _("unknown setting; {provider} has {known}").format(
                provider=name, known=known
            )
            for key, value in reader.mapping(settings, type(target), path, unknown).items():
                setattr(target, key, value)


def _is_settings(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _products(overrides: object, reader: _Reader) -> ProductOverrides:
    """Product settings the scenario changes (``products: {cash_loan: {apr_cap: 15}}``)."""
    if overrides is None:
        return {}
    if not isinstance(overrides, dict):
        raise reader.error("products", _("expected a mapping of product key to settings"))
    try:
        load_products(overrides=overrides)
    except ProductProblems as exc:
        for path, text in exc.problems:
            with reader.collect():
                raise reader.error(f"products.{path}", text) from None
    return overrides


def _accounts(items: object, reader: _Reader) -> list[AccountPreset]:
    """Accounts that exist before the run (the borrower registered earlier)."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise reader.error("accounts", _("expected a list of {phone, password, ...}"))
    out = []
    for i, item in enumerate(items):
        with reader.collect():
            preset = reader.instance(item, AccountPreset, f"accounts[{i}]")
            if preset is not None:
                out.append(preset)
    return out


def command_of(scenario: Scenario) -> list[str]:
    """The words of the command a scenario reproduces: ``apply`` unless it says otherwise."""
    return scenario.command or ["apply"]


def command_words(scenario: Scenario) -> list[str]:
    """The command a scenario is for, without its options: ``account change-phone``."""
    words = command_of(scenario)
    options = [i for i, w in enumerate(words) if w.startswith("-")]
    return words[: options[0]] if options else words


# The built-in answers set (loancli/data/answers) each command's scenarios replay with.
ANSWERS_FOR = {"apply": "happy-path", "account": "change-phone", "checkout": "checkout"}


def run_command(scenario: Scenario) -> str:
    """The command line that reproduces a built-in scenario from any folder: its flow's
    built-in answers set, and a state file of its own (``frozen-card.json``) in the current
    folder."""

    words = command_of(scenario)
    answers = ANSWERS_FOR.get(words[0], "happy-path")
    return shlex.join(
        [
            "loancli",
            "--db",
            f"{scenario.name}.json",
            "--scenario",
            scenario.name,
            "--no-input",
            *words,
            "--answers",
            answers,
        ]
    )


def check_command(scenario: Scenario, command: str) -> None:
    """Refuse a scenario written for another command (``apply --scenario phone-taken``), with
    the command it is for."""
    wanted = command_words(scenario)
    if scenario.command and command.split() != wanted:
        raise RuleError(
            "scenario",
            _("the scenario {value0} reproduces `{value1}`, not `{command}`; run: {value2}").format(
                value0=scenario.name,
                value1=" ".join(wanted),
                command=command,
                value2=run_command(scenario),
            ),
        )
