"""Reading stories and playing them: each action through :mod:`loancli.api.operations`, in a fresh
world (in memory unless a state file is given), checked against what it expects.

A story file is checked whole before anything runs (:func:`load_story`): its YAML (bounded,
plain, no tags), every field's type (:mod:`loancli.stories.format`), answer keys, images
(a built-in image's name, or a file beside the story: never a path outside its folder).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypedDict

import msgspec

from loancli.account.hashing import HashGrade
from loancli.api import operations
from loancli.asking import YamlTooComplex, answer_problem, read_yaml
from loancli.clock import DEFAULT_START, parse_clock, parse_duration
from loancli.errors import LoanCliError, UsageError
from loancli.files import FileTooLarge, NotRegularFile, beside, read_regular
from loancli.i18n import N_, _, language, set_language
from loancli.journey.repayment import check_choice
from loancli.journey.runner import STEP_NAMES
from loancli.journey.session import scenario_with_grade
from loancli.journey.texts import SMS_MARK_ALSO, SMS_MARKS
from loancli.loan.bureau import REASON_MAX, entries_about
from loancli.loan.loans import find_loan, loan_view, newest_loan
from loancli.masking import mask_numbers
from loancli.questions import QUESTIONS
from loancli.records import LOANS, Applicant, Flow
from loancli.store import Location, MemoryState, Store, holds_records, state_absent
from loancli.stories import personas
from loancli.stories.format import (
    NAME_PATTERN,
    STORY_FORMAT,
    AccountCheck,
    ClockAdvance,
    ClockMoveAction,
    ClockSet,
    CreditExpect,
    EventExpect,
    Expect,
    ForgetDevice,
    LoanExpect,
    Object,
    Repay,
    Restructure,
    Story,
    StoryAction,
    TrustDevice,
    TwoStep,
    WorldAction,
)
from loancli.support.reporting import resolve
from loancli.validation import check_text
from loancli.world.providers.sms import arrived
from loancli.world.scenario import (
    Scenario,
    builtin_names,
    builtin_scenario,
    scenario_from_dict,
)

DATA = Path(__file__).parents[1] / "data"
BUILTIN_STORIES = DATA / "stories"
BUILTIN_ANSWERS = DATA / "answers"
BUILTIN_IMAGES = DATA / "images"
IMAGE_KEYS = ("id_front", "id_back", "income_proof")
_NO_IMAGE = ("", "none", "skip")

State = Location


@dataclass
class LoadedStory:
    """A story checked whole: the document, each action's expectations, where it lives."""

    story: Story
    name: str
    source: str
    folder: Path
    expects: dict[int, Expect]

    @property
    def title(self) -> str:
        return self.story.title or self.name


# -- reading --------------------------------------------------------------------------------


def builtin_story_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_STORIES.glob("*.yaml"))


class StorySummary(TypedDict):
    """A built-in story in a list: its name, title, first complaint (Chinese first) and how
    many actions it takes."""

    name: str
    title: str
    complaint: str
    actions: int


def builtin_stories() -> list[StorySummary]:
    """``story list``: every built-in story, by name."""
    out: list[StorySummary] = []
    for name in builtin_story_names():
        loaded = load_story(name)
        complaint = loaded.story.complaint
        out.append(
            StorySummary(
                name=name,
                title=loaded.title,
                complaint=(complaint.zh or complaint.en or [""])[0],
                actions=len(loaded.story.actions),
            )
        )
    return out


# The largest story file read.
STORY_MAX_BYTES = 1024 * 1024


def load_story(name_or_path: str | Path) -> LoadedStory:
    """A built-in story by name, or a story file; anything wrong is exit 2 naming the file
    and the field."""
    path, raw = _story_bytes(name_or_path)
    return parse_story(raw, str(path), path.resolve().parent, default_name=path.stem)


class StoryFile(TypedDict):
    """``story show``: a story (checked whole) and its file's text as written."""

    name: str
    title: str
    source: str
    text: str


def story_file(name_or_path: str | Path) -> StoryFile:
    """A built-in story by name, or a story file, read once: checked as :func:`load_story`
    checks it, with the text it was read from."""
    path, raw = _story_bytes(name_or_path)
    loaded = parse_story(raw, str(path), path.resolve().parent, default_name=path.stem)
    # As text is read (parse_story refuses bytes that are not UTF-8): a line ends in "\n",
    # whichever way the file ended it.
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return StoryFile(name=loaded.name, title=loaded.title, source=loaded.source, text=text)


def _story_bytes(name_or_path: str | Path) -> tuple[Path, bytes]:
    """Where a story is (a built-in's name, or a path) and its bytes (a regular file, no
    larger than a story may be)."""
    path = Path(name_or_path)
    if isinstance(name_or_path, str) and "/" not in name_or_path and not path.suffix:
        if name_or_path not in builtin_story_names():
            # A file of that name here is named as a path (``./NAME``): a bare word is a
            # built-in's name, whatever the current folder holds.
            here = _(" (the file here is ./{name})").format(name=name_or_path)
            raise UsageError(
                _("no built-in story {value0}; see loancli story list").format(
                    value0=repr(name_or_path)
                )
                + (here if path.is_file() else ""),
                key="story",
            )
        path = BUILTIN_STORIES / f"{name_or_path}.yaml"
    # A FIFO or a device would block the read, or never end: only a regular file is read,
    # and no more of it than a story may hold (said as parse_story says it).
    try:
        raw = read_regular(path, STORY_MAX_BYTES)
    except NotRegularFile as exc:
        raise UsageError(
            _("story file {path} cannot be read ({why})").format(path=path, why=exc.problem),
            key="story",
        ) from None
    except FileTooLarge:
        raise _story_too_large(str(path)) from None
    except OSError as exc:
        raise UsageError(
            _("story file {path} cannot be read ({why})").format(path=path, why=exc.strerror),
            key="story",
        ) from None
    return path, raw


def parse_story(raw: bytes, where: str, folder: Path, default_name: str = "story") -> LoadedStory:
    """A story file's bytes checked whole (YAML bounded and plain, then the document)."""
    import yaml

    def refuse(message: str) -> UsageError:
        return UsageError(f"{where}: {message}", key="story")

    if len(raw) > STORY_MAX_BYTES:
        raise _story_too_large(where)
    try:
        text = raw.decode("utf-8")
        data = read_yaml(text, typed=True, tags=False)
        # The answers as written, as an answers file is read (a code keeps its zeros:
        # sms_code: 000000 is no number), each question reading its own.
        data = _answers_as_written(data, read_yaml(text, typed=False, tags=False))
    except UnicodeDecodeError as exc:
        raise refuse(_("not UTF-8 text (byte at offset {at})").format(at=exc.start)) from None
    except (yaml.YAMLError, YamlTooComplex, RecursionError) as exc:
        raise refuse(_unreadable(exc)) from None
    return parse_story_data(data, where, folder, default_name=default_name)


def _answers_as_written(typed: object, plain: object) -> object:
    """``typed`` (a story read with YAML's types) with the ``answers`` mappings of its person
    and its actions taken from ``plain`` (the same story, every value its text)."""
    if not isinstance(typed, dict) or not isinstance(plain, dict):
        return typed
    pairs = [(typed.get("person"), plain.get("person"))]
    actions, said = typed.get("actions"), plain.get("actions")
    if isinstance(actions, list) and isinstance(said, list) and len(actions) == len(said):
        pairs += zip(actions, said, strict=True)
    for read, written in pairs:
        if not isinstance(read, dict) or not isinstance(written, dict):
            continue
        if isinstance(read.get("answers"), dict) and isinstance(written.get("answers"), dict):
            read["answers"] = written["answers"]
    return typed


def _story_too_large(where: str) -> UsageError:
    return UsageError(f"{where}: " + _("larger than 1 MiB"), key="story")


def parse_story_data(
    data: object,
    where: str,
    folder: Path,
    default_name: str = "story",
    members: Mapping[str, bytes] | None = None,
) -> LoadedStory:
    """A story document checked whole: its format, every field's type, answer keys, images
    (a built-in image, or a file beside the story; with ``members``, a member of the ticket
    bundle the story travels in instead)."""

    def refuse(message: str) -> UsageError:
        return UsageError(f"{where}: {message}", key="story" if members is None else "bundle")

    if not isinstance(data, dict):
        raise refuse(_("expected a mapping with story, title, actions"))
    data = dict(data)
    if data.get("story") != STORY_FORMAT:
        raise refuse(
            _("story: {value0}; this loancli reads story format {version}").format(
                value0=repr(data.get("story"))[:40], version=STORY_FORMAT
            )
        )
    expects: dict[int, object] = {}
    actions = data.get("actions")
    if isinstance(actions, list):
        data["actions"] = actions = [dict(a) if isinstance(a, dict) else a for a in actions]
        for n, action in enumerate(actions):
            if isinstance(action, dict) and "expect" in action:
                expects[n] = action.pop("expect")
    try:
        story = msgspec.convert(data, Story)
    except msgspec.ValidationError as exc:
        raise refuse(field_problem(str(exc))) from None
    checked = {}
    for n, expect in expects.items():
        try:
            checked[n] = msgspec.convert(expect, Expect)
        except msgspec.ValidationError as exc:
            raise refuse(field_problem(str(exc), f"actions[{n}].expect")) from None
    loaded = LoadedStory(story, story.name or default_name, where, folder, checked)
    _check_meaning(loaded, refuse, members)
    return loaded


def field_problem(message: str, under: str = "") -> str:
    """msgspec's message with the field's path first, under ``under`` (an action's
    ``expect``): ``actions[0].expect.loan: Object contains unknown field statuss``."""
    text, _sep, path = message.partition(" - at `$")
    path = ".".join(p for p in (under, path.rstrip("`").lstrip(".")) if p)
    text = text.replace("`", "")
    if text == _NAME_RULE:
        # A name's form in words, not its regex; a scenario named by a path is the likely
        # slip, and the story's way to a world of its own said.
        text = _("give a name of lowercase letters, digits and '-'")
        if path.endswith("scenario"):
            text += _(
                " (a built-in's, as loancli scenario list shows); a scenario of your own goes "
                "in scenario_text, its YAML inlined: a story names no file"
            )
    return f"{path}: {text}" if path else text


# msgspec's words for a name that is not one (stories/format.py: a story's, a scenario's).
_NAME_RULE = f"Expected str matching regex '{NAME_PATTERN}'"


def _check_meaning(
    loaded: LoadedStory,
    refuse: Callable[[str], UsageError],
    members: Mapping[str, bytes] | None = None,
) -> None:
    story = loaded.story
    # A time without an offset is Beijing time, as ``--clock`` takes it; one the simulated
    # clock cannot reach is refused here, naming its field.
    if story.world.clock is not None:
        story.world.clock = _clock_at(story.world.clock, "world.clock", refuse)
    for n, action in enumerate(story.actions):
        if isinstance(action, ClockSet):
            action.to = _clock_at(action.to, f"actions[{n}].to", refuse)
        elif isinstance(action, operations.Action) and action.clock is not None:
            action.clock = _clock_at(action.clock, f"actions[{n}].clock", refuse)
    if story.world.scenario_text is None and story.world.scenario not in (
        "default",
        *builtin_names(),
    ):
        raise refuse(
            _("world.scenario: no built-in scenario {value0}").format(
                value0=repr(story.world.scenario)
            )
        )
    if story.person.persona is not None:
        problem = personas.traits_problem(story.person.persona)
        if problem:
            raise refuse(problem)
    person = story.person.answers
    if isinstance(person, str) and not (BUILTIN_ANSWERS / f"{person}.yaml").is_file():
        raise refuse(_("person.answers: no built-in answers {value0}").format(value0=repr(person)))
    sets: list[tuple[str, Mapping[str, object]]] = [
        ("person.answers", person if isinstance(person, dict) else {})
    ]
    sets += _borrower_sets("world.scenario_text", story.world.scenario_text)
    _check_scenario_text(story.world.scenario_text, "world.scenario_text", refuse)
    for n, action in enumerate(story.actions):
        if isinstance(action, ClockMoveAction):
            # Its borrower's answers too, as a run's are (a clock move or a repayment runs no
            # journey, but the world it makes is the scenario's whole).
            sets += _borrower_sets(f"actions[{n}].scenario_text", action.scenario_text)
            _check_scenario_text(action.scenario_text, f"actions[{n}].scenario_text", refuse)
            if action.scenario_text is None and action.scenario not in (None, *builtin_names()):
                raise refuse(
                    _("{at}.scenario: no built-in scenario {value0}").format(
                        at=f"actions[{n}]", value0=repr(action.scenario)
                    )
                )
    # The story's clock as far as its moves tell (no world.clock: the file's, unknown here).
    now = story.world.clock
    for n, action in enumerate(story.actions):
        # What the command line refuses before it opens the world, the story refuses when read.
        if isinstance(action, ClockAdvance):
            try:
                by = parse_duration(action.by)
            except ValueError as exc:
                raise refuse(f"actions[{n}].by: {exc}") from None
            now = now + by if now is not None else None
        if isinstance(action, ClockSet):
            # Before a time the story's clock has passed: refused as `clock set` refuses it,
            # when the story is read, not as it is played (found by a hostile-input hunt).
            if now is not None and action.to < now:
                raise refuse(
                    _(
                        "actions[{n}].to: {value0} is before the story's clock ({now}); the "
                        "simulated clock does not go backwards"
                    ).format(n=n, value0=action.to.isoformat(), now=now.isoformat())
                )
            now = action.to
        if isinstance(action, Object):
            try:
                check_text(action.reason, max_len=REASON_MAX)
            except ValueError as exc:
                raise refuse(f"actions[{n}].reason: {exc}") from None
        if isinstance(action, Repay):
            try:
                check_choice(action.installment, action.amount, action.all)
            except UsageError:
                raise refuse(
                    _("actions[{n}]: give one of installment, amount or all: true").format(n=n)
                ) from None
        elif isinstance(action, operations.Step) and action.step not in STEP_NAMES:
            raise refuse(
                _("actions[{n}].step: {value0} is no step; one of {steps}").format(
                    n=n, value0=repr(action.step)[:40], steps=", ".join(STEP_NAMES)
                )
            )
    made: set[str] = set()
    for n, action in enumerate(story.actions):
        if not isinstance(action, operations.Action):
            continue
        at = f"actions[{n}]"
        sets.append((f"{at}.answers", action.answers))
        sets += _borrower_sets(f"{at}.scenario_text", action.scenario_text)
        _check_scenario_text(action.scenario_text, f"{at}.scenario_text", refuse)
        if action.scenario_text is None and action.scenario not in (
            None,
            "default",
            *builtin_names(),
        ):
            raise refuse(
                _("{at}.scenario: no built-in scenario {value0}").format(
                    at=at, value0=repr(action.scenario)
                )
            )
        target = getattr(action, "applicant", None)
        if target is not None and made and target not in made:
            raise refuse(
                _("{at}.applicant: no earlier run of the story made {value0}").format(
                    at=at, value0=repr(target)
                )
            )
        if action.record is not None:
            made.add(action.record)
    for at, answers in sets:
        for key, value in answers.items():
            if key not in QUESTIONS:
                shown = key if key.isidentifier() and len(key) <= 40 else repr(key)[:60]
                raise refuse(_("{at}.{key}: not an answer key").format(at=at, key=shown))
            if key not in IMAGE_KEYS:
                # Its form and range, as a command's --answers are checked before the state
                # file is opened (what only the journey knows, a credit limit, is its own).
                for item in value if isinstance(value, list) else [value]:
                    problem = answer_problem(QUESTIONS[key], item, loaded.folder)
                    if problem:
                        raise refuse(f"{at}.{key}: {problem}")
            else:
                for item in value if isinstance(value, list) else [value]:
                    where = f"{loaded.source}: {at}.{key}"
                    if members is None:
                        resolve_image(item, loaded.folder, where)
                    else:
                        _member_image(item, members, where)


def _borrower_sets(at: str, text: str | None) -> list[tuple[str, Mapping[str, object]]]:
    """The borrower's answers an inlined scenario holds, to be checked as the story's own
    answers are (an image one a file beside the story, or a bundle's member): a scenario's
    text travels in the story, and its answers must not reach outside it either. A text that
    is not a scenario is refused when its world is made."""
    import yaml

    if text is None:
        return []
    try:
        data = read_yaml(text, typed=True, tags=False)
    except (yaml.YAMLError, ValueError):  # YamlTooComplex is a ValueError
        return []
    borrower = data.get("borrower") if isinstance(data, dict) else None
    if not isinstance(borrower, dict):
        return []
    return [(f"{at}.borrower", {str(k): v for k, v in borrower.items()})]


def _member_image(item: object, members: Mapping[str, bytes], at: str) -> None:
    """An image answer of a ticket's story: a built-in image, or a member of the bundle."""
    text = str(item).strip()
    if text.lower() in _NO_IMAGE or text in members:
        return
    if "/" not in text and (BUILTIN_IMAGES / text).is_file():
        return
    raise UsageError(
        _(
            "{at}: {value0} is not an image of this bundle (an image answer names a member "
            "such as images/1/front.png)"
        ).format(at=at, value0=repr(text)[:60]),
        key="bundle",
    )


def resolve_image(item: object, folder: Path, at: str) -> str:
    """An image answer of a story as a path: a built-in image by its name, or a file beside
    the story (a relative path that stays inside its folder)."""
    text = str(item).strip()
    if text.lower() in _NO_IMAGE:
        return text
    if "/" not in text and (BUILTIN_IMAGES / text).is_file():
        return str(BUILTIN_IMAGES / text)
    candidate = Path(text)
    if candidate.is_absolute() and candidate.parent == BUILTIN_IMAGES and candidate.is_file():
        return text  # a built-in image already resolved
    # A link beside the story that leads out of its folder is no file beside it.
    found = beside(text, folder)
    if found is not None and found.is_file():
        return str(found)
    raise UsageError(
        _(
            "{at}: {value0} is neither a built-in image ({names}) nor a file beside the story"
        ).format(
            at=at,
            value0=repr(text)[:60],
            names=", ".join(sorted(p.name for p in BUILTIN_IMAGES.glob("*.png"))),
        ),
        key="story",
    )


def builtin_answers(name: str) -> dict[str, object]:
    """A built-in answers set, its image answers as the built-in images' paths."""
    data = read_yaml((BUILTIN_ANSWERS / f"{name}.yaml").read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict), name  # a built-in answers set is a mapping
    return {k: _images(k, v, BUILTIN_IMAGES, "") for k, v in data.items()}


def _images(key: str, value: object, folder: Path, at: str) -> object:
    if key not in IMAGE_KEYS:
        return value
    if isinstance(value, list):
        return [resolve_image(v, folder, at) for v in value]
    return resolve_image(value, folder, at)


# -- playing ------------------------------------------------------------------------------


@dataclass
class Check:
    """One expectation of one action: what was expected and what the world held."""

    action: int
    what: str
    expected: object
    got: object

    @property
    def ok(self) -> bool:
        return _same(self.expected, self.got)


@dataclass
class ActionResult:
    index: int
    label: str
    checks: list[Check] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(c.ok for c in self.checks)


@dataclass
class StoryRun:
    """A story played: each action with its checks, and the world it left."""

    story: LoadedStory
    results: list[ActionResult]
    state: State

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[Check]:
        return [c for r in self.results for c in r.checks if not c.ok]

    @property
    def checked(self) -> int:
        """How many expectations were checked."""
        return sum(len(r.checks) for r in self.results)

    @property
    def refused_at(self) -> int | None:
        """The action loancli refused, where the story stopped (what it did not play was
        not checked); None when every action ran."""
        return next((r.index for r in self.results if r.error), None)

    def document(self) -> RunDocument:
        """The played story as ``story run --json`` prints it: each action with its checks."""
        return {
            "story": self.story.name,
            "title": self.story.title,
            "ok": self.ok,
            "actions": [
                {
                    "index": r.index,
                    "label": r.label,
                    "ok": r.ok,
                    "error": r.error,
                    "checks": [
                        {"what": c.what, "expected": c.expected, "got": c.got, "ok": c.ok}
                        for c in r.checks
                    ],
                }
                for r in self.results
            ],
        }


class ExpectationDocument(TypedDict):
    """One expectation of an action: what was expected and what the world held."""

    what: str
    expected: object
    got: object
    ok: bool


class ActionDocument(TypedDict):
    """One action of a played story: its place, what it did, and its checks."""

    index: int
    label: str
    ok: bool
    error: str | None
    checks: list[ExpectationDocument]


class RunDocument(TypedDict):
    """A played story as ``story run --json`` prints it."""

    story: str
    title: str
    ok: bool
    actions: list[ActionDocument]


def play_story(
    name_or_path: str | Path,
    state: State | None = None,
    until: int | None = None,
    hashing: HashGrade | None = None,
) -> StoryRun:
    """``story run``: the built-in story or story file read and checked whole
    (:func:`load_story`), then played (:func:`run_story`)."""
    return run_story(load_story(name_or_path), state, until=until, hashing=hashing)


def run_story(
    loaded: LoadedStory,
    state: State | None = None,
    until: int | None = None,
    hashing: HashGrade | None = None,
) -> StoryRun:
    """Play ``loaded`` in ``state`` (a new file, or memory by default), up to action
    ``until`` (1-based) if given, which keeps the world: a file, never memory; an action that
    loancli refuses ends the run there. ``hashing`` is the new file's grade (``--hashing``;
    a world in memory hashes at the cheapest anyway)."""
    if until is not None and until < 1:
        raise UsageError(_("the first action is 1"), key="until")
    if until is not None and (state is None or isinstance(state, MemoryState)):
        raise UsageError(_("--until keeps the world: give --db PATH"), key="until")
    if state is not None and holds_records(state):
        raise UsageError(
            _("{path} already exists; a story runs in a fresh world (a new file)").format(
                path=state
            ),
            key="db",
        )
    world = state if state is not None else MemoryState()
    story = loaded.story
    scenario = _scenario(loaded)
    # Each run's own world read before anything runs, as the story is.
    own = {n: _own_scenario(loaded, a) for n, a in enumerate(story.actions)}
    if hashing is not None:
        # Whichever run opens the new file first records the grade it was asked for.
        scenario = scenario_with_grade(scenario, hashing)
        own = {n: s and scenario_with_grade(s, hashing) for n, s in own.items()}
    person = _person_answers(loaded)
    results: list[ActionResult] = []
    run = StoryRun(loaded, results, world)
    with _speaking(story.world.lang):
        if story.world.clock is not None:
            start = story.world.clock
            operations.set_clock(world, start, clock=start, scenario=scenario)
        if story.person.persona is not None:
            # The persona's ages are on the world's clock. Its ID card images are kept as long
            # as the run, whose world's records name them (a bundle of it reads them).
            drawn = Path(tempfile.mkdtemp(prefix="loancli-persona-"))
            weakref.finalize(run, shutil.rmtree, drawn, ignore_errors=True)
            # A new file is not there before its first write: its world starts where one in
            # memory does (the story's world holds nothing yet).
            fresh = isinstance(world, Path) and state_absent(world)
            today = operations.clock_now(
                MemoryState() if fresh else world, scenario=scenario
            ).date()
            person = personas.story_answers(
                story.person.persona, person, today, drawn, seed=story.world.seed
            )
        for n, action in enumerate(story.actions):
            if until is not None and n >= until:
                break
            result = ActionResult(n + 1, label_of(action))
            results.append(result)
            try:
                facts = _perform(world, loaded, action, own[n] or scenario, person)
            except LoanCliError as exc:
                result.error = str(exc)
                break
            expect = loaded.expects.get(n)
            if expect is not None:
                result.checks = check(n + 1, expect, facts, world)
    return run


def label_of(action: operations.Action | WorldAction) -> str:
    """``apply``, ``clock_advance 45d``, ``repay A0001 --installment 1``..."""
    tag = str(action.__struct_config__.tag)
    own = {
        name: getattr(action, name)
        for name in action.__struct_fields__
        if name not in operations.WORLD_FIELDS and getattr(action, name) not in (None, False)
    }
    # Masked as every output is: an account's number, a card's. A flag as the story writes
    # it (all=true; Python's True read as code).
    said = [f"{k}={'true' if v is True else v}" for k, v in own.items()]
    return mask_numbers(" ".join([tag, *said]))


@contextmanager
def _speaking(lang: str) -> Iterator[None]:
    before = language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def _scenario(loaded: LoadedStory) -> Scenario:
    world = loaded.story.world
    if world.scenario_text is None:
        return builtin_scenario(world.scenario)
    return _inlined(loaded, world.scenario_text, f"{loaded.source}: world.scenario_text")


def _own_scenario(loaded: LoadedStory, action: StoryAction) -> Scenario | None:
    """A run's own world where it names one (a ticket's runs each keep theirs: ``default``
    too, whatever world the story's clock moves run in); None for the story's."""
    if not isinstance(action, operations.Action | ClockMoveAction):
        return None
    if action.scenario_text is not None:
        where = f"{loaded.source}: {label_of(action)}: scenario_text"
        return _inlined(loaded, action.scenario_text, where)
    if action.scenario is not None:
        return builtin_scenario(action.scenario)
    return None


def _inlined(loaded: LoadedStory, text: str, where: str) -> Scenario:
    """A scenario the story carries as ``text`` (read at ``where``), its images the story's
    own, and the text kept: what a ticket of its journeys carries. The text was checked when
    the story was read (:func:`_check_scenario_text`)."""
    data = read_yaml(text, typed=True, tags=False)
    _borrower_images(data, loaded, f"{where}.borrower")
    scenario = scenario_from_dict(data, where)
    scenario.source = str(loaded.folder / f"{loaded.name}.scenario.yaml")
    scenario.text = text
    return scenario


def scenario_text_problem(text: str | None, at: str) -> str | None:
    """Why a scenario kept as ``text`` (named ``at``) cannot be one whatever the rules: not
    YAML, or not a mapping; None otherwise (one today's rules refuse, an up-front fee of 100%
    an earlier version took, is said by the story or ticket it goes into, as made under
    earlier rules)."""
    if text is None:
        return None
    try:
        data = _scenario_yaml(text, at)
    except UsageError as exc:
        return exc.unkeyed
    if not isinstance(data, dict):
        return _("{at}: not a mapping of a scenario's keys").format(at=at)
    return None


def _scenario_yaml(text: str, at: str) -> object:
    """A scenario kept as ``text`` (named ``at``), read as YAML; UsageError saying why not."""
    import yaml

    try:
        return read_yaml(text, typed=True, tags=False)
    except (yaml.YAMLError, YamlTooComplex, RecursionError) as exc:
        raise UsageError(f"{at}: {_unreadable(exc)}") from None


def _check_scenario_text(text: str | None, at: str, refuse: Callable[[str], UsageError]) -> None:
    """An inlined scenario read when the story is: YAML, and a scenario (its borrower's
    answers are checked with the story's own)."""
    if text is None:
        return
    try:
        data = _scenario_yaml(text, at)
    except UsageError as exc:
        raise refuse(exc.unkeyed) from None
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "borrower"}
    try:
        scenario_from_dict(data, at)
    except UsageError as exc:
        raise refuse(exc.unkeyed) from None


def _clock_at(value: datetime, at: str, refuse: Callable[[str], UsageError]) -> datetime:
    """A story's time as the simulated clock takes it (Beijing time if naive), or refused."""
    try:
        return parse_clock(value.isoformat())
    except ValueError as exc:
        raise refuse(f"{at}: {exc}") from None


def _unreadable(exc: BaseException) -> str:
    """Why a YAML text cannot be read: the first line of what the reader said."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return _("cannot be read ({exc})").format(exc=first)


def _borrower_images(data: object, loaded: LoadedStory, at: str) -> None:
    """An inlined scenario's image answers as the story's own: a built-in image, or a file
    beside the story (a bundle's member), never a path outside its folder."""
    borrower = data.get("borrower") if isinstance(data, dict) else None
    if isinstance(borrower, dict):
        for key, value in borrower.items():
            borrower[key] = _images(str(key), value, loaded.folder, at)


def _person_answers(loaded: LoadedStory) -> dict[str, object]:
    person = loaded.story.person.answers
    if isinstance(person, str):
        return builtin_answers(person)
    at = f"{loaded.source}: person.answers"
    return {k: _images(k, v, loaded.folder, at) for k, v in person.items()}


@dataclass
class _Facts:
    """What an action led to, for its checks."""

    status: str | None = None
    stopped_at: str | None = None
    reason: str | None = None
    loan_id: str | None = None
    events: Sequence[Mapping[str, object]] = field(default_factory=list)


def _perform(
    world: State,
    loaded: LoadedStory,
    action: StoryAction,
    scenario: Scenario,
    person: dict[str, object],
) -> _Facts:
    seed = loaded.story.world.seed
    match action:
        case ClockAdvance(by=by):
            moved = operations.advance_clock(world, by, scenario=scenario)
            return _Facts(events=moved.events)
        case ClockSet(to=to):
            moved = operations.set_clock(world, to, scenario=scenario)
            return _Facts(events=moved.events)
        case Repay():
            before = _loan_events(world, action.loan)
            paid = operations.repay(
                world,
                action.loan,
                installment=action.installment,
                amount=action.amount,
                settle=action.all,
                scenario=scenario,
            )
            status = "paid" if paid.refused is None else "refused"
            reason = paid.refused.value if paid.refused is not None else None
            events = paid.loan.get("events", [])[before:]
            return _Facts(status, None, reason, paid.loan["id"], events)
        case Object():
            operations.credit_report(
                world, action.loan, objection=(action.entry, action.reason), scenario=scenario
            )
            return _Facts(loan_id=action.loan)
        case TrustDevice(account=account, model=model):
            operations.trust_device(world, account, model, scenario=scenario)
            return _Facts()
        case ForgetDevice(account=account, model=model):
            operations.forget_device(world, account, model, scenario=scenario)
            return _Facts()
        case TwoStep(account=account, mode=mode):
            operations.set_two_step(world, account, mode, scenario=scenario)
            return _Facts()
        case AccountCheck(phone=phone):
            operations.check_account(world, phone, scenario=scenario)
            return _Facts()
        case Restructure():
            before = _loan_events(world, action.loan)
            agreed = operations.restructure(world, action.loan, action.term, scenario=scenario)
            return _Facts(None, None, None, agreed.loan["id"], agreed.loan["events"][before:])
        case operations.Action():
            at = f"{loaded.source}: {label_of(action)}"
            own = {k: _images(k, v, loaded.folder, at) for k, v in action.answers.items()}
            target = getattr(action, "applicant", None)
            before = len(operations_record(world, target).get("events", [])) if target else 0
            with _speaking(action.lang or loaded.story.world.lang):
                try:
                    done = operations.perform(
                        world,
                        action,
                        seed=seed if action.seed is None else action.seed,
                        clock=action.clock,
                        scenario=scenario,
                        answers={k: _text(v) for k, v in person.items()},
                        given={k: _text(v) for k, v in own.items()},
                        draws=action.draws,
                        interrupted=action.interrupted,
                        replayed=action.record is not None,
                    )
                    record = done.record
                except UsageError as exc:
                    # A run recorded as interrupted ends where its answers run out, as it did
                    # (the record kept where it stopped); any other run's refusal is one.
                    stopped = getattr(exc, "stopped", None)
                    if not action.interrupted or not stopped:
                        raise
                    record = operations_record(world, stopped[0])
            loan = _newest_loan(world, record["id"])
            return _Facts(
                record["status"],
                record.get("stopped_at"),
                record.get("reason"),
                loan,
                record.get("events", [])[before:],
            )
    raise TypeError(f"not a story action: {action!r}")


def _text(value: object) -> object:
    """An answer as the questions take it: text (a list of texts for retries)."""
    if isinstance(value, list):
        return [_text(v) for v in value]
    return str(value).lower() if isinstance(value, bool) else str(value)


def operations_record(world: State, record_id: str) -> Applicant | Flow:
    with Store(world, read_only=True) as store:
        return resolve(store, record_id)


def _loan_events(world: State, loan_ref: str) -> int:
    with Store(world, read_only=True) as store:
        try:
            return len(find_loan(store, loan_ref).get("events", []))
        except LoanCliError:
            return 0


def _newest_loan(world: State, record_id: str) -> str | None:
    with Store(world, read_only=True) as store:
        loans = store.find(LOANS, applicant_id=record_id)
    return newest_loan(loans)["id"] if loans else None


# -- checking -----------------------------------------------------------------------------


def check(n: int, expect: Expect, facts: _Facts, world: State) -> list[Check]:
    """Every expectation of action ``n`` against what it led to."""
    out: list[Check] = []
    for name in ("status", "stopped_at", "reason"):
        wanted = getattr(expect, name)
        if wanted is not None:
            out.append(Check(n, name, wanted, getattr(facts, name)))
    names = [e.get("event") for e in facts.events]
    for event in expect.events:
        out.append(_check_event(n, event, facts.events))
    for name in expect.no_events:
        out.append(
            Check(n, f"no_events: {name}", "absent", "recorded" if name in names else "absent")
        )
    if expect.loan is not None:
        out += _check_loan(n, expect.loan, facts, world)
    if expect.credit is not None:
        # The borrower of the loan the expectation names, else of the action's loan.
        named = expect.loan.id if expect.loan is not None else None
        out += _check_credit(n, expect.credit, named or facts.loan_id, world)
    for sms in expect.sms:
        texts = _inbox(world, sms.to)
        pattern = re.compile(_marks_also(sms.text)) if sms.text else None
        hits = [t for t in texts if pattern is None or pattern.search(t)]
        what = f"sms to {sms.to[:3]}****{sms.to[-4:]}" + (f" /{sms.text}/" if sms.text else "")
        if sms.none:
            out.append(Check(n, what, "none", f"{len(hits)} message(s)" if hits else "none"))
        else:
            out.append(Check(n, what, "received", "received" if hits else "none"))
    return out


# A check's label as a person reads it (the story's keys and codes stay as written): the
# check keeps it in English, for JSON and JUnit; text output says it in its language.
_CHECK_LABELS = (
    (re.compile(r"loan (\S+) installment (\d+) (\w+)"), N_("loan {0} installment {1} {2}")),
    (re.compile(r"loan (\S+) (\w+)"), N_("loan {0} {1}")),
    (re.compile(r"sms to (\S+)"), N_("sms to {0}")),
    (re.compile(r"sms to (\S+) (/.*/)"), N_("sms to {0} {1}")),
    (re.compile(r"credit held"), N_("credit held")),
    (re.compile(r"credit (\S+) (\w+)"), N_("credit entry {0} {1}")),
    (re.compile(r"events: (.+)"), N_("events: {0}")),
    (re.compile(r"no_events: (.+)"), N_("no_events: {0}")),
    (re.compile(r"loan"), N_("loan")),
    (re.compile(r"credit"), N_("credit")),
)
_CHECK_VALUES = {
    "received": N_("received"),
    "none": N_("none"),
    "recorded": N_("recorded"),
    "absent": N_("absent"),
    "a loan": N_("a loan"),
    "(no such installment)": N_("(no such installment)"),
    "(no such entry)": N_("(no such entry)"),
}
_MESSAGES = re.compile(r"(\d+) message\(s\)")


def check_label(what: str) -> str:
    """A check's label (``loan L0001 installment 2 penalty``) in the command's language."""
    for pattern, said in _CHECK_LABELS:
        found = pattern.fullmatch(what)
        if found:
            return _(said).format(*found.groups())
    return what


def check_value(value: object) -> str:
    """A check's expected or got value in the command's language (a figure as it is)."""
    text = str(value)
    if text in _CHECK_VALUES:
        return _(_CHECK_VALUES[text])
    found = _MESSAGES.fullmatch(text)
    return _("{n} message(s)").format(n=found.group(1)) if found else text


def _marks_also(text: str) -> str:
    """An SMS expectation's pattern: one that is a kind's mark (a ticket's, ``story from``'s)
    also met by the marks of the kinds that kind now includes (journey.texts.SMS_MARK_ALSO)."""
    for kind, others in SMS_MARK_ALSO.items():
        if text == re.escape(SMS_MARKS[kind]):
            return "|".join(re.escape(SMS_MARKS[k]) for k in (kind, *others))
    return text


def _check_event(n: int, event: EventExpect, events: Sequence[Mapping[str, object]]) -> Check:
    """Whether an event of that name (and reason, step) was recorded carrying the figures
    ``detail`` names; when it carries others, they are what is shown as got."""
    named = [
        e
        for e in events
        if e.get("event") == event.event
        and (event.reason is None or e.get("reason") == event.reason)
        and (event.step is None or e.get("step") == event.step)
    ]
    shown = event.event + (f" ({event.reason})" if event.reason else "")
    if not event.detail:
        return Check(n, f"events: {shown}", "recorded", "recorded" if named else "absent")
    wanted = event.detail
    details = [e.get("detail") for e in named]
    carried = [{k: d.get(k) if isinstance(d, Mapping) else None for k in wanted} for d in details]
    expected = ", ".join(f"{k}={v}" for k, v in wanted.items())
    if any(all(_same(v, got[k]) for k, v in wanted.items()) for got in carried):
        return Check(n, f"events: {shown}", expected, expected)
    got = ", ".join(f"{k}={v}" for k, v in carried[-1].items()) if carried else "absent"
    return Check(n, f"events: {shown}", expected, got)


def _check_loan(n: int, expect: LoanExpect, facts: _Facts, world: State) -> list[Check]:
    ref = expect.id or facts.loan_id
    with Store(world, read_only=True) as store:
        try:
            loan = find_loan(store, ref)
        except LoanCliError:
            return [Check(n, "loan", ref or "a loan", "none")]
        today = _now(store).date()
        view = loan_view(loan, today)
    out: list[Check] = []
    prefix = f"loan {view['loan']}"
    loan_fields = {
        "status": view["loan_status"],
        "remaining_principal": view["remaining_principal"],
        "owed_today": view["owed_today"],
        "penalty": view["penalty"],
        "overdue_installments": view["overdue_installments"],
        "settlement_amount": view["settlement_amount"],
        "repayment_day": loan.get("repayment_day"),
        "refund_owed": view["refund_owed"],
        "paid_out": view.get("paid_out", view["amount"]),
        "apr": view["apr"],
        "apr_compound": view.get("apr_compound"),
    }
    for name, got in loan_fields.items():
        wanted = getattr(expect, name)
        if wanted is not None:
            out.append(Check(n, f"{prefix} {name}", wanted, got))
    lines = {line["n"]: line for line in view["installments"]}
    for number, wanted_line in sorted(expect.installments.items()):
        line = lines.get(number)
        for name in wanted_line.__struct_fields__:
            wanted = getattr(wanted_line, name)
            if wanted is None:
                continue
            got = line.get(name) if line is not None else "(no such installment)"
            out.append(Check(n, f"{prefix} installment {number} {name}", wanted, got))
    return out


def _check_credit(n: int, expect: CreditExpect, loan_ref: str | None, world: State) -> list[Check]:
    with Store(world, read_only=True) as store:
        try:
            loan = find_loan(store, loan_ref)
        except LoanCliError:
            return [Check(n, "credit", "a loan", "none")]
        # What the bureau holds about the loan's borrower, as credit-report shows it.
        borrower = resolve(store, loan["applicant_id"])
        entries = {x["id"]: x for x in entries_about(store, borrower)}
    out: list[Check] = []
    if expect.held is not None:
        held = sum(1 for x in entries.values() if x["status"] == "held")
        out.append(Check(n, "credit held", expect.held, held))
    for entry_id, wanted in sorted(expect.entries.items()):
        entry = entries.get(entry_id)
        objection = entry.get("objection") if entry else None
        got_objection = (objection["outcome"] or "marked") if objection else None
        for name in wanted.__struct_fields__:
            value = getattr(wanted, name)
            if value is None:
                continue
            if entry is None:
                got: object = "(no such entry)"
            elif name == "objection":
                got = got_objection
            else:
                got = entry.get(name)
            out.append(Check(n, f"credit {entry_id} {name}", value, got))
    return out


def _now(store: Store) -> datetime:
    """The world's simulated now, as every command reads it: the file's, else where a world's
    clock starts (never this machine's date: a story's checks are the same on any day)."""
    stored = store.meta_get("clock")
    return datetime.fromisoformat(stored) if stored else DEFAULT_START


def _inbox(world: State, phone: str) -> list[str]:
    """The texts that reached ``phone`` by the world's now, oldest first, as ``sms inbox``
    shows them."""
    with Store(world, read_only=True) as store:
        return [m["text"] for m in arrived(store, phone, _now(store))]


def _same(expected: object, got: object) -> bool:
    """Equal, amounts compared as amounts (``8.5`` is ``8.50``)."""
    if isinstance(expected, str) and isinstance(got, str):
        try:
            return Decimal(expected) == Decimal(got)
        except InvalidOperation:
            return expected == got
    return bool(expected == got)
