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
import functools
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from loancli.asking import answer_problem, read_yaml, read_yaml_file
from loancli.clock import CHINA_TZ, EARLIEST_CLOCK, LATEST_CLOCK, parse_clock
from loancli.documents import (
    DocumentInvalid,
    Problem,
    Read,
    Unknown,
    read_document,
    read_text,
    unknown_key,
)
from loancli.errors import RuleError, UsageError, quoted
from loancli.files import beside
from loancli.i18n import N_, _
from loancli.loan.products import ProductProblems, load_products
from loancli.questions import QUESTIONS
from loancli.reasons import Reason
from loancli.store import MemoryState
from loancli.validation import Check, OneOf, file_kind
from loancli.world.presets import AccountPreset
from loancli.world.providers import ProductOverrides, WorldSettings

BUILTIN_DIR = Path(__file__).parents[1] / "data" / "scenarios"


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
    # The YAML as written when it came inline (a story's ``scenario_text``), not from a file.
    text: str | None = None

    @property
    def builtin(self) -> bool:
        """Whether the scenario is one of the package's (named, never copied or resolved)."""
        return self.source == "built-in default" or Path(self.source).parent == BUILTIN_DIR

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
    return list(_builtin_names())


@functools.cache
def _builtin_names() -> tuple[str, ...]:
    """The package's scenarios, listed once per process (they ship with it)."""
    return tuple(sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml")))


# The default world's description, as its file (data/scenarios/default.yaml) says it: the
# default is made in code, not read, and a report still describes it.
DEFAULT_DESCRIPTION = "Everything works; the happy path completes."


def load_scenario(name_or_path: str | None) -> Scenario:
    """A built-in scenario by name, or a YAML file by path; None is the default world."""
    if not name_or_path:
        return Scenario("default", description=DEFAULT_DESCRIPTION)
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


def builtin_scenario(name: str) -> Scenario:
    """A built-in scenario by name, read from the package, never from a file of that name in
    the current folder (a story's or a ticket's world means the same everywhere)."""
    if name == "default":
        return Scenario("default", description=DEFAULT_DESCRIPTION)
    if name not in builtin_names():
        raise RuleError(
            "scenario",
            _("no built-in scenario {value0}; {hint}").format(
                value0=quoted(name), hint=_("see loancli scenario list")
            ),
        )
    return parse_scenario_file(BUILTIN_DIR / f"{name}.yaml")


def parse_scenario_file(path: Path) -> Scenario:
    where = str(path)
    data = read_scenario_data(path)
    if isinstance(data, dict) and isinstance(data.get("borrower"), dict):
        if path.parent != BUILTIN_DIR:
            _files_beside(data["borrower"], path)
    return scenario_from_dict(data if data is not None else {}, where, default_name=path.stem)


def _files_beside(borrower: dict[str, object], path: Path) -> None:
    """A scenario file's path answers (an ID photo) name files beside it, never a path
    outside its folder (absolute, with ``..``, or a link leading out), and are refused before
    any is opened: a scenario someone sent must not read the machine's files, as a story's
    must not."""
    folder = path.resolve().parent
    for key, value in borrower.items():
        question = QUESTIONS.get(str(key))
        if question is None or question.kind != "path":
            continue
        for item in value if isinstance(value, list) else [value]:
            text = str(item).strip()
            # As the answer's question reads it: ``~/x`` is the home folder's (a review).
            if beside(str(Path(text).expanduser()), folder) is None:
                raise RuleError(
                    "scenario",
                    _(
                        "{where}: borrower.{key}: {value} is not a file beside the scenario; "
                        "put the photo in its folder and name it there"
                    ).format(where=path, key=key, value=quoted(text[:60])),
                )


def scenario_data(scenario: Scenario) -> object:
    """A scenario's YAML as :func:`read_scenario_data` reads it, from its file or from the
    text it came inline as."""
    if scenario.text is None:
        return read_scenario_data(Path(scenario.source))
    data = read_yaml(scenario.text, typed=True, tags=False)
    if isinstance(data, dict) and isinstance(data.get("borrower"), dict):
        text = read_yaml(scenario.text, typed=False, tags=False)
        if isinstance(text, dict) and isinstance(text.get("borrower"), dict):
            data["borrower"] = text["borrower"]
    return data


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
        raise RuleError("scenario", exc.unkeyed if exc.key == "scenario" else str(exc)) from None
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


COMPLAINT_MAX_CHARS = 200
REASON_CODES = frozenset(r.value for r in Reason)


def _word(value: object) -> str:
    """One word of ``expect``: text, as written."""
    if not isinstance(value, str):
        raise ValueError(_("expected one word, not {value0}").format(value0=type(value).__name__))
    return read_text(value)


def _command(words: object) -> list[str]:
    """The command a scenario reproduces, as words: ``[account, change-phone]``. The words
    reach a command loancli prints to be pasted (:func:`run_command`), so they are a flow's
    command (:data:`FLOW_COMMANDS`) and only the options that flow's scenarios set, each with
    one value: never an option that names a file (``--record``, ``--db``)."""
    if not isinstance(words, list):
        raise ValueError(_("expected a list of words, e.g. [account, change-phone]"))
    command: list[str] = read_document(words, list[str])
    flow = next((f for f in SCENARIO_COMMANDS if tuple(command[: len(f)]) == f), None)
    if flow is None:
        known = ", ".join(" ".join(f) for f in SCENARIO_COMMANDS)
        raise ValueError(
            _("not a command a scenario reproduces; expected one of: {known}").format(known=known)
        )
    rest = command[len(flow) :]
    allowed = SCENARIO_OPTIONS.get(flow, frozenset())
    while rest:
        option, value = rest[0], rest[1] if len(rest) > 1 else None
        if option not in allowed or value is None or value.startswith("-"):
            shown = ", ".join(sorted(allowed)) or _("none")
            raise ValueError(
                _(
                    "{word} is not an option of {flow} a scenario sets (with its value): {shown}"
                ).format(word=quoted(option, 40), flow=" ".join(flow), shown=shown)
            )
        rest = rest[2:]
    return command


# The format of scenario files this loancli reads (``format: 1``, or none).
SCENARIO_FORMAT = 1


def _format(value: object) -> int:
    if isinstance(value, bool) or value != SCENARIO_FORMAT:
        shown = str(value).lower() if isinstance(value, bool) else quoted(str(value), 20)
        raise ValueError(
            _(
                "this loancli reads scenario format {known} only, written as the number {known}, "
                "not {value0}"
            ).format(value0=shown, known=SCENARIO_FORMAT)
        )
    return SCENARIO_FORMAT


def state_file_name(scenario: Scenario) -> str:
    """The state file of the command that reproduces ``scenario`` (``frozen-card.json``), in
    the current folder whatever its name holds: a name is free text (a file's, a kept body's,
    a ticket's), and it reaches a command printed to be pasted, so it is never a path there,
    nor an option."""
    safe = re.sub(r"[^\w-]+", "-", scenario.name).strip("-_")[:64].strip("-_")
    return f"{safe or 'scenario'}.json"


def _reason_code(word: object) -> str:
    if word not in REASON_CODES:
        raise ValueError(
            _("{value0!r} is not a reason code; see docs/reference/reason-codes.md").format(
                value0=word
            )
        )
    return str(word)


def _phrase(text: object) -> str:
    phrase = str(text)
    if not phrase.strip() or len(phrase) > COMPLAINT_MAX_CHARS:
        raise ValueError(
            _("expected a phrase of 1 to {count} characters").format(count=COMPLAINT_MAX_CHARS)
        )
    return phrase


def _clock(raw: object) -> datetime:
    example = "2026-03-02T10:00:00+08:00"
    if isinstance(raw, datetime):
        clock = raw
    elif isinstance(raw, date):
        clock = datetime(raw.year, raw.month, raw.day)
    elif isinstance(raw, str):
        clock = parse_clock(raw)
    else:
        raise ValueError(_("expected an ISO date-time such as {example}").format(example=example))
    clock = clock if clock.tzinfo is not None else clock.replace(tzinfo=CHINA_TZ)
    if clock > LATEST_CLOCK:
        raise ValueError(
            _("{value0} is after {value1}").format(
                value0=clock.isoformat(), value1=LATEST_CLOCK.date()
            )
        )
    if clock < EARLIEST_CLOCK:
        raise ValueError(
            _("{value0} is before {value1}").format(
                value0=clock.isoformat(), value1=EARLIEST_CLOCK.date()
            )
        )
    return clock


_UNKNOWN_PROVIDER = Unknown(N_("unknown provider; expected one of {known}"))


def _providers(providers: object) -> dict[str, object]:
    """What ``providers:`` sets: provider name -> its settings object (the settings written,
    the defaults for the rest), each read by the engine against its dataclass."""
    if not isinstance(providers, dict):
        raise ValueError(_("expected a mapping of provider name to settings"))
    # The providers are the world's settings objects; ``products`` has a key of its own, and
    # ``hashing`` is the run's, never a file's.
    world = WorldSettings()
    names = [f.name for f in dataclasses.fields(world) if _is_settings(getattr(world, f.name))]
    out: dict[str, object] = {}
    problems: list[Problem] = []
    for name, settings in providers.items():
        if name not in names:
            message = unknown_key(name, names, [_UNKNOWN_PROVIDER], str(name))
            problems.append(Problem(str(name), message))
            continue
        if not isinstance(settings, dict):
            problems.append(Problem(str(name), _("expected a mapping of setting: value")))
            continue
        kind: Any = Annotated[type(getattr(world, name)), _UNKNOWN_SETTING]
        try:
            out[name] = read_document(settings, kind, path=name)
        except DocumentInvalid as exc:
            problems += exc.problems
    if problems:
        raise DocumentInvalid("", problems)
    return out


def _is_settings(value: object) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _products(overrides: object) -> ProductOverrides:
    """Product settings the scenario changes (``products: {cash_loan: {apr_cap: 15}}``),
    checked as the products file is."""
    if not isinstance(overrides, dict):
        raise ValueError(_("expected a mapping of product key to settings"))
    try:
        load_products(overrides=overrides)
    except ProductProblems as exc:
        raise DocumentInvalid("", [Problem(path, text) for path, text in exc.problems]) from None
    return overrides


_UNKNOWN_SETTING = Unknown(N_("unknown setting; {name} has {known}"))
Word = Annotated[str, Read(_word)]
Phrases = list[Annotated[str, Check(_phrase)]]


@dataclass
class Expect:
    """The outcome a scenario reproduces."""

    status: Annotated[str, Read(_word), OneOf(("completed", "stopped"))] | None = None
    stopped_at: Word | None = None
    reason: Annotated[str, Read(_word), Check(_reason_code)] | None = None


@dataclass
class Complaint:
    """What borrowers write when it happens to them, by language."""

    zh: Phrases | None = None
    en: Phrases | None = None


def _complaint(value: object) -> Complaint:
    """What borrowers write, by language: ``{zh: [钱没到账], en: [money never arrived]}``."""
    if not isinstance(value, dict):
        raise ValueError(
            _("expected a mapping such as {zh: [钱没到账], en: [money never arrived]}")
        )
    kind: Any = Annotated[Complaint, Unknown(N_("unknown language; expected zh or en"))]
    complaint: Complaint = read_document(value, kind)
    return complaint


# The accounts a scenario may preset: each is registered, its password hashed at OWASP's
# grade, before the run (3,200 of them took minutes).
MAX_ACCOUNTS = 20


def _few_accounts(value: object) -> object:
    if isinstance(value, list) and len(value) > MAX_ACCOUNTS:
        raise ValueError(
            _("at most {n} accounts; each is registered before the run").format(n=MAX_ACCOUNTS)
        )
    return value


@dataclass
class ScenarioFile:
    """A scenario file as written: each part's form, read by the engine of every document
    (:func:`loancli.documents.read_document`), which lists every problem of the file at
    once. The borrower's answers are checked after, each by its question."""

    # The file's format: 1, the only one so far (absent: 1); a later loancli's is refused.
    format: Annotated[int, Read(_format)] | None = None
    name: str = ""
    description: str | None = None
    providers: Annotated[dict[str, object], Read(_providers)] | None = None
    products: Annotated[ProductOverrides, Read(_products)] | None = None
    expect: Annotated[Expect, Unknown(N_("unknown key; expected {known}"))] | None = None
    clock: Annotated[datetime, Read(_clock)] | None = None
    borrower: dict[str, object] | None = None
    command: Annotated[list[str], Read(_command)] | None = None
    complaint: Annotated[Complaint, Read(_complaint)] | None = None
    accounts: Annotated[list[AccountPreset], Check(_few_accounts)] | None = None


_FILE = Annotated[ScenarioFile, Unknown(N_("unknown key; expected one of {known}"))]


def scenario_from_dict(data: object, where: str, default_name: str = "scenario") -> Scenario:
    """A scenario from its parsed YAML; ``where`` (the file) names it in every error, and
    every problem in the file is reported at once (:class:`ScenarioInvalid`)."""
    if not isinstance(data, dict):
        expected = _("expected a mapping with name, description, providers")
        raise ScenarioInvalid(where, [ScenarioProblem(where, "(top level)", expected)])
    problems: list[Problem] = []
    try:
        read: ScenarioFile = read_document(data, _FILE, where)
    except DocumentInvalid as exc:
        problems = exc.problems
        read = ScenarioFile()
    if isinstance(data.get("borrower"), dict):
        problems += _borrower_problems(data["borrower"], Path(where).resolve().parent)
    if problems:
        raise ScenarioInvalid(where, [ScenarioProblem(where, p.path, p.message) for p in problems])
    scenario = Scenario(read.name or default_name, source=where)
    if "name" in data:
        scenario.name = read.name
    scenario.description = read.description or ""
    for name, settings in (read.providers or {}).items():
        setattr(scenario.world, name, settings)
    scenario.world.products = read.products or {}
    if read.expect is not None:
        scenario.expect = {k: v for k, v in dataclasses.asdict(read.expect).items() if v}
    scenario.clock = read.clock
    scenario.borrower = read.borrower or {}
    scenario.command = read.command or []
    if read.complaint is not None:
        given = dataclasses.asdict(read.complaint).items()
        scenario.complaint = {lang: phrases for lang, phrases in given if phrases is not None}
    scenario.accounts = read.accounts or []
    # An account the scenario seeds was registered on the scenario's phone, unless it lists
    # the devices it trusts.
    for account in scenario.accounts:
        if account.trusted_devices is None:
            account.trusted_devices = [scenario.world.device.model]
    return scenario


def _borrower_problems(borrower: dict[object, object], base: Path) -> list[Problem]:
    """The borrower's own answers: known keys, each answer of the form its question takes
    (checked as a run checks them before it starts)."""
    problems = []
    for key, value in borrower.items():
        path = f"borrower.{key}"
        if key not in QUESTIONS:
            problems.append(
                Problem(path, _("not an answer key; see docs/reference/answer-keys.md"))
            )
            continue
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            problem = answer_problem(QUESTIONS[str(key)], item, base)
            if problem:
                problems.append(
                    Problem(f"{path}[{i}]" if isinstance(value, list) else path, problem)
                )
    return problems


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


# The commands that run a flow, each of which refuses a scenario written for another one
# (check_command), with the flow it checks (``step`` runs a journey's step again); every
# other command takes any scenario.
FLOW_COMMANDS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("apply",): ("apply",),
    ("step",): ("apply",),
    ("account", "change-phone"): ("account", "change-phone"),
    ("card", "bind"): ("card", "bind"),
    ("card", "unbind"): ("card", "unbind"),
    ("contacts", "add"): ("contacts", "add"),
    ("contacts", "remove"): ("contacts", "remove"),
    ("login",): ("login",),
    ("support", "unlock"): ("support", "unlock"),
    ("checkout",): ("checkout",),
}


# The commands a scenario may name (every flow's but ``step``, which runs a journey's step
# again), and the options each may carry in it.
SCENARIO_COMMANDS = tuple(flow for flow in FLOW_COMMANDS if flow != ("step",))
SCENARIO_OPTIONS: dict[tuple[str, ...], frozenset[str]] = {
    ("checkout",): frozenset({"--item", "--price", "--periods"}),
}


def takes(scenario: Scenario, words: Sequence[str]) -> bool:
    """Whether ``loancli --scenario SCENARIO WORDS...`` runs: not a flow the scenario was not
    written for (``card bind`` under phone-change, the advice after the change, is refused:
    the next command a run suggests goes without it). Options before the command's words
    (``--no-input apply``) are passed over."""
    named = list(words)
    while named and named[0].startswith("-"):
        named.pop(0)
    flow = next((f for f in FLOW_COMMANDS if tuple(named[: len(f)]) == f), None)
    return flow is None or _fits(scenario, list(FLOW_COMMANDS[flow]))


def _fits(scenario: Scenario, flow: list[str]) -> bool:
    """Whether ``scenario`` may run the flow ``flow`` (one that names no command: any)."""
    return not scenario.command or flow == command_words(scenario)


def run_command(scenario: Scenario) -> str:
    """The command line that reproduces a scenario from any folder: its flow's built-in
    answers set, and a state file of its own (``frozen-card.json``) in the current folder; a
    file by its absolute path, a built-in by its name."""

    words = command_of(scenario)
    answers = ANSWERS_FOR.get(words[0], "happy-path")
    named = _argument(scenario) or scenario.name
    return shlex.join(
        [
            "loancli",
            "--db",
            state_file_name(scenario),
            "--scenario",
            named,
            "--no-input",
            *words,
            "--answers",
            answers,
        ]
    )


def check_command(scenario: Scenario, command: str) -> None:
    """Refuse a scenario written for another command (``apply --scenario phone-taken``), with
    the command it is for, and the command that runs it where one can name it: a built-in
    by its name, a file by its path. A body a world, a story or a ticket keeps is neither
    (its name is text: a path, or a built-in's name, would run something else), so no
    command is given for it."""
    if _fits(scenario, command.split()):
        return
    said = _("the scenario {value0} reproduces `{value1}`, not `{command}`").format(
        value0=scenario.name, value1=" ".join(command_words(scenario)), command=command
    )
    if _argument(scenario) is not None:
        said = _("{refusal}; run: {command}").format(refusal=said, command=run_command(scenario))
    raise RuleError("scenario", said)


def _argument(scenario: Scenario) -> str | None:
    """How ``--scenario`` names ``scenario`` on a command line: a built-in by its name, a
    file by its absolute path; None for a body a world, a story or a ticket keeps."""
    if scenario.builtin:
        return scenario.name
    path = Path(scenario.source)
    return str(path.resolve()) if path.is_file() else None
