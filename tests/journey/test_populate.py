"""``populate``: many generated borrowers, each through a real journey, in the mix asked for,
their loans of different ages, written as a state file whose checks at the door pass."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from loancli.api import operations
from loancli.errors import RuleError
from loancli.identity.areas import area_for_address
from loancli.identity.idnumber import age_on
from loancli.records import ACCOUNTS, APPLICANTS, CARDS, LOANS
from loancli.store import MemoryState, Store
from loancli.stories.populate import STOPPED, TOO_OLD, counts, parse_mix, populate
from loancli.world.scenario import load_scenario

MIX = "completed=80,stopped=15,overdue=5"


def test_a_mix_is_read_as_weights_and_counted_out_exactly():
    mix = parse_mix(MIX)
    assert mix == {"completed": 80, "settled": 0, "overdue": 5, "stopped": 15}
    assert counts(mix, 30) == {"completed": 24, "settled": 0, "overdue": 2, "stopped": 4}
    for total in range(1, 60):
        assert sum(counts(mix, total).values()) == total


@pytest.mark.parametrize("text", ["completed", "done=5", "completed=-1", "completed=0", ""])
def test_a_mix_that_cannot_be_read_is_refused(text):
    with pytest.raises(RuleError) as refused:
        parse_mix(text)
    assert refused.value.field == "mix"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("populate") / "world.json"
    made = populate(path, 30, seed=4, mix=parse_mix(MIX))
    return path, made


def test_thirty_borrowers_in_the_mix_asked_for(world):
    path, made = world
    assert made.written == "once"
    assert len(made.applicants) == 30
    assert made.planned == {"completed": 24, "settled": 0, "overdue": 2, "stopped": 4}
    # What each borrower became, read back from the world, is what was planned.
    assert made.outcomes == made.planned
    assert made.loans.get("overdue", 0) == 2
    assert sum(made.loans.values()) == 26
    assert made.repayments > 0
    reasons = {load_scenario(name).expect["reason"] for name in STOPPED if name != TOO_OLD}
    assert set(made.stopped) <= reasons | {"age_not_eligible"}
    assert sum(made.stopped.values()) == 4


def test_the_file_opens_with_its_checks_at_the_door_and_every_record_agrees(world):
    path, made = world
    with Store(path) as store:  # a writer: every record is checked as the file opens
        applicants = store.all(APPLICANTS)
        accounts = {a["phone"]: a for a in store.all(ACCOUNTS)}
        cards = store.all(CARDS)
        loans = store.all(LOANS)
        now = datetime.fromisoformat(store.meta_get("clock"))
    assert sorted(a["id"] for a in applicants) == made.applicants
    assert now == datetime.fromisoformat(made.start) + timedelta(days=365)
    phones = [a["phone"] for a in applicants]
    assert len(set(phones)) == len(phones) == len(accounts)
    numbers = [a["identity"]["number"] for a in applicants if a.get("identity")]
    assert len(set(numbers)) == len(numbers)
    for app in applicants:
        identity = app.get("identity")
        if identity:
            assert area_for_address(identity["address"]) == identity["number"][:6]
    by_applicant = {loan["applicant_id"]: loan for loan in loans}
    for app in applicants:
        loan = by_applicant.get(app["id"])
        if app["status"] == "stopped":
            assert loan is None or app["stopped_at"] == "disbursement"
            continue
        assert loan is not None and loan["phone"] == app["phone"]
        bound = [c["number"] for c in cards if c["phone"] == app["phone"]]
        assert bound == [loan["card_number"]]
        born = date.fromisoformat(app["identity"]["birth_date"])
        assert 22 <= age_on(born, datetime.fromisoformat(app["created_at"]).date()) <= 55
    # Loans of different ages: applied over the year, some closed, some overdue.
    days = {loan["loan_date"] for loan in loans}
    assert len(days) > 10
    assert Counter(loan["status"] for loan in loans)["active"] >= 2


def test_a_new_file_says_its_accounts_hash_at_the_cheapest(world):
    """Made in memory, a populated world's accounts hash at the cheapest grade: the new file
    records it (one that names no grade reads as OWASP's), so every later account does too."""
    path, _made = world
    with Store(path, read_only=True) as store:
        assert store.meta_get("hashing") == "fast"
        hashes = {a["password_hash"] for a in store.all(ACCOUNTS)}
    assert hashes and all(h.startswith("$argon2id$v=19$m=8,t=1,p=1$") for h in hashes)


def test_a_new_file_hashes_at_the_grade_asked(tmp_path):
    """``--hashing argon2id`` for a new file is OWASP's grade, in the file and its hashes:
    made in memory, its accounts hashed at the cheapest whatever was asked."""
    path = tmp_path / "kept.json"
    populate(path, 1, seed=2, mix={"completed": 1}, hashing="argon2id")
    with Store(path, read_only=True) as store:
        assert store.meta_get("hashing") == "argon2id"
        hashes = [a["password_hash"] for a in store.all(ACCOUNTS)]
    assert hashes and all(h.startswith("loancli-key$argon2id$m=19456,t=2,p=1$") for h in hashes)


@pytest.mark.parametrize("asked", [None, "argon2id"])
def test_a_new_server_world_hashes_at_the_grade_asked(pg_url, asked):
    """A server's world is filled in place: its first write records the grade populate was
    given (its own default, the cheapest, when none), where it hashed at OWASP's whatever
    ``--hashing`` said."""
    populate(pg_url, 1, seed=2, mix={"completed": 1}, hashing=asked)
    with Store(pg_url, read_only=True) as store:
        assert store.meta_get("hashing") == (asked or "fast")
        hashes = [a["password_hash"] for a in store.all(ACCOUNTS)]
    prefix = "loancli-key$argon2id$" if asked else "$argon2id$v=19$m=8,t=1,p=1$"
    assert hashes and all(h.startswith(prefix) for h in hashes)


def test_a_server_world_refused_before_it_was_written_is_not_stamped(pg_url):
    """A populate refused before its first write (its clock a day the world cannot take)
    leaves a new server world unstamped: the next command records its own grade."""
    with pytest.raises(RuleError):
        populate(pg_url, 1, clock="not a time", hashing="fast")
    operations.set_clock(pg_url, "2026-03-02T10:00:00+08:00", hashing="argon2id")
    with Store(pg_url, read_only=True) as store:
        assert store.meta_get("hashing") == "argon2id"


def test_same_seed_same_world(tmp_path):
    """The same records, but for the password hashes (salted, as they must be)."""
    worlds = [MemoryState(), MemoryState(), MemoryState()]
    for world, seed in zip(worlds, (9, 9, 10), strict=True):
        mix = {"completed": 1, "stopped": 1}
        populate(world, 4, seed=seed, months=3, mix=mix, images=tmp_path / "images")
    one, two, other = (unsalted(w.data) for w in worlds)
    assert one == two
    assert other != one


def test_images_drawn_by_other_processes_make_the_same_world(tmp_path):
    alone, helped = MemoryState(), MemoryState()
    populate(alone, 3, seed=2, months=3, mix={"completed": 1}, images=tmp_path / "a")
    populate(helped, 3, seed=2, months=3, mix={"completed": 1}, images=tmp_path / "b", jobs=2)
    as_text = json.dumps(unsalted(helped.data), sort_keys=True, ensure_ascii=False)
    assert as_text.replace(str(tmp_path / "b"), str(tmp_path / "a")) == json.dumps(
        unsalted(alone.data), sort_keys=True, ensure_ascii=False
    )
    for drawn in sorted((tmp_path / "a").iterdir()):
        assert (tmp_path / "b" / drawn.name).read_bytes() == drawn.read_bytes()


def unsalted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: unsalted(v) for k, v in value.items() if not k.endswith("_hash")}
    if isinstance(value, list):
        return [unsalted(v) for v in value]
    return value


def test_a_file_that_holds_records_is_added_to_in_place(tmp_path):
    path = tmp_path / "world.json"
    operations.set_clock(path, "2026-05-01T09:00:00+08:00")

    made = populate(path, 2, seed=1, months=3, mix={"settled": 1})

    assert made.written == "in place"
    assert made.start.startswith("2026-05-01")
    assert made.outcomes["settled"] == 2
    with Store(path) as store:
        assert store.count(APPLICANTS) == 2
        assert all(loan["payments"][-1]["kind"] == "settle_all" for loan in store.all(LOANS))


@pytest.mark.parametrize(
    ("field", "arguments"),
    [("count", {"count": 0}), ("months", {"count": 1, "months": 2})],
)
def test_a_count_or_span_out_of_range_is_refused_before_anything_runs(field, arguments):
    world = MemoryState()
    with pytest.raises(RuleError) as refused:
        populate(world, **arguments)
    assert refused.value.field == field
    assert world.data == {}


def test_the_json_summary_is_the_same_bytes_on_a_rerun_unless_timings_are_asked(tmp_path):
    """It said how many seconds the run took (and so was never the same twice), where
    check's JSON is the same bytes on every rerun and says its times with --timings."""
    from conftest import run_cli

    outs = []
    for _rerun in (1, 2):
        args = ("--json", "populate", "3", "--seed", "5", "--months", "3", "--mix", "completed=1")
        code, out, err = run_cli(tmp_path, *args, db=tmp_path / "world.json")
        assert code == 0, err
        outs.append(out.replace(str(tmp_path / "world.json"), "WORLD"))
        (tmp_path / "world.json").unlink()
    assert outs[0] == outs[1] and "seconds" not in outs[0]
    code, out, err = run_cli(
        tmp_path, "--json", "populate", "2", "--timings", db=tmp_path / "world.json"
    )
    assert code == 0, err
    timed = json.loads(out)
    assert timed["seconds"] >= 0 and timed["journeys_per_second"] >= 0
