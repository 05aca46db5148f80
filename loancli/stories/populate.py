"""``loancli populate``: a world of many generated borrowers, each through a real journey
(:func:`loancli.api.operations.apply`), their loans of different ages.

The borrowers apply one after another over ``months`` of simulated time from the world's
clock; between applications the clock moves on, installments fall due, and each borrower
behaves as the mix says:

- ``completed``: the journey completes and every installment is repaid on time (up to three
  days early), so by the end some loans are still running and the short ones are paid off;
- ``settled``: the journey completes, installments are repaid on time, then the whole loan is
  settled early (提前结清) on a day between;
- ``overdue``: the journey completes, at most the first installments are repaid, then nothing:
  by the end at least one installment is overdue, with penalty;
- ``stopped``: the journey stops where a built-in scenario stops it (a frozen card, a review
  that rejects, an SMS code entered too late or arriving late, a blurry ID photo, a face that
  does not match, a borrower who declines the quote, a closed card) or where the lender's age
  band does (a borrower older than the product lends to).

Each borrower is a persona (:mod:`loancli.identity.persona`) of seed ``seed * 1_000_000 + n``
(another one where that repeats a mobile or ID number already in the world), made on the day
they apply; ``loancli persona new --seed S`` shows the same person on the same day.

A world on a state file that holds no records yet is made in memory and written once at the
end (:meth:`loancli.store.Store.restore`, as ``state convert`` writes): every operation on a
JSON file rewrites the whole file, so writing once is what keeps a large world fast. A state
file that already holds records is added to in place, one operation at a time.
"""

from __future__ import annotations

import functools
import heapq
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, TypeVar

from loancli.account.hashing import HashGrade
from loancli.api import operations
from loancli.clock import Rng
from loancli.dburl import ServerUrl
from loancli.errors import RuleError
from loancli.i18n import _
from loancli.identity.persona import MAX_AGE, Persona, make_persona
from loancli.loan.loans import loan_view
from loancli.records import ACCOUNTS, APPLICANTS, LOANS, META, Loan
from loancli.store import Location, MemoryState, Store, location_of
from loancli.store.admin import HASHING_KEY
from loancli.stories.personas import with_persona
from loancli.world.demo import HAPPY_PATH
from loancli.world.scenario import Scenario, load_scenario

# The temporary folder the borrowers' ID images are drawn into without --images (removed at
# the end: a bundle of such a journey cannot read them).
IMAGES_PREFIX = "loancli-populate-"

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

R = TypeVar("R")

KINDS = ("completed", "settled", "overdue", "stopped")
DEFAULT_MIX = {"completed": 70, "settled": 10, "overdue": 5, "stopped": 15}
# Why a stopped journey stops: a built-in scenario each, or the age band (a borrower too old).
TOO_OLD = "too-old"
STOPPED = (
    "frozen-card",
    "review-rejected",
    "sms-too-slow",
    "sms-delayed",
    "blurry-id",
    "face-mismatch",
    "borrower-declines",
    "closed-card",
    TOO_OLD,
)
MIN_MONTHS = 3
MAX_MONTHS = 120
MAX_COUNT = 1_000_000
# The latest an overdue borrower applies before the end: the first installment falls due
# within about a month, and goes overdue after the grace period.
OVERDUE_LEAD = timedelta(days=60)
SETTLE_LEAD = timedelta(days=45)
# Terms and methods as borrowers choose them (how often each).
TERMS = ((3, 2), (6, 3), (12, 4), (24, 1), (36, 1))
METHODS = (("equal_installment", 6), ("equal_principal", 2), ("interest_first", 1))
PERSONA_SEEDS = 1_000_000


def parse_mix(text: str) -> dict[str, int]:
    """``completed=80,stopped=15,overdue=5`` as weights by kind (a kind left out: 0); a
    ``RuleError`` on ``mix`` says what is wrong."""
    out = dict.fromkeys(KINDS, 0)
    for item in text.split(","):
        if not item.strip():
            continue
        kind, sep, number = item.partition("=")
        kind, number = kind.strip(), number.strip()
        if not sep or kind not in KINDS or not (number.isascii() and number.isdigit()):
            raise RuleError(
                "mix",
                _("write KIND=WEIGHT,... with KIND one of {kinds}, e.g. {example}").format(
                    kinds=", ".join(KINDS), example="completed=80,stopped=15,overdue=5"
                ),
            )
        out[kind] = int(number[:9])
    if not any(out.values()):
        raise RuleError("mix", _("give at least one kind a weight above 0"))
    return out


def counts(mix: dict[str, int], total: int) -> dict[str, int]:
    """How many of ``total`` borrowers each kind gets: its share of the weights, the
    remainders going to the largest fractions (so they add up to ``total`` exactly)."""
    weight = sum(mix.values())
    exact = {k: total * mix.get(k, 0) / weight for k in KINDS}
    out = {k: int(v) for k, v in exact.items()}
    left = total - sum(out.values())
    for kind in sorted(KINDS, key=lambda k: (-(exact[k] - out[k]), KINDS.index(k)))[:left]:
        out[kind] += 1
    return out


class ClockSpan(TypedDict):
    start: str
    end: str


class PopulatedData(TypedDict):
    """What ``populate --json`` prints."""

    path: str
    written: str
    applicants: int
    first: str | None
    last: str | None
    planned: dict[str, int]
    outcomes: dict[str, int]
    stopped: dict[str, int]
    loans: dict[str, int]
    repayments: int
    clock: ClockSpan
    # How long it took: only asked for (``--timings``), as no rerun takes as long.
    seconds: NotRequired[float]
    write_seconds: NotRequired[float]
    journeys_per_second: NotRequired[float]


@dataclass
class Populated:
    """What ``populate`` made: how many borrowers of each kind were planned and what each
    became (``outcomes``: the same kinds, read back from the world), the journeys' stops by
    reason, the loans by state at the end, and how long it took."""

    path: str
    written: str  # "once" (made in memory, written at the end), "in place" or "memory"
    applicants: list[str]
    planned: dict[str, int]
    outcomes: dict[str, int]
    stopped: dict[str, int]
    loans: dict[str, int]
    repayments: int
    start: str
    end: str
    seconds: float
    write_seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.applicants) / self.seconds if self.seconds else 0.0

    def data(self, timings: bool = False) -> PopulatedData:
        """What ``--json`` prints: the same bytes on every rerun of the same command, unless
        ``timings`` adds how long it took."""
        data: PopulatedData = {
            "path": self.path,
            "written": self.written,
            "applicants": len(self.applicants),
            "first": self.applicants[0] if self.applicants else None,
            "last": self.applicants[-1] if self.applicants else None,
            "planned": self.planned,
            "outcomes": self.outcomes,
            "stopped": self.stopped,
            "loans": self.loans,
            "repayments": self.repayments,
            "clock": {"start": self.start, "end": self.end},
        }
        if timings:
            data["seconds"] = round(self.seconds, 3)
            data["write_seconds"] = round(self.write_seconds, 3)
            data["journeys_per_second"] = round(self.per_second, 2)
        return data


@dataclass
class _Plan:
    n: int
    kind: str
    at: datetime
    scenario: str  # "default", a stopped scenario's name, or TOO_OLD
    behaviour: Rng
    persona: Persona | None = None
    applicant: str | None = None
    loan: str | None = None


@dataclass(order=True)
class _Event:
    at: datetime
    order: int
    what: str = field(compare=False)  # apply | pay | settle
    plan: _Plan = field(compare=False)
    installment: int = field(default=0, compare=False)


Progress = Callable[[int, int, operations.RunResult], None]


def populate(
    state: operations.StatePath,
    count: int,
    *,
    seed: int = 0,
    mix: dict[str, int] | None = None,
    months: int = 12,
    clock: str | datetime | None = None,
    images: Path | None = None,
    jobs: int = 1,
    on_progress: Progress | None = None,
    hashing: HashGrade | None = None,
) -> Populated:
    """Add ``count`` generated borrowers to the world of ``state`` (a state file, None for the
    default one, or a :class:`MemoryState`), over ``months`` of simulated time from its clock
    (moved to ``clock`` first, if given), in the ``mix`` of kinds (weights; default
    :data:`DEFAULT_MIX`). Their ID card images are drawn into ``images`` (kept: bundles of
    their journeys read them), else into a temporary folder removed at the end; with ``jobs``
    above 1, that many processes draw them while the journeys run (a borrower's images are
    the same bytes whoever draws them). ``on_progress`` hears of each journey as it ends.
    ``hashing`` is the grade a new world hashes the borrowers' passwords at (default ``fast``:
    generated borrowers' passwords protect nothing); a world that exists keeps its own. A new
    server world records it with its first write, so a populate refused before it wrote
    anything leaves the world as it was."""
    if not 1 <= count <= MAX_COUNT:
        raise RuleError("count", _("give a count from 1 to {most}").format(most=f"{MAX_COUNT:,}"))
    if not 1 <= jobs <= 64:
        raise RuleError("jobs", _("give 1 to 64 processes"))
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise RuleError(
            "months",
            _("the borrowers apply over {low} to {high} months").format(
                low=MIN_MONTHS, high=MAX_MONTHS
            ),
        )
    started = time.perf_counter()
    target, work, written = _worlds(state)
    grade: HashGrade = hashing or "fast"
    if clock is not None:
        try:
            operations.set_clock(work, clock, hashing=grade)
        except RuleError as exc:
            raise RuleError("clock", exc.unkeyed) from None
    folder = images or Path(tempfile.mkdtemp(prefix=IMAGES_PREFIX))
    try:
        maker = _Maker(work, seed, folder, Rng(seed, "populate"), grade)
        planned = counts(mix or DEFAULT_MIX, count)
        plans = maker.plan(planned, months)
        with _drawing(jobs) as pool:
            maker.run(plans, pool, on_progress)
        outcomes, stopped, loans = _read_back(work, plans, maker.end.date())
        seconds = time.perf_counter() - started
        write_started = time.perf_counter()
        if written == "once":
            assert isinstance(target, Path)
            _write_once(target, work, create_dirs=state is None, grade=grade)
        write_seconds = time.perf_counter() - write_started
    finally:
        if images is None:
            shutil.rmtree(folder, ignore_errors=True)
    return Populated(
        path=str(target),
        written=written,
        applicants=[p.applicant for p in plans if p.applicant],
        planned=planned,
        outcomes=outcomes,
        stopped=stopped,
        loans=loans,
        repayments=maker.repayments,
        start=maker.start.isoformat(),
        end=maker.end.isoformat(),
        seconds=seconds + write_seconds,
        write_seconds=write_seconds,
    )


def _worlds(state: operations.StatePath) -> tuple[Location, Location, str]:
    """Where the world ends up, where it is made, and how it is written; a file that cannot be
    written is refused now, not after the journeys. A server's world is filled in place: other
    machines may be filling it too."""
    where = location_of(state)
    if isinstance(where, MemoryState):
        return where, where, "memory"
    if isinstance(where, ServerUrl):
        with Store(where):
            pass  # a writer's open makes the schema (or takes it forward), once
        return where, where, "in place"
    path = where
    if path.exists():
        with Store(path, read_only=True) as store:
            if store.tables():
                return path, path, "in place"
    folder = path.parent
    if state is not None and not folder.is_dir():
        raise RuleError("db", _("the directory {parent} does not exist").format(parent=folder))
    if folder.is_dir() and not os.access(folder, os.W_OK):
        raise RuleError("db", _("{path} cannot be written (no permission)").format(path=path))
    return path, MemoryState(), "once"


def _write_once(path: Path, memory: Location, create_dirs: bool, grade: HashGrade) -> None:
    """Write the world made in memory into the new state file, every record checked as a
    state file's records are when it is opened."""
    assert isinstance(memory, MemoryState)
    with Store(path, create_dirs=create_dirs) as store:
        schema = store.dump()
        if any(name != META for name in schema):
            raise RuleError(
                "db",
                _("{path} was written by another command meanwhile; nothing was added").format(
                    path=path
                ),
            )
        data = memory.data
        meta = {**schema.get("meta", {}), **data.get("meta", {})}
        if not any(m.get("key") == HASHING_KEY for m in meta.values()):
            # Made in memory, its accounts hash at ``grade``: the file says so (a file that
            # names no grade reads as OWASP's, which cheap hashes are not).
            number = max((int(n) for n in meta if str(n).isdigit()), default=0) + 1
            meta[str(number)] = {"key": HASHING_KEY, "value": grade}
        store.restore({**data, "meta": meta})


class _Maker:
    """The borrowers' plans and the simulated months they live through."""

    def __init__(
        self, world: Location, seed: int, images: Path, rng: Rng, hashing: HashGrade
    ) -> None:
        self.world = world
        # A new world's grade, recorded with its first write (every operation is given it:
        # whichever writes first).
        self.hashing = hashing
        self.seed = seed
        self.images = images
        self.rng = rng
        self.base = load_scenario(None)
        self.scenarios: dict[str, Scenario] = {}
        self.start = operations.clock_now(world, scenario=self.base)
        self.end = self.start
        self.repayments = 0
        with Store(world, read_only=True) as store:
            accounts = store.all(ACCOUNTS)
            self.phones = {a["phone"] for a in accounts}
            self.numbers = {identity["number"] for a in accounts if (identity := a.get("identity"))}

    def plan(self, planned: dict[str, int], months: int) -> list[_Plan]:
        """Each borrower's kind, day and time of applying, and scenario, in order of time."""
        span = timedelta(days=round(months * 365 / 12))
        self.end = self.start + span
        kinds = [k for k in KINDS for _n in range(planned[k])]
        kinds = self.rng.derive("kinds").sample(kinds, len(kinds))
        when = self.rng.derive("when")
        stops = self.rng.derive("stopped")
        out = []
        for n, kind in enumerate(kinds, start=1):
            latest = span - {"overdue": OVERDUE_LEAD, "settled": SETTLE_LEAD}.get(kind, span * 0)
            day = timedelta(days=when.randint(0, max(latest.days - 1, 0)))
            at = self.start + day + timedelta(minutes=when.randint(0, 12 * 60))
            scenario = stops.choice(list(STOPPED)) if kind == "stopped" else "default"
            out.append(_Plan(n, kind, at, scenario, self.rng.derive("borrower", n)))
        out.sort(key=lambda p: (p.at, p.n))
        for plan in out:
            plan.persona = self._persona(plan)
        return out

    def run(self, plans: list[_Plan], pool: Executor | None, on_progress: Progress | None) -> None:
        """Play the plans' applications and what the borrowers then do, in order of time.

        Every loan of the world is brought to the day (falling due, overdue, reminders sent)
        by the first event of each simulated day; the other events of that day move only the
        clock: so a year of a large world costs at most a year's days of catching up."""
        drawn = self._draw_ahead(plans, pool)
        queue = [_Event(p.at, p.n, "apply", p) for p in plans]
        heapq.heapify(queue)
        order = len(plans)
        done = 0
        now = self.start
        caught_up = self.start.date()
        while queue:
            event = heapq.heappop(queue)
            clock = event.at if event.at > now else None
            if clock is not None and clock.date() > caught_up:
                self._move_clock(clock)
                caught_up, clock = clock.date(), None
            if event.what == "apply":
                result = self._apply(event.plan, next(drawn), clock)
                done += 1
                if on_progress is not None:
                    on_progress(done, len(plans), result)
                # A journey moves the clock itself (an SMS wait, a review's time).
                now = operations.clock_now(self.world, scenario=self.base)
                for when, what, n in self._behaviour(event.plan, now):
                    order += 1
                    heapq.heappush(queue, _Event(when, order, what, event.plan, n))
                continue
            assert event.plan.loan is not None
            how: dict[str, Any] = (
                {"installment": event.installment} if event.what == "pay" else {"settle": True}
            )
            self._at(clock, functools.partial(self._repay, event.plan.loan, how))
            self.repayments += 1
            now = max(now, event.at)
        if self.end > now:
            self._move_clock(self.end)

    def _repay(self, loan: str, how: dict[str, Any], at: datetime | None) -> None:
        operations.repay(
            self.world, loan, clock=at, scenario=self.base, hashing=self.hashing, **how
        )

    def _move_clock(self, when: datetime) -> None:
        """The world's clock to ``when``; unless it is there already: a world other machines
        fill at the same time (a server's) may be ahead, and its time stands."""
        try:
            operations.set_clock(self.world, when, scenario=self.base, hashing=self.hashing)
        except RuleError as exc:
            if exc.field != "when":
                raise

    def _at(self, clock: datetime | None, action: Callable[[datetime | None], R]) -> R:
        """``action`` at ``clock``, or at the world's now when another machine has moved
        it past ``clock`` meanwhile (an event that falls behind a shared world's time
        happens at that time)."""
        try:
            return action(clock)
        except RuleError as exc:
            if clock is None or exc.field != "clock":
                raise
            return action(None)

    def _scenario(self, name: str) -> Scenario:
        if name in ("default", TOO_OLD):
            return self.base
        if name not in self.scenarios:
            self.scenarios[name] = load_scenario(name)
        return self.scenarios[name]

    def _persona(self, plan: _Plan) -> Persona:
        """The plan's borrower, made on the day they apply: inside the product's age band, or
        above it for a borrower the band stops."""
        product = self.base.world.product("cash_loan")
        top = product.max_age if product.max_age is not None else 60
        if plan.scenario == TOO_OLD:
            band = (min(top + 1, MAX_AGE), min(top + 12, MAX_AGE))
        else:
            band = (max(22, product.min_age), max(min(55, top), product.min_age))
        seed = self.seed * PERSONA_SEEDS + plan.n
        for attempt in range(100):
            persona = make_persona(seed, age=band, today=plan.at.date())
            if persona.phone not in self.phones and persona.id_number not in self.numbers:
                break
            seed = Rng(self.seed, "persona", plan.n, attempt).randint(0, 2**62)
        self.phones.add(persona.phone)
        self.numbers.add(persona.id_number)
        return persona

    def _draw_ahead(self, plans: list[_Plan], pool: Executor | None) -> Iterator[tuple[Path, Path]]:
        """Each plan's ID card images, in the order the plans apply: ``plans``' order (by
        time, then number, as the queue orders the applications)."""
        if pool is None:
            for plan in plans:
                yield _draw(plan, self.images)
            return
        pending: list[Future[tuple[Path, Path]]] = []
        ahead = iter(plans)
        for plan in ahead:
            pending.append(pool.submit(_draw, plan, self.images))
            if len(pending) >= 64:
                break
        for plan in ahead:
            first = pending.pop(0)
            pending.append(pool.submit(_draw, plan, self.images))
            yield first.result()
        for future in pending:
            yield future.result()

    def _apply(
        self, plan: _Plan, images: tuple[Path, Path], clock: datetime | None
    ) -> operations.RunResult:
        persona = plan.persona
        assert persona is not None
        front, back = images
        choice = plan.behaviour.derive("loan")
        base = {k: v for k, v in HAPPY_PATH.items() if k not in ("id_front", "id_back")}
        answers = with_persona(base, persona, str(front), str(back))
        answers["amount"] = str(choice.randint(10, 200) * 100)
        answers["term"] = str(choice.weighted(TERMS))
        answers["method"] = choice.weighted(METHODS)
        result = self._at(
            clock,
            lambda at: operations.apply(
                self.world,
                seed=self.seed * PERSONA_SEEDS + plan.n,
                clock=at,
                scenario=self._scenario(plan.scenario),
                answers={k: _text(v) for k, v in answers.items()},
                hashing=self.hashing,
            ),
        )
        plan.applicant = result.id
        return result

    def _behaviour(self, plan: _Plan, now: datetime) -> list[tuple[datetime, str, int]]:
        """What the borrower will do about the loan: (when, pay or settle, installment)."""
        if plan.kind == "stopped" or plan.applicant is None:
            return []
        with Store(self.world, read_only=True) as store:
            loans = store.find(LOANS, applicant_id=plan.applicant)
        if not loans:
            return []
        loan = max(loans, key=lambda x: x["id"])
        plan.loan = loan["id"]
        rng = plan.behaviour.derive("repay")
        dues = [(line["n"], date.fromisoformat(line["due_date"])) for line in loan["lines"]]
        if plan.kind == "overdue":
            # Past the due day and the grace period by the end: these go unpaid.
            owed = [d for d in dues if d[1] + timedelta(days=5) < self.end.date()]
            dues = dues[: min(rng.randint(0, 2), max(len(owed) - 1, 0))]
        settle_at = None
        if plan.kind == "settled":
            # Before the end, and before the last installment is paid (the loan still open).
            last_pay = datetime.combine(dues[-1][1], now.timetz()) - timedelta(days=4)
            days = max(min((self.end - now).days, (last_pay - now).days) - 1, 10)
            settle_at = now + timedelta(days=rng.randint(10, days), hours=rng.randint(0, 6))
        out: list[tuple[datetime, str, int]] = []
        for n, due in dues:
            pay = datetime.combine(due, now.timetz()) - timedelta(days=rng.randint(0, 3))
            pay = max(pay.replace(hour=12, minute=rng.randint(0, 59)), now)
            if pay > self.end or (settle_at is not None and pay >= settle_at):
                break
            out.append((pay, "pay", n))
        if settle_at is not None and settle_at <= self.end:
            out.append((settle_at, "settle", 0))
        return out


def _draw(plan: _Plan, folder: Path) -> tuple[Path, Path]:
    assert plan.persona is not None
    return plan.persona.draw(folder, stem=str(plan.persona.seed))


@contextmanager
def _drawing(jobs: int) -> Iterator[Executor | None]:
    """Processes that draw ID card images while the journeys run (none for ``jobs`` 1)."""
    if jobs <= 1:
        yield None
        return
    # A process pool (and multiprocessing) is loaded only when populating asks for one.
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, os.cpu_count() or 1)) as pool:
        yield pool


def _read_back(
    world: Location, plans: list[_Plan], today: date
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """What each borrower became (by kind), why the stopped ones stopped, and the loans'
    states, read from the world at the end."""
    outcomes: Counter[str] = Counter(dict.fromkeys(KINDS, 0))
    stopped: Counter[str] = Counter()
    states: Counter[str] = Counter()
    with Store(world, read_only=True) as store:
        ids = {p.applicant for p in plans}
        applicants = {a["id"]: a for a in store.all(APPLICANTS) if a["id"] in ids}
        newest: dict[str, Loan] = {}
        for loan in store.all(LOANS):
            if loan["applicant_id"] in ids:
                held = newest.get(loan["applicant_id"])
                if held is None or loan["id"] > held["id"]:
                    newest[loan["applicant_id"]] = loan
    for plan in plans:
        app = applicants.get(plan.applicant or "")
        if app is None:
            continue
        if app["status"] == "stopped":
            outcomes["stopped"] += 1
            stopped[str(app.get("reason"))] += 1
            continue
        found = newest.get(app["id"])
        if found is None:
            outcomes[app["status"]] += 1
            continue
        view = loan_view(found, today)
        payments = found.get("payments") or []
        if view["loan_status"] == "closed":
            last = payments[-1]["kind"] if payments else None
            state = "settled" if last == "settle_all" else "paid_off"
        elif view["overdue_installments"]:
            state = "overdue"
        else:
            state = "current"
        states[state] += 1
        outcomes[state if state in ("settled", "overdue") else "completed"] += 1
    return dict(outcomes), dict(sorted(stopped.items())), dict(sorted(states.items()))


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
