"""A generated borrower (:mod:`loancli.identity.persona`) in place of the demo one: in a
story's person (``persona: {age: 59, province: 广东}``), in an answers file that ``loancli apply
--answers`` completes with (``loancli persona new --out DIR``), and in a populated world.

The persona's identity replaces the demo borrower's wherever the answers hold it: the mobile
number (the account's and the card's reserved one), the bank card, the employer and income, the
emergency contact, and the ID card images, drawn for the persona. Every other answer (the
password, the amount, the term...) stays as the answers set gives it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from loancli.asking import yaml_text
from loancli.errors import RuleError
from loancli.files import make_folder, write_private
from loancli.identity.banks import find_bank
from loancli.identity.persona import Persona, find_province, make_persona
from loancli.stories.format import Persona as PersonaTraits
from loancli.world.demo import HAPPY_PATH, demo_card

ANSWERS_FILE = "answers.yaml"
IMAGE_STEM = "id"


def persona_of(traits: PersonaTraits, today: date, seed: int = 0) -> Persona:
    """The persona a story's ``person.persona`` asks for, its ages on ``today``; without a
    seed of its own, ``seed`` (the story's world seed)."""
    return make_persona(
        traits.seed if traits.seed is not None else seed,
        age=traits.age,
        sex=traits.sex,
        province=traits.province,
        bank=traits.bank,
        today=today,
    )


def traits_problem(traits: PersonaTraits) -> str | None:
    """What is wrong with a story's persona (a province or bank nobody knows), or None."""
    try:
        if traits.province is not None:
            find_province(traits.province)
        if traits.bank is not None:
            find_bank(traits.bank)
    except RuleError as exc:
        return f"person.persona.{exc.field}: {exc.unkeyed}"
    return None


def identity_answers(persona: Persona, front: str, back: str) -> dict[str, str]:
    """The answers that are the persona's own: who applies, with which card and contacts."""
    contact = persona.contacts[0]
    return {
        "phone": persona.phone,
        "card_phone": persona.phone,
        "card_number": persona.card_number,
        "employer": persona.employer,
        "monthly_income": persona.monthly_income,
        "contact_name": contact.name,
        "contact_relation": contact.relation,
        "contact_phone": contact.phone,
        "id_front": front,
        "id_back": back,
    }


def with_persona(
    answers: Mapping[str, object], persona: Persona, front: str, back: str
) -> dict[str, object]:
    """``answers`` with the persona in place of the demo borrower: its identity answers set,
    and wherever another answer holds one of the demo borrower's numbers (a login by ID
    number, an unlock's ID number, a card's reserved phone), the persona's instead."""
    demo = _demo_numbers(persona)

    def swap(value: object) -> object:
        if isinstance(value, list):
            return [swap(v) for v in value]
        return demo.get(str(value), value) if isinstance(value, str | int) else value

    out = {key: swap(value) for key, value in answers.items()}
    out.update(identity_answers(persona, front, back))
    return out


def _demo_numbers(persona: Persona) -> dict[str, str]:
    return {
        str(HAPPY_PATH["phone"]): persona.phone,
        str(HAPPY_PATH["contact_phone"]): persona.contacts[0].phone,
        str(HAPPY_PATH["card_number"]): persona.card_number,
        demo_card().number: persona.id_number,
    }


def story_answers(
    traits: PersonaTraits, answers: Mapping[str, object], today: date, folder: Path, seed: int = 0
) -> dict[str, object]:
    """A story person's answers with its persona: the persona made for ``today``, its ID card
    drawn into ``folder`` (which the caller keeps while the answers are in use)."""
    persona = persona_of(traits, today, seed)
    front, back = persona.draw(folder, stem=IMAGE_STEM)
    return with_persona(answers, persona, str(front), str(back))


@dataclass(frozen=True)
class PersonaFiles:
    """What :func:`write_persona` wrote."""

    answers: Path
    front: Path
    back: Path


def write_persona(persona: Persona, folder: Path) -> PersonaFiles:
    """Write the persona's answers file (the happy path's answers, with the persona's identity)
    and its ID card images into ``folder``, each only its owner can read: ``loancli apply
    --answers FOLDER/answers.yaml`` completes with them (on a clock near ``persona.today``)."""

    make_folder(folder)
    front, back = persona.draw(folder, stem=IMAGE_STEM)
    base = {k: v for k, v in HAPPY_PATH.items() if k not in ("id_front", "id_back")}
    answers = with_persona(base, persona, front.name, back.name)
    asked = ", ".join(f"{k}={v}" for k, v in persona.asked.items()) or "no traits asked"
    header = (
        f"# The answers of persona {persona.seed} ({asked}), made for "
        f"{persona.today.isoformat()}:\n"
        f"# loancli apply --answers {ANSWERS_FILE} completes with them. It holds a password.\n"
    )
    path = folder / ANSWERS_FILE
    body = yaml_text(answers)
    write_private(path, header + body)
    return PersonaFiles(path, front, back)
