"""``loancli idcard``: make ID card images for tests and reproductions."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.

from datetime import date
from typing import Annotated, NoReturn

import typer

app = typer.Typer(help="Make ID card images for tests and reproductions.", no_args_is_help=True)

LONG_TERM_WORDS = ("long-term", "长期")


@app.callback()
def _group() -> None:
    # A callback keeps ``generate`` a named subcommand even while it is the only one.
    pass


@app.command()
def generate(
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
    area: Annotated[str, typer.Option(help="Area code for a built number.")] = "110105",
    sequence_seed: Annotated[
        int, typer.Option(help="Picks the sequence digits of a built number.")
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
    face_seed: Annotated[int, typer.Option(help="Picks the drawn face (and its face_id).")] = 0,
    out: Annotated[str, typer.Option(help="Directory to write into.")] = ".",
    stem: Annotated[str, typer.Option(help="Files are STEM-front.png and STEM-back.png.")] = "id",
) -> None:
    """Write STEM-front.png and STEM-back.png with the fields embedded for the fake OCR."""
    from loancli.clock import DEFAULT_START
    from loancli.identity import card as idcard
    from loancli.identity import images
    from loancli.identity.idnumber import make_id, parse_id

    if sex not in ("male", "female"):
        _fail(f"--sex: write male or female, not {sex!r}")
    birth = _parse_date("--birth-date", birth_date)
    if number is None:
        try:
            number = make_id(area, birth, sex, sequence_seed)
        except ValueError as error:
            _fail(f"--area: {error}")
    else:
        try:
            number = parse_id(number).number
        except ValueError as error:
            _fail(f"--number: {error}")

    end: date | None
    if expired:
        if valid_from is not None or valid_until is not None:
            _fail(
                "--expired sets the validity itself; drop --valid-from/--valid-until or --expired"
            )
        start, end = idcard.expired_validity(DEFAULT_START.date())
    else:
        start = (
            _parse_date("--valid-from", valid_from)
            if valid_from is not None
            else idcard.add_years(DEFAULT_START.date(), -1)
        )
        try:
            end = _valid_until(valid_until, birth, start)
        except ValueError as error:
            _fail(f"--valid-from: {error}")
        if end is not None and end <= start:
            _fail(f"--valid-until: {end.isoformat()} is not after --valid-from {start.isoformat()}")

    fields = idcard.IdCardFields(
        name=name,
        sex=sex,
        ethnicity=ethnicity,
        birth_date=birth,
        address=address,
        number=number,
        authority=authority,
        valid_from=start,
        valid_until=end,
    )
    front, back = images.generate(
        fields,
        out,
        stem=stem,
        blurry=blurry,
        low_resolution=low_resolution,
        face_seed=face_seed,
    )
    typer.echo(str(front))
    typer.echo(str(back))


def _valid_until(text: str | None, birth: date, start: date) -> date | None:
    from loancli.identity import card as idcard

    if text is None:
        return idcard.default_valid_until(birth, start)
    if text.strip().lower() in LONG_TERM_WORDS:
        return None
    return _parse_date("--valid-until", text)


def _parse_date(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        _fail(f"{option}: {text!r} is not a date; write YYYY-MM-DD, e.g. 1990-03-07")


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


if __name__ == "__main__":
    app()
