"""Extract, update and compile loancli's message catalogs with Babel.

    python scripts/update-catalogs.py            # after changing or adding messages
    python scripts/update-catalogs.py --check    # CI: exit 1 if anything is out of date

1. Extracts every ``_("...")``, ``N_("...")`` and ``pgettext("context", "...")`` in
   ``loancli/`` into ``loancli/locale/loancli.pot``.
2. Updates ``loancli/locale/zh_CN/LC_MESSAGES/loancli.po`` from it: new messages arrive
   untranslated (a test fails until they are translated), removed ones become obsolete.
3. Compiles the ``.po`` into the ``.mo`` that ships in the package and that gettext reads.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "loancli" / "locale"
POT = LOCALE / "loancli.pot"
LANGS = {"zh_CN": LOCALE / "zh_CN" / "LC_MESSAGES"}
KEYWORDS = {"_": None, "N_": None, "pgettext": ((1, "c"), 2)}
# A fixed date in the headers: the same sources give the same files (and --check can compare).
STAMP = datetime(2026, 1, 1, tzinfo=UTC)


def template() -> Catalog:
    catalog = Catalog(project="loancli", version="1", fuzzy=False, creation_date=STAMP)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "loancli",
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        where = [(f"loancli/{filename}", lineno)]
        catalog.add(message, locations=where, auto_comments=comments, context=context)
    # The built-in scenarios' descriptions (scenario list/find, reports) and stories' titles
    # (story list, story run, find): shown translated.
    import yaml

    for folder, field in (("scenarios", "description"), ("stories", "title")):
        for path in sorted((ROOT / "loancli" / "data" / folder).glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            where = [(f"loancli/data/{folder}/{path.name}", 1)]
            if data.get(field):
                catalog.add(str(data[field]), locations=where)
            # A built-in scenario's review reason, said in the run's language.
            review = (data.get("providers") or {}).get("review") or {}
            if isinstance(review, dict) and review.get("reject_reason"):
                catalog.add(str(review["reject_reason"]), locations=where)
    for message, where in help_texts():
        catalog.add(message, locations=[(where, 1)])
    return catalog


def help_texts() -> list[tuple[str, str]]:
    """Every text ``--help`` shows of loancli's (``loancli.cli.help_words`` says it in the run's
    language): each command's help and each of its options' and arguments', the lines of the
    top-level command list; with the module that writes it."""
    import typer

    from loancli.cli.help_words import shown_help
    from loancli.cli.main import COMMANDS, app, module_commands

    found: list[tuple[str, str]] = []

    def walk(command: typer.core.TyperCommand | typer.core.TyperGroup, where: str) -> None:
        if command.help:
            found.append((shown_help(command.help), where))
        found.extend((p.help, where) for p in command.params if getattr(p, "help", None))
        for sub in getattr(command, "commands", {}).values():
            walk(sub, where)

    walk(typer.main.get_group(app), "loancli/cli/main.py")
    for name, (module, line) in COMMANDS.items():
        found.append((line, "loancli/cli/main.py"))
        walk(module_commands(module)[name], f"loancli/cli/{module}.py")
    return found


def _po_bytes(catalog: Catalog, **kwargs: object) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, omit_header=False, sort_output=True, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def build() -> dict[Path, bytes]:
    """Every catalog file as it should be on disk."""
    pot = template()
    files = {POT: _po_bytes(pot, no_location=True)}
    for lang, folder in LANGS.items():
        po_path = folder / "loancli.po"
        if po_path.exists():
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="loancli", version="1")
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False  # the header: gettext reads the charset from it
        catalog.creation_date = STAMP
        catalog.revision_date = STAMP
        catalog.last_translator = "loancli developers"
        catalog.language_team = "loancli developers"
        files[po_path] = _po_bytes(catalog, no_location=True)
        files[folder / "loancli.mo"] = _mo_bytes(catalog)
    return files


def messages(data: bytes, lang: str | None = None) -> dict[str, str]:
    """A .po/.pot's messages as msgid -> msgstr (headers aside: they name the Babel version); a
    message with a context keyed as gettext keys it, ``context\x04msgid``."""
    catalog = read_po(io.BytesIO(data), locale=lang)
    return {
        f"{m.context}\x04{m.id}" if m.context else m.id: m.string
        for m in catalog
        if m.id and isinstance(m.id, str)
    }


def compiled(path: Path) -> dict[str, str]:
    """What gettext reads from a shipped .mo."""
    import gettext

    with path.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in catalog.items() if k}


def stale_files(files: dict[Path, bytes]) -> list[Path]:
    """The catalog files whose messages differ from what the sources give."""
    out = []
    for path, data in files.items():
        if not path.exists():
            out.append(path)
        elif path.suffix == ".mo":
            # Against the .po as it is to be written, so one run brings both up to date.
            po = files[path.with_suffix(".po")]
            if compiled(path) != {k: v for k, v in messages(po).items() if v}:
                out.append(path)
        elif messages(path.read_bytes()) != messages(data):
            out.append(path)
    return out


def main(argv: list[str]) -> int:
    files = build()
    stale = stale_files(files)
    if "--check" in argv:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run python scripts/update-catalogs.py)")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
