"""``loancli check``: many stories at once, each in its own in-memory world, with a verdict.

Stories are collected from the built-in library and the files and folders given, split into
stable shards (a hash of each story's name, so adding a story never moves another), multiplied
over a matrix of answer values, and played on both cores. The report is data (:class:`CaseResult`)
that the CLI prints, writes as JSON, or as JUnit XML (one test case per story, one failure per
unmet expectation).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, TypedDict, cast

import msgspec

from loancli.api.operations import Answer
from loancli.asking import read_yaml
from loancli.errors import LoanCliError, RuleError, UsageError
from loancli.i18n import _
from loancli.stories.format import Person, Persona
from loancli.stories.runner import (
    BUILTIN_STORIES,
    STORY_MAX_BYTES,
    LoadedStory,
    builtin_answers,
    builtin_story_names,
    check_label,
    check_value,
    load_story,
    run_story,
)
from loancli.text import whole
from loancli.validation import regular_file_problem

# Answer keys a matrix may vary, and the persona's traits.
MATRIX_ANSWERS = ("amount", "term", "method", "monthly_income", "card_type")
MATRIX_PERSONA = ("age", "sex", "province", "bank")


@dataclass(frozen=True)
class Shard:
    """``K/N``: the K-th of N shards (1-based)."""

    k: int
    n: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        k, sep, n = text.partition("/")
        if not sep or not (k.isascii() and k.isdigit() and n.isascii() and n.isdigit()):
            raise UsageError(_("write the shard as K/N, e.g. 2/3"), key="shard")
        if whole(k) is None or whole(n) is None:
            raise UsageError(_("a shard K/N has 1 <= K <= N"), key="shard")
        shard = cls(int(k), int(n))
        if not 1 <= shard.k <= shard.n:
            raise UsageError(_("a shard K/N has 1 <= K <= N"), key="shard")
        return shard

    def holds(self, name: str) -> bool:
        """Whether the story ``name`` is in this shard: by a hash of its name alone."""
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.n == self.k - 1


@dataclass(frozen=True)
class Case:
    """A story to play, maybe with matrix values over its person's answers."""

    story: LoadedStory
    values: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        if not self.values:
            return self.story.name
        return f"{self.story.name}[{','.join(f'{k}={v}' for k, v in self.values)}]"


@dataclass
class Failure:
    action: int
    label: str
    what: str
    expected: object
    got: object

    def sentence(self) -> str:
        return _("action {n} ({label}): {what}: expected {expected}, got {got}").format(
            n=self.action,
            label=self.label,
            what=check_label(self.what),
            expected=check_value(self.expected),
            got=check_value(self.got),
        )


@dataclass
class CaseResult:
    """One case's verdict: passed, failed (unmet expectations) or error (refused by loancli)."""

    name: str
    title: str
    source: str
    seconds: float
    checks: int
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None
    # The error is that the story could not be read (JUnit ``type="unreadable"``), not that
    # loancli refused what it played.
    unreadable: bool = False

    @property
    def status(self) -> str:
        return "error" if self.error else "failed" if self.failures else "passed"


class UnreadableStories(UsageError):
    """Stories a check cannot read, every one of them (not only the first): each one's file
    and what is wrong with it. Nothing was played; ``results`` are their JUnit error cases."""

    def __init__(self, problems: list[tuple[str, UsageError]]) -> None:
        self.results = [
            CaseResult(
                name=Path(source).stem,
                title="",
                source=source,
                seconds=0.0,
                checks=0,
                error=problem.unkeyed,
                unreadable=True,
            )
            for source, problem in problems
        ]
        if len(problems) == 1:
            message = problems[0][1].unkeyed
        else:
            message = _("{n} stories cannot be read:").format(n=len(problems)) + "".join(
                f"\n  {problem.unkeyed}" for _source, problem in problems
            )
        super().__init__(message, key="paths")

    def junit(self) -> str:
        """The refusal as JUnit XML, an ``error`` case per story (CI keeps a report)."""
        return junit_xml(self.results)


def collect(paths: Sequence[Path] = (), builtin: bool = True) -> list[LoadedStory]:
    """The built-in stories (unless ``builtin`` is False) and every story in ``paths`` (a
    file, or a folder searched for ``*.yaml`` and ``*.yml`` files that are stories). None at
    all is refused: a check of nothing is no pass. Stories that cannot be read are refused
    together (:class:`UnreadableStories`), each named, once every one has been read."""
    found = [load_story(name) for name in builtin_story_names()] if builtin else []
    problems: list[tuple[str, UsageError]] = []

    def read(file: Path, folder: Path | None = None) -> None:
        try:
            if folder is not None:
                _inside(file, folder)
            found.append(load_story(file))
        except UsageError as exc:
            problems.append((str(file), exc))

    for path in paths:
        if path.is_dir():
            files = sorted([*path.rglob("*.yaml"), *path.rglob("*.yml")])
            for file in files:
                if _is_story(file):
                    read(file, path)
        else:
            read(path)
    if problems:
        raise UnreadableStories(problems)
    if not found:
        raise UsageError(
            _("no stories to check in {paths}").format(
                paths=", ".join(str(p) for p in paths) or "--no-builtin"
            ),
            key="paths",
        )
    names = [s.name for s in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(
            _("two stories are named {names}; a story's name is its id").format(
                names=", ".join(twice)
            ),
            key="paths",
        )
    return found


def _inside(file: Path, folder: Path) -> None:
    """Refuse a file of ``folder`` that is a link to a file outside it: its story would be
    read, and its images uploaded, from that other folder (a folder's stories are the
    folder's alone; a file named on the command line is read wherever it is)."""
    if not file.resolve().is_relative_to(folder.resolve()):
        raise UsageError(
            _(
                "{file} is a link to a file outside {folder}; a folder's stories are read from "
                "it alone: copy the story in, or name the file itself"
            ).format(file=file, folder=folder),
            key="paths",
        )


def _is_story(file: Path) -> bool:
    """A YAML file that is a mapping with a ``story`` key, however it is written (``---``
    first, the key quoted or not first, flow style, a BOM); one that cannot be read as YAML
    but names a ``story`` key is taken too, so loading it says what is wrong (a story is
    never passed over in silence). A scenario or answers file is none, and so is a FIFO or
    device in the folder (it would block the read)."""
    import yaml

    if regular_file_problem(file):
        return False
    try:
        with file.open("rb") as handle:
            raw = handle.read(STORY_MAX_BYTES + 1)
    except OSError:
        return False
    text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
    try:
        data = read_yaml(text, typed=True, tags=False)
    except (yaml.YAMLError, ValueError, RecursionError):  # YamlTooComplex is a ValueError
        return _STORY_KEY.search(text) is not None
    return isinstance(data, dict) and "story" in data


# A ``story`` key as YAML may write it: at a line's start or after ``{``/``,``, quoted or not.
_STORY_KEY = re.compile(r"""(?m)(?:^|[{,])\s*["']?story["']?\s*:""")


def parse_matrix(items: Iterable[str]) -> dict[str, list[str]]:
    """``KEY=V1,V2`` items as {key: values}; keys are answer keys or persona traits. A key
    given again adds its values; a value given twice (as the story takes it: ``女`` is
    ``female``) is one case."""
    out: dict[str, list[str]] = {}
    meanings: dict[str, list[object]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or key not in (*MATRIX_ANSWERS, *MATRIX_PERSONA):
            raise UsageError(
                _("write KEY=V1,V2 with KEY one of {keys}").format(
                    keys=", ".join((*MATRIX_ANSWERS, *MATRIX_PERSONA))
                ),
                key="matrix",
            )
        parts = [v.strip() for v in values.split(",") if v.strip()]
        if not parts:
            raise UsageError(_("{key}: give at least one value").format(key=key), key="matrix")
        values_now = out.setdefault(key, [])
        for value in parts:
            shown, meant = _matrix_value(key, value)
            if meant not in meanings.setdefault(key, []):
                meanings[key].append(meant)
                values_now.append(shown)
    return out


def _matrix_value(key: str, value: str) -> tuple[str, object]:
    """One value of the matrix as a story takes it, checked before any story is played: the
    value to play and name the case by, and what it means (``女`` is ``female``, ``6期`` is
    6, ``1.5万`` is 15000), by which a value given twice is one case. An answer is read as
    its question reads it, a trait as a persona is made from it; else a ``UsageError`` on
    ``matrix`` saying ``KEY: why``."""
    if key in MATRIX_ANSWERS:
        from loancli.asking import scripted_value
        from loancli.questions import QUESTIONS

        try:
            return value, scripted_value(QUESTIONS[key], value, Path.cwd())
        except ValueError as exc:
            raise UsageError(f"{key}: {exc}", key="matrix") from None
    # Named as first written, one case by what it means (广东, 广东省 and Guangdong are one
    # province; 女 is female).
    return value, _trait(key, value)


def _trait(key: str, value: str) -> str:
    """What a persona trait means, as a persona is made from it (``女`` is ``female``, an age
    one number, a province its code, a bank its code)."""
    from loancli.identity.banks import find_bank
    from loancli.identity.persona import age_band, find_province, parse_sex

    try:
        if key == "age":
            low, high = age_band(value)
            if low != high:
                raise RuleError("age", _("write one age, such as 35"))
            return str(low)
        if key == "sex":
            return parse_sex(value)
        if key == "province":
            return find_province(value).code
        if key == "bank":
            return find_bank(value).code
    except RuleError as exc:
        raise UsageError(str(exc), key="matrix") from None
    return value


def cases(
    stories: Sequence[LoadedStory],
    shard: Shard | None = None,
    matrix: dict[str, list[str]] | None = None,
) -> list[Case]:
    """The cases to play: the stories of this shard, each once per matrix combination."""
    chosen = [s for s in stories if shard is None or shard.holds(s.name)]
    if not matrix:
        return [Case(s) for s in chosen]
    keys = sorted(matrix)
    combos = [
        tuple(zip(keys, values, strict=True))
        for values in itertools.product(*(matrix[k] for k in keys))
    ]
    return [Case(s, combo) for s in chosen for combo in combos]


def _with_values(story: LoadedStory, values: tuple[tuple[str, str], ...]) -> LoadedStory:
    """The story with the matrix's answer values over its person's answers and its persona's
    traits set."""
    if not values:
        return story
    person = story.story.person
    # A built-in answers set holds what a story's answers may (texts, numbers, yes or no).
    answers: dict[str, Answer] = dict(
        person.answers
        if isinstance(person.answers, dict)
        else cast("dict[str, Answer]", builtin_answers(person.answers))
    )
    persona = person.persona
    traits: dict[str, object] = {}
    for key, value in values:
        if key in MATRIX_ANSWERS:
            answers[key] = value
        else:
            # The persona is made from what the value means (女 is female), the case named
            # as it was written.
            meant = _trait(key, value) if key in ("age", "sex") else value
            traits[key] = int(meant) if key == "age" else meant
    if traits:
        base = msgspec.to_builtins(persona) if persona is not None else {}
        persona = msgspec.convert({**base, **traits}, Persona)
    changed = msgspec.structs.replace(story.story, person=Person(answers=answers, persona=persona))
    return LoadedStory(changed, story.name, story.source, story.folder, story.expects)


def play(case: Case) -> CaseResult:
    """One case in its own in-memory world."""
    started = time.perf_counter()
    story = case.story
    try:
        run = run_story(_with_values(story, case.values))
    except LoanCliError as exc:
        return CaseResult(case.name, story.title, story.source, 0.0, 0, error=str(exc))
    failures = [
        Failure(r.index, r.label, c.what, c.expected, c.got)
        for r in run.results
        for c in r.checks
        if not c.ok
    ]
    errors = [f"action {r.index} ({r.label}): {r.error}" for r in run.results if r.error]
    return CaseResult(
        case.name,
        story.title,
        story.source,
        time.perf_counter() - started,
        sum(len(r.checks) for r in run.results),
        failures,
        errors[0] if errors else None,
    )


def run_cases(todo: Sequence[Case], jobs: int | None = None) -> list[CaseResult]:
    """Play every case, on ``jobs`` processes (1 to 64; default: every core), in order of
    ``todo``."""
    if jobs is not None and not 1 <= jobs <= 64:
        raise RuleError("jobs", _("give 1 to 64 processes"))
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(todo) <= 1:
        return [play(c) for c in todo]
    # The first case is played here: it loads what every case shares (the modules a journey
    # imports, the products, the built-in photos' measures, the slow keys of the presets'
    # secrets), some 0.2 s a process, and workers forked from this process start with it
    # instead of each loading it again. Where fork is not offered, they start as Python does.
    first = play(todo[0])
    rest = todo[1:]
    fork = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if fork else None
    # Ctrl-C at a terminal reaches every process of its group: the workers leave it to this
    # one, which hands out no more cases and ends the workers (what they were playing is
    # thrown away with the rest), so no worker prints a traceback or is waited for.
    # While the workers are forked, a Ctrl-C waits (blocked): one that came then killed a
    # worker before it could ignore it, or was lost in the parent's after-fork clean-up.
    chunk = max(1, len(rest) // (workers * 4))
    with _one_interrupt():
        return _on_workers(first, rest, workers, context, chunk)


def _on_workers(
    first: CaseResult,
    rest: Sequence[Case],
    workers: int,
    context: multiprocessing.context.BaseContext | None,
    chunk: int,
) -> list[CaseResult]:
    pool: ProcessPoolExecutor | None = None
    try:
        with _interrupts_held():  # a Ctrl-C held comes when this block ends: in the try
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_leave_interrupts_to_the_parent,
            )
            results = pool.map(play, rest, chunksize=chunk)  # forks the workers, hands out
        played = [first, *results]
    except BaseException:
        if pool is not None:
            _end_workers(pool)
        raise
    pool.shutdown()
    return played


@contextlib.contextmanager
def _one_interrupt() -> Iterator[None]:
    """In the main thread, the first Ctrl-C raises KeyboardInterrupt and the next ones are
    ignored from that moment, until the block has ended the workers: a second one that came
    a millisecond after the first broke the ending half-way, leaving a case's lock held that
    the exit then waited on for ever. The handler before is put back after."""
    # Only over Python's own: a library caller's handler (or an ignored SIGINT) is its own.
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return

    def first_only(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGINT, first_only)
    try:
        yield
    finally:
        if before is not None:
            signal.signal(signal.SIGINT, before)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """SIGINT blocked in this thread (the main one: where Python takes it) for the block,
    then delivered if it came; as it is elsewhere."""
    hold = hasattr(signal, "pthread_sigmask") and (
        threading.current_thread() is threading.main_thread()
    )
    if hold:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if hold:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _leave_interrupts_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # forked with it blocked: one that came is dropped
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        # And die with the parent (PR_SET_PDEATHSIG): a worker forked while a Ctrl-C reached
        # the parent is on no list the parent ends, and would wait for a case for ever.
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


def _end_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel the cases not handed out and end the workers playing the others (Python 3.14's
    ``terminate_workers``; before it, the executor's own list of its processes, taken before
    ``shutdown`` empties it). The exit then waits for no worker: a second Ctrl-C while it
    waited on one that held a queue's lock hung the run."""
    # The executor's workers, and every child multiprocessing knows of (one being started
    # when the Ctrl-C came is on the second list before the first).
    known = (getattr(pool, "_processes", None) or {}).values()
    manager = getattr(pool, "_executor_manager_thread", None)  # also gone after shutdown
    workers = list({id(p): p for p in [*known, *multiprocessing.active_children()]}.values())
    # SIGPIPE is ignored from here on (Python's own default; the console script dies of it,
    # as ``| head`` wants): a case still being handed to a worker that is gone breaks its
    # pipe, an error for that case (thrown away), not the end of this process. A second
    # Ctrl-C waits while the workers are ended; the handler before is put back after, for a
    # library caller. (Only the main thread may set either; there is no SIGPIPE on Windows.)
    with contextlib.suppress(ValueError, AttributeError):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    try:
        before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:
        before = None
    try:
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.terminate()
        for process in workers:
            with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
                process.join(5)
        # And the executor's own thread, which closes its wake-up pipe as it ends: Python's
        # exit writes to that pipe, and while the two raced, it printed "Exception ignored
        # ... Bad file descriptor" after a double Ctrl-C.
        if isinstance(manager, threading.Thread) and manager is not threading.current_thread():
            manager.join(5)
    finally:
        if before is not None:
            signal.signal(signal.SIGINT, before)


class StoryVerdict(TypedDict):
    """One case of ``check --json``."""

    name: str
    status: str
    checks: int
    seconds: NotRequired[float]
    failures: list[str]
    error: str | None


class CheckDocument(TypedDict):
    """``check --json``: how many cases passed, failed and erred, and each case."""

    passed: int
    failed: int
    errors: int
    stories: list[StoryVerdict]


@dataclass
class CheckRun:
    """What ``check`` played: each case's verdict, in a stable order."""

    results: list[CaseResult]

    @property
    def ok(self) -> bool:
        """Whether every case passed (exit 0; else 3)."""
        return all(r.status == "passed" for r in self.results)

    @property
    def passed(self) -> int:
        return sum(r.status == "passed" for r in self.results)

    def document(self, timings: bool = False) -> CheckDocument:
        """The run as ``check --json`` prints it (with each case's seconds if ``timings``:
        then no rerun is alike)."""
        stories: list[StoryVerdict] = []
        for r in self.results:
            # The seconds, when asked for, after the checks (the keys keep their order).
            verdict: dict[str, object] = {"name": r.name, "status": r.status, "checks": r.checks}
            if timings:
                verdict["seconds"] = round(r.seconds, 3)
            verdict["failures"] = [f.sentence() for f in r.failures]
            verdict["error"] = r.error
            stories.append(cast("StoryVerdict", verdict))
        return CheckDocument(
            passed=self.passed,
            failed=sum(r.status == "failed" for r in self.results),
            errors=sum(r.status == "error" for r in self.results),
            stories=stories,
        )

    def junit(self, timings: bool = False) -> str:
        """The run as JUnit XML (:func:`junit_xml`)."""
        return junit_xml(self.results, timings=timings)


def check(
    paths: str | Path | Sequence[str | Path] = (),
    *,
    builtin: bool = True,
    shard: str | None = None,
    matrix: Sequence[str] = (),
    jobs: int | None = None,
) -> CheckRun:
    """``loancli check``: every story (the built-in ones unless ``builtin`` is false, and
    those in ``paths``, files or folders) of the shard ``K/N``, once per combination of the
    ``matrix``'s values (``KEY=V1,V2``), each in its own world on ``jobs`` processes; the
    results in a stable order. A story that cannot be read, a bad shard or matrix: a
    ``UsageError`` naming it, before any story is played."""
    given = [paths] if isinstance(paths, str | Path) else paths  # one file or folder
    todo = cases(
        collect([Path(p) for p in given], builtin=builtin),
        Shard.parse(shard) if shard is not None else None,
        parse_matrix(matrix),
    )
    return CheckRun(run_cases(todo, jobs))


def junit_xml(
    results: Sequence[CaseResult], suite: str = "loancli stories", *, timings: bool = False
) -> str:
    """JUnit XML: one test case per story, one ``failure`` per unmet expectation, an ``error``
    for a story loancli refused. The same bytes on every rerun, on any machine: a built-in
    story's file named from the package's folder, and no time unless ``timings``."""
    from xml.etree import ElementTree as ET

    def xml(text: str) -> str:
        # XML 1.0 has no control characters (but tab and newlines): a story's name or an
        # answer that holds one is written as its escape, or the file would not parse.
        return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape").decode(), text)

    root = ET.Element("testsuites")

    def took(seconds: float) -> dict[str, str]:
        return {"time": f"{seconds:.3f}"} if timings else {}

    suite_attributes = {
        "name": suite,
        "tests": str(len(results)),
        "failures": str(sum(1 for r in results if r.status == "failed")),
        "errors": str(sum(1 for r in results if r.status == "error")),
        "skipped": "0",
        **took(sum(r.seconds for r in results)),
    }
    node = ET.SubElement(root, "testsuite", attrib=suite_attributes)
    for result in results:
        case_attributes = {
            "classname": "loancli.stories",
            "name": xml(result.name),
            "file": xml(_file_of(result.source)),
            **took(result.seconds),
        }
        case = ET.SubElement(node, "testcase", attrib=case_attributes)
        for failure in result.failures:
            sentence = xml(failure.sentence())
            element = ET.SubElement(case, "failure", message=sentence, type="expectation")
            element.text = sentence
        if result.error:
            error = xml(result.error)
            kind = "unreadable" if result.unreadable else "refused"
            element = ET.SubElement(case, "error", message=error, type=kind)
            element.text = error
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _file_of(source: str) -> str:
    """A story's file as a report names it: a built-in's from the package's folder
    (``loancli/data/stories/x.yaml``, wherever loancli is installed), another as given."""
    path = Path(source)
    package = BUILTIN_STORIES.parent.parent.parent
    return path.relative_to(package).as_posix() if path.is_relative_to(package) else source


# What XML 1.0 cannot hold: control characters but tab, LF and CR; lone surrogates; two
# non-characters.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def builtin_folder() -> Path:
    return BUILTIN_STORIES
