"""A persona's identity in a journey: its answers complete one, and a story whose person is a
persona runs as that persona (a borrower outside the product's age band is refused)."""

from __future__ import annotations

import gc
from datetime import date
from pathlib import Path

import pytest

from loancli.api import operations
from loancli.errors import UsageError
from loancli.identity.persona import make_persona
from loancli.records import ACCOUNTS, APPLICANTS, CARDS, LOANS
from loancli.store import MemoryState, Store
from loancli.stories.personas import with_persona, write_persona
from loancli.stories.runner import builtin_answers, parse_story, run_story

TODAY = date(2026, 3, 2)


def test_a_personas_answers_complete_a_journey_as_that_persona(tmp_path):
    persona = make_persona(11, age=33, province="浙江", bank="CMB", today=TODAY)
    front, back = persona.draw(tmp_path)
    answers = with_persona(builtin_answers("happy-path"), persona, str(front), str(back))
    world = MemoryState()

    done = operations.apply(world, seed=3, answers=answers)

    assert done.record["status"] == "completed", done.record.get("reason")
    identity = done.record["identity"]
    assert identity["name"] == persona.name
    assert identity["number"] == persona.id_number
    assert identity["address"] == persona.address
    assert identity["validity"] == persona.card.validity
    assert done.record["phone"] == persona.phone
    with Store(world, read_only=True) as store:
        assert store.get(ACCOUNTS, phone=persona.phone) is not None
        card = store.get(CARDS, phone=persona.phone)
        loan = store.get(LOANS, applicant_id=done.id)
    assert card is not None and card["number"] == persona.card_number
    assert loan is not None and loan["card_number"] == persona.card_number


def test_the_answers_file_persona_new_writes_completes_a_journey(tmp_path):
    persona = make_persona(2, age=45, sex="female", today=TODAY)
    files = write_persona(persona, tmp_path / "p")

    done = operations.apply(MemoryState(), answers=files.answers)

    assert done.record["status"] == "completed", done.record.get("reason")
    assert done.record["identity"]["number"] == persona.id_number
    for path in (files.answers, files.front, files.back):
        assert path.stat().st_mode & 0o777 == 0o600


def test_every_demo_number_in_the_answers_becomes_the_personas():
    persona = make_persona(4, today=TODAY)
    answers = {
        "phone": "13800138000",
        "login_id": "110105199003070017",
        "id_number": "110105199003070017",
        "card_phone": "13800138000",
        "new_phone": "13700137000",
        "amount": 500,
    }
    changed = with_persona(answers, persona, "f.png", "b.png")
    assert changed["login_id"] == changed["id_number"] == persona.id_number
    assert changed["phone"] == changed["card_phone"] == persona.phone
    assert changed["new_phone"] == "13700137000"  # not the demo borrower's: kept
    assert changed["amount"] == 500
    assert changed["contact_phone"] == persona.contacts[0].phone
    assert (changed["id_front"], changed["id_back"]) == ("f.png", "b.png")


STORY = """\
story: 1
title: {title}
person: {{persona: {persona}}}
actions:
  - action: apply
    expect: {expect}
"""


def story(persona: str, expect: str, title: str = "a persona") -> object:
    text = STORY.format(title=title, persona=persona, expect=expect)
    return parse_story(text.encode(), "persona.yaml", Path.cwd())


def test_a_story_with_a_persona_of_70_stops_at_the_review_for_its_age():
    loaded = story("{age: 70, province: 广东}", "{status: stopped, stopped_at: first_review}")

    run = run_story(loaded)

    assert run.ok, [(c.what, c.expected, c.got) for c in run.failures]
    with Store(run.state, read_only=True) as store:
        (app,) = store.all(APPLICANTS)
    assert app["reason"] == "age_not_eligible"  # the age-band scenario's reason
    assert app["identity"]["number"][:2] == "44"
    refused = [e for e in app["events"] if e.get("reason") == "age_not_eligible"]
    assert refused and refused[0]["detail"]["age"] == 70


def test_a_story_with_a_persona_inside_the_band_completes_as_the_persona():
    loaded = story("{age: 59, province: 广东, bank: CCB, seed: 8}", "{status: completed}")

    run = run_story(loaded)

    assert run.ok, [(c.what, c.expected, c.got) for c in run.failures]
    persona = make_persona(8, age=59, province="广东", bank="CCB", today=TODAY)
    with Store(run.state, read_only=True) as store:
        (app,) = store.all(APPLICANTS)
        (card,) = store.all(CARDS)
    assert app["identity"]["number"] == persona.id_number
    assert card["number"] == persona.card_number


def test_a_story_with_a_persona_and_no_clock_runs_into_a_new_file(tmp_path: Path):
    """The persona's age is on the world's clock: a new file's, before its first write,
    is where a fresh world starts (it was refused as a state file that does not exist)."""
    loaded = story("{age: 59, province: 广东, bank: CCB, seed: 8}", "{status: completed}")
    kept = tmp_path / "kept.json"

    run = run_story(loaded, kept)

    assert run.ok, [(c.what, c.expected, c.got) for c in run.failures]
    persona = make_persona(8, age=59, province="广东", bank="CCB", today=TODAY)
    with Store(kept, read_only=True) as store:
        (app,) = store.all(APPLICANTS)
    assert app["identity"]["number"] == persona.id_number


def test_a_storys_persona_images_live_as_long_as_its_run():
    run = run_story(story("{age: 30}", "{status: completed}"))
    with Store(run.state, read_only=True) as store:
        (app,) = store.all(APPLICANTS)
    front = Path(app["runs"][0]["given"]["id_front"])
    assert front.is_file()  # a bundle of the run's world reads it
    del run
    gc.collect()
    assert not front.exists()


@pytest.mark.parametrize(
    ("persona", "field"),
    [("{province: Atlantis}", "person.persona.province"), ("{bank: XYZ}", "person.persona.bank")],
)
def test_a_persona_nobody_can_make_is_refused_when_the_story_is_read(persona, field):
    with pytest.raises(UsageError, match=field):
        story(persona, "{status: completed}")


@pytest.mark.parametrize(("until", "where"), [(0, "memory"), (-1, "file"), (2, "memory")])
def test_the_library_holds_a_story_run_to_its_until_rules(
    tmp_path: Path, until: int, where: str
) -> None:
    """``run_story(story, until=0)`` ran nothing and said it held, and ``until`` in memory
    kept no world: the rules lived in the command, not in the library a script calls."""
    from loancli.stories.runner import load_story, run_story

    loaded = load_story("overdue-penalty")
    state = tmp_path / "kept.json" if where == "file" else None
    with pytest.raises(UsageError) as refused:
        run_story(loaded, state, until=until)
    assert refused.value.key == "until"
    assert not (tmp_path / "kept.json").exists()
