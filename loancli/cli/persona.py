"""``loancli persona new``: a generated borrower whose name, ID number, ID card, bank card,
phone, employer and contacts agree with each other."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.

from pathlib import Path
from typing import Annotated

import typer
from rich.cells import cell_len

from loancli.cli.common import handled, run_again
from loancli.cli.console import whole_line
from loancli.cli.labels import choice_word
from loancli.cli.options import options, refuse_unused
from loancli.cli.params import seed as seed_number
from loancli.i18n import _
from loancli.masking import mask_card, mask_id, mask_name, mask_phone
from loancli.stories import tickets
from loancli.text import printable

app = typer.Typer(
    help="Generated borrowers: consistent name, ID card, bank card, phone, contacts.",
    no_args_is_help=True,
)

# The persona's traits, each set by the option of the same name.
TRAIT_OPTIONS = {
    "age": "--age",
    "sex": "--sex",
    "province": "--province",
    "bank": "--bank",
    "out": "--out",
}


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="persona")


@app.callback()
def _group() -> None:
    # A callback keeps ``new`` a named subcommand while it is the only one.
    pass


@app.command("new")
def new(
    ctx: typer.Context,
    age: Annotated[
        str | None,
        typer.Option(metavar="N|A-B", help="Age, or an age band such as 25-40 (16-90)."),
    ] = None,
    sex: Annotated[
        str | None, typer.Option(metavar="male|female", help="The sex (男/女 too).")
    ] = None,
    province: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Province: 广东, 广东省, Guangdong, guangdong; the 31 of the mainland.",
        ),
    ] = None,
    bank: Annotated[
        str | None,
        typer.Option(
            metavar="BANK",
            help="Bank of the debit card: ICBC, CCB, ABC, BOC, PSBC, CMB, BOCOM, CITIC, CEB, "
            "CMBC, SPDB, CIB, PAB, or its Chinese name (工商银行, 工行).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            parser=seed_number,
            help="The persona's seed (default: the global --seed): same seed and options, "
            "same persona, images too.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Write DIR/answers.yaml and the ID card images DIR/id-front.png, "
            "DIR/id-back.png (mode 0600): loancli apply --answers DIR/answers.yaml completes.",
        ),
    ] = None,
) -> None:
    """Make a consistent borrower: a name; an ID number with a real area code for the address,
    the sex digit and the age; its ID card (images with --out); a UnionPay debit card of a
    real bank BIN that passes Luhn; a mobile number; employer and income; emergency contacts.
    Ages are on the simulated clock's date (--clock, else its default start). Personal
    numbers are masked in what it prints; --json gives them whole (they are made up)."""
    refuse_unused(ctx, _("a persona is made without a scenario: it is who applies"), "scenario")
    opts = options(ctx)
    with handled(opts, TRAIT_OPTIONS):
        persona, files = tickets.new_persona(
            seed=seed if seed is not None else opts.seed,
            age=age,
            sex=sex,
            province=province,
            bank=bank,
            clock=opts.clock,
            out=out,
        )
    if opts.json:
        document: dict[str, object] = persona.data()
        if files is not None:
            document["files"] = {
                "answers": str(files.answers),
                "id_front": str(files.front),
                "id_back": str(files.back),
            }
        opts.emit(document)
        return
    lines = human_lines(persona)
    if files is not None:
        # A command to paste from any folder: the answers' absolute path, and the world given
        # (else a state file of its own beside them, never the default one).
        world = (
            []
            if opts.db is not None
            else ["--db", str(files.answers.parent.absolute() / "state.json")]
        )
        command = run_again(
            opts, *world, "--no-input", "apply", "--answers", str(files.answers.absolute())
        )
        lines.append(
            _(
                "Wrote {answers}, {front} and {back}; to complete the journey with them: {command}"
            ).format(answers=files.answers, front=files.front, back=files.back, command=command)
        )
    for line in lines:
        whole_line(opts.console, printable(line))


def human_lines(persona: tickets.Persona) -> list[str]:
    """The persona as a person reads it, every personal number masked."""
    place = tickets.persona_place(persona)
    sex = _("male") if persona.sex == "male" else _("female")
    contacts = "; ".join(
        f"{mask_name(c.name)} ({choice_word('contact_relation', c.relation)}) {mask_phone(c.phone)}"
        for c in persona.contacts
    )
    rows = [
        (_("ID number"), f"{mask_id(persona.id_number)} ({place}…)"),
        (_("ID card"), f"{persona.card.validity}, {persona.authority}"),
        (_("Mobile number"), mask_phone(persona.phone)),
        (
            _("Bank card"),
            f"{persona.bank.name} ({persona.bank.code}) {mask_card(persona.card_number)}",
        ),
        (_("Employer"), persona.employer),
        (_("Monthly income"), _("{amount} yuan").format(amount=persona.monthly_income)),
        (_("Emergency contacts"), contacts),
    ]
    head = _("Persona {seed}: {name}, {sex}, {age} years old").format(
        seed=persona.seed, name=mask_name(persona.name), sex=sex, age=persona.age
    )
    return [head, *aligned(rows)]


def aligned(rows: list[tuple[str, str]]) -> list[str]:
    """``label  value`` lines, the values in one column (a Chinese label is two columns wide
    a character)."""
    width = max(cell_len(label) for label, _value in rows)
    return [f"  {label}{' ' * (width - cell_len(label))}  {value}" for label, value in rows]


if __name__ == "__main__":
    app()
