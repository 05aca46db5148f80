"""loancli as a library, for support and QA worlds: a record's ticket report and bundle, a
bundle replayed, the story of a record, the built-in scenarios and stories that match a
borrower's words, generated borrowers and worlds filled with them::

    from loancli import api
    from loancli.stories import tickets

    state = api.in_memory()
    done = api.apply(state, answers=happy_path)
    tickets.bundle(state, done.id, "ticket.zip")       # pseudonymised
    tickets.replay("ticket.zip").reproduced            # True
    tickets.find("钱没到账")[0].name                    # a scenario that shows it

Kept apart from :mod:`loancli.api` so that a command which needs none of this (a journey, a
list, a calendar) does not load the story, bundle and report machinery: about 80 ms of
every such process.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Unpack, cast

from loancli.account.hashing import HashGrade
from loancli.api.operations import StatePath, WorldOptions, world_for
from loancli.clock import DEFAULT_START, parse_clock
from loancli.dburl import ServerUrl
from loancli.errors import RuleError, UsageError
from loancli.files import make_folder, write_private
from loancli.i18n import _
from loancli.identity.areas import address_prefixes
from loancli.identity.persona import Persona, age_band, make_persona
from loancli.masking import Private, mask_text
from loancli.questions import QUESTIONS
from loancli.store import MemoryState, location_of
from loancli.stories import finding
from loancli.stories.finding import Found, FoundJson
from loancli.stories.from_record import story_text, tell, world_commands
from loancli.stories.personas import PersonaFiles, write_persona
from loancli.stories.populate import Populated, parse_mix
from loancli.stories.populate import Progress as PopulateProgress
from loancli.stories.populate import populate as fill_world
from loancli.stories.ticket import Bundle, Verdict, build_bundle, read_bundle, write_bundle
from loancli.stories.ticket import replay as replay_bundle
from loancli.support import html_report, reporting

__all__ = [
    "Bundle",
    "Found",
    "FoundJson",
    "Persona",
    "PersonaFiles",
    "PopulateProgress",
    "Populated",
    "Report",
    "Verdict",
    "bundle",
    "find",
    "found_json",
    "found_why",
    "new_persona",
    "persona_place",
    "populate",
    "replay",
    "report",
    "report_html",
    "story_of_record",
]


# -- ticket reports and bundles ----------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """A ticket-ready report of a journey or flow (masked), and the bundle written with it."""

    data: reporting.Report
    bundle: Bundle | None = None
    html: Path | None = None
    # The borrower's words a command the report shows may name (a folder named after them).
    private: Private = ()

    def markdown(self, bundle_command: str | None = None) -> str:
        """The report as a ticket shows it; ``bundle_command`` is the command that makes its
        bundle as it is pasted where the report is read (the state file named, masked)."""
        shown = mask_text(bundle_command, self.private) if bundle_command else None
        return reporting.to_markdown(self.data, shown)


def report(
    state: StatePath,
    record_id: str,
    *,
    bundle: str | os.PathLike[str] | None = None,
    keep_personal_data: bool = False,
    html: str | os.PathLike[str] | None = None,
    **options: Unpack[WorldOptions],
) -> Report:
    """The ticket report of a journey or flow (``report --format json`` is its data); with
    ``bundle``, also write its ticket bundle there (0600), pseudonymised unless
    ``keep_personal_data``, which the report's Reproduce section names; with ``html``, also
    write the report as one self-contained page there (0600; :func:`report_html`)."""
    path = Path(bundle) if bundle is not None else None
    page = Path(html) if html is not None else None
    made = None
    with world_for(state, options, read_only=True) as world:
        today = world.clock.now().date()
        data = reporting.report(world.store, record_id, path.name if path else None, today)
        # What was done on the account, in order: the runs (the account's other journeys and
        # flows too), the clock moves, repayments and re-instalments between them.
        record = reporting.resolve(world.store, data["id"])
        private = reporting.private_of(world.store, record)
        runs = record.get("runs") or []
        # A record whose story cannot be told (a scenario file not kept): its runs alone.
        with contextlib.suppress(UsageError):
            told = tell(world.store, data["id"])
            last = str(runs[-1].get("scenario") or "default") if runs else "default"
            commands = [
                reporting.run_command(record, run, fresh) for record, run, fresh in told.runs
            ]
            data["reproduce"] = world_commands(
                world.store, told.story, last, commands, private, told.other_words
            )
        text = (
            html_report.page(
                world.store,
                data["id"],
                world.clock.now().date(),
                keep_personal_data=keep_personal_data,
            )
            if page is not None
            else None
        )
        if path is not None:
            # Its files by their names alone: the folders are this machine's (a folder named
            # after the borrower among them), and the bundle is what replays elsewhere.
            bundled = _names_only(data)
            made = build_bundle(
                world.store,
                data["id"],
                reporting.to_markdown(bundled),
                bundled,
                keep_personal_data,
            )
    if path is not None and made is not None:
        write_bundle(path, made)
    if page is not None and text is not None:
        # The borrower's journey and loan: the owner's alone, as the bundle is.
        write_private(page, text)
    return Report(data, made, page, tuple(private))


def _names_only(data: reporting.Report) -> reporting.Report:
    """The report as a bundle carries it: each file it names (a command's ``--answers``,
    ``--scenario`` and path answers, the scenarios' names) by its name alone."""
    out = []
    for line in data.get("reproduce") or []:
        try:
            words = shlex.split(line)
        except ValueError:
            out.append(line)
            continue
        named = [_file_word(words[n - 1] if n else "", word) for n, word in enumerate(words)]
        out.append(shlex.join(named) if named != words else line)
    scenario = data["scenario"]
    return {
        **data,
        "reproduce": out,
        "scenario": {**scenario, "name": _file_name(scenario["name"])},
        "scenarios": [{**s, "name": _file_name(s["name"])} for s in data["scenarios"]],
        "clock_scenarios": [{**s, "name": _file_name(s["name"])} for s in data["clock_scenarios"]],
    }


def _file_word(option: str, word: str) -> str:
    """``word``, the value of ``option``, with a file it names by its name alone."""
    if option in _FILE_OPTIONS:
        return _file_name(word)
    key, is_set, value = word.partition("=")
    question = QUESTIONS.get(key.strip())
    if option == "--set" and is_set and question is not None and question.kind == "path":
        return f"{key}={_file_name(value)}"
    return word


def _file_name(text: str) -> str:
    """A path's last part (``/home/张三/answers.yaml``, ``C:\\Users\\x\\a.yaml``: the file's
    name); a name that is none (a built-in scenario's) as it is."""
    return re.split(r"[\\/]", text)[-1] or text


_FILE_OPTIONS = frozenset({"--answers", "--scenario"})


def report_html(
    state: StatePath,
    record_id: str,
    *,
    keep_personal_data: bool = False,
    **options: Unpack[WorldOptions],
) -> str:
    """The report of a journey, flow or loan's journey as one self-contained HTML page (no
    script, nothing loaded from anywhere): the situation, what to tell the borrower in both
    languages, the timeline, each loan's schedule with a chart of principal, interest and
    penalty per installment, the month calendar and the ID images, masked unless
    ``keep_personal_data``. Headings are in the current language."""
    with world_for(state, options, read_only=True) as world:
        return html_report.page(
            world.store, record_id, world.clock.now().date(), keep_personal_data=keep_personal_data
        )


def bundle(
    state: StatePath,
    record_id: str,
    path: str | Path,
    *,
    keep_personal_data: bool = False,
) -> Bundle:
    """Write the ticket bundle of a journey or flow to ``path`` (0600), pseudonymised unless
    ``keep_personal_data``; returns it."""
    done = report(state, record_id, bundle=path, keep_personal_data=keep_personal_data)
    return cast(Bundle, done.bundle)


def story_of_record(
    state: StatePath | MemoryState,
    record_id: str,
    out: str | Path | None = None,
    *,
    keep_personal_data: bool = False,
) -> str:
    """The story of a journey or flow as it happened (its runs, then its loans' clock moves,
    repayments and re-instalments), expecting what it holds now, as YAML, the borrower's
    personal data replaced by stand-ins unless ``keep_personal_data`` (as a bundle's).
    Uploaded images that are not built in are copied beside ``out`` (the file the story will
    be written to), and the story is named after it (``overdue-fee.yaml``: ``overdue-fee``),
    so that the stories of two tickets, each of record A0001, check together."""
    folder = Path(out).parent if out is not None else None
    name = _story_name(Path(out).stem) if out is not None else None
    with world_for(state, {}, read_only=True) as world:
        return story_text(
            world.store, record_id, folder, keep_personal_data=keep_personal_data, name=name
        )


def _story_name(stem: str) -> str:
    """A story's name from a file's: ``Overdue fee 2.yaml``, ``overdue-fee-2``. A name holds
    ASCII letters, digits and ``-`` alone, so a file named otherwise (``逾期扣款.yaml``) adds
    eight hex digits of its name, which tell two such files apart."""
    name = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    if re.fullmatch(r"[a-zA-Z0-9 ._-]+", stem) and name:
        return name[:64].strip("-")
    digest = hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{name[:55].strip('-')}-{digest}" if name else f"story-{digest}"


def replay(
    path: str | Path,
    state: str | Path | ServerUrl | MemoryState | None = None,
    hashing: HashGrade | None = None,
) -> Verdict:
    """Replay a ticket bundle in a fresh world (``state``, new, hashing passwords at
    ``hashing``; else a temporary one) and compare: the :class:`Verdict` says reproduced, or
    the first event that differs."""
    world = location_of(state) if state is not None else None
    return replay_bundle(read_bundle(Path(path)), world, where=str(path), hashing=hashing)


def find(words: str, lang: str | None = None) -> list[Found]:
    """The built-in scenarios and stories that best match a complaint as a borrower says it
    (钱没到账, code expired), a name, a reason code or a step: the best five, best first, each
    with the command that reproduces it from any folder (in ``lang`` when one is given)."""
    return finding.find(words, lang=lang)


def found_json(found: Found) -> FoundJson:
    """A found scenario or story as ``--json`` gives it: name, kind, reason, score, command."""
    return finding.as_json(found)


def found_why(found: Found) -> str:
    """What in a found scenario or story matched the words, in the current language."""
    return finding.why(found)


# -- generated borrowers ---------------------------------------------------------------------


def new_persona(
    *,
    seed: int = 0,
    age: str | None = None,
    sex: str | None = None,
    province: str | None = None,
    bank: str | None = None,
    clock: str | None = None,
    out: Path | None = None,
) -> tuple[Persona, PersonaFiles | None]:
    """A generated borrower whose traits agree (ID number, card, phone, contacts), aged on
    ``clock``'s date (the default start without one); with ``out``, its answers file and ID
    card images written into that folder (0600). Refusals name ``age``, ``sex``, ``province``,
    ``bank``, ``clock`` or ``out``."""
    try:
        today = parse_clock(clock).date() if clock else DEFAULT_START.date()
    except ValueError as exc:
        raise RuleError("clock", str(exc)) from None
    persona = make_persona(
        seed,
        age=age_band(age) if age is not None else None,
        sex=sex,
        province=province,
        bank=bank,
        today=today,
    )
    if out is not None and out.exists() and not out.is_dir():
        raise RuleError("out", _("{path} is a file; give a directory").format(path=out))
    return persona, (write_persona(persona, out) if out is not None else None)


def persona_place(persona: Persona) -> str:
    """The part of a persona's address its ID number's area code names (广东省深圳市南山区)."""
    prefix = address_prefixes().get(persona.area, "")
    return persona.address[: persona.address.find(prefix) + len(prefix)] if prefix else ""


def populate(
    state: StatePath,
    count: int,
    *,
    seed: int = 0,
    mix: str | None = None,
    months: int = 12,
    clock: str | None = None,
    scenario: str | None = None,
    images: Path | None = None,
    jobs: int = 1,
    on_progress: PopulateProgress | None = None,
    hashing: HashGrade | None = None,
) -> Populated:
    """Fill the world of ``state`` with ``count`` generated borrowers through real journeys
    (see :func:`loancli.stories.populate.populate`); ``mix`` is read as ``KIND=WEIGHT,...``.
    A world's ``scenario`` is refused: populate runs its own mix of built-in scenarios.
    ``hashing`` is a new world's password-hashing grade (default ``fast``)."""
    if scenario:
        raise RuleError(
            "scenario", _("populate runs its own mix of built-in scenarios; leave out --scenario")
        )
    if images is not None:
        if images.exists() and not images.is_dir():
            # A file (a FIFO, a device) where the folder goes: bad input, named, not a write
            # that failed ("cannot write: File exists", exit 4).
            raise RuleError(
                "images",
                _("{path} is not a folder; give a folder, or the name of a new one").format(
                    path=images
                ),
            )
        make_folder(images)  # before the world is touched: a folder it cannot make refuses all
    return fill_world(
        state,
        count,
        seed=seed,
        mix=parse_mix(mix) if mix is not None else None,
        months=months,
        clock=clock,
        images=images,
        jobs=jobs,
        on_progress=on_progress,
        hashing=hashing,
    )
