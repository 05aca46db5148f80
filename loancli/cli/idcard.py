"""``loancli idcard``: make ID card images for tests and reproductions."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.

from typing import Annotated

import typer

from loancli import api
from loancli.cli.common import handled
from loancli.cli.options import Options, json_text
from loancli.cli.params import integer
from loancli.errors import UsageError
from loancli.i18n import _
from loancli.masking import mask_id
from loancli.text import printable

app = typer.Typer(help="Make ID card images for tests and reproductions.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="idcard")


@app.callback()
def _group() -> None:
    # A callback keeps ``generate`` a named subcommand even while it is the only one.
    pass


@app.command()
def generate(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Holder's name, e.g. 王小明.")],
    sex: Annotated[str, typer.Option(help="male or female.")],
    birth_date: Annotated[str, typer.Option(help="Birth date, YYYY-MM-DD.")],
    address: Annotated[str, typer.Option(help="Address printed on the front.")],
    authority: Annotated[str, typer.Option(help="Issuing authority (签发机关) on the back.")],
    ethnicity: Annotated[str, typer.Option(help="Ethnicity (民族).")] = "汉",
    number: Annotated[
        str | None,
        typer.Option(
            help="ID number; checked. Default: a valid one built from --area, "
            "--birth-date, --sex and --sequence-seed."
        ),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(
            help="Area code for a built number. Default: the one the address names (a "
            "provincial capital, a municipality or one of their districts)."
        ),
    ] = None,
    sequence_seed: Annotated[
        int,
        typer.Option(parser=integer, help="Picks the sequence digits of a built number."),
    ] = 0,
    valid_from: Annotated[
        str | None,
        typer.Option(
            help="Issue date, YYYY-MM-DD. Default: a year before the simulated "
            "clock's default start."
        ),
    ] = None,
    valid_until: Annotated[
        str | None,
        typer.Option(
            help="End of validity, YYYY-MM-DD or long-term. Default: by age at "
            "issue (under 16: 5 years, 16-25: 10, 26-45: 20, 46+: long-term)."
        ),
    ] = None,
    expired: Annotated[
        bool,
        typer.Option(
            help="A ten-year validity that ended the day before the simulated "
            "clock's default start; not with --valid-from/--valid-until."
        ),
    ] = False,
    blurry: Annotated[
        bool, typer.Option(help="Blur the images so the upload check fails.")
    ] = False,
    low_resolution: Annotated[
        bool, typer.Option(help="Write 428x270 images, below the minimum resolution.")
    ] = False,
    face_seed: Annotated[
        int,
        typer.Option(
            parser=integer,
            help="Picks the drawn face (and its face_id); the sex shapes it.",
        ),
    ] = 0,
    out: Annotated[str, typer.Option(help="Directory to write into.")] = ".",
    stem: Annotated[str, typer.Option(help="Files are STEM-front.png and STEM-back.png.")] = "id",
    json_: Annotated[
        bool, typer.Option("--json", help="Print the number and paths as JSON.")
    ] = False,
) -> None:
    """Write STEM-front.png and STEM-back.png (Chinese text in the 2nd-generation layout, the
    fields also embedded for the fake OCR); print the ID number and both paths."""
    spec = api.CardSpec(
        name=name,
        sex=sex,
        birth_date=birth_date,
        address=address,
        authority=authority,
        ethnicity=ethnicity,
        number=number,
        area=area,
        sequence_seed=sequence_seed,
        valid_from=valid_from,
        valid_until=valid_until,
        expired=expired,
    )
    # Its own --json, or loancli's (``loancli --json idcard generate``): either prints JSON,
    # a refusal included, as every command's.
    opts = ctx.find_root().obj or Options()
    opts.json = opts.json or json_
    with handled(opts, {**CARD_OPTIONS, "stem": "--stem"}):
        try:
            made = api.id_card(
                spec,
                out,
                stem=stem,
                blurry=blurry,
                low_resolution=low_resolution,
                face_seed=face_seed,
            )
        except UsageError as error:
            _name_settling_option(error)
            raise
    if opts.json:
        document = {"number": made.number, "area": made.area, "front": str(made.front)}
        typer.echo(json_text({**document, "back": str(made.back)}))
        return
    # Masked as every output masks one; --json gives it whole (it is made up), as persona new.
    typer.echo(_("ID number: {number}").format(number=mask_id(made.number)))
    typer.echo(printable(made.front))
    typer.echo(printable(made.back))


def _name_settling_option(error: UsageError) -> None:
    """The refusal says the option that would settle it when another field can."""
    other = CARD_OPTIONS.get(getattr(error, "settled_by", ""))
    if other:
        error.args = (f"{error} ({other})",)


# The domain fields of a card request; each is set by the option of the same name.
CARD_FIELDS = (
    "name",
    "address",
    "authority",
    "ethnicity",
    "sex",
    "birth_date",
    "number",
    "area",
    "valid_from",
    "valid_until",
    "expired",
)
# Each field is set by the option of the same name.
CARD_OPTIONS = {field: "--" + field.replace("_", "-") for field in CARD_FIELDS}


if __name__ == "__main__":
    app()
