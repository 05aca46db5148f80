"""The report as one page people look at (``report ID --html FILE``).

One self-contained HTML file: inline CSS, the ID images as ``data:`` URIs, the repayment chart
as inline SVG, no script, and a Content-Security-Policy that lets the page load nothing from
anywhere (a browser opening it makes no request). The page shows the situation, what to tell
the borrower in Chinese and English side by side, the timeline, each loan's schedule with a
stacked bar chart of principal, interest and penalty per installment, the month calendar with
the due days marked, and the ID images the runs uploaded.

Every value is escaped (:func:`esc`) before it is put into the page, which is assembled from
:class:`string.Template` pieces. What the page shows is what ``report`` shows: the borrower's
identifiers masked; the ID images are drawn again with their printed fields masked
(:func:`~loancli.support.pseudonym.masked_image`), an image that carries no card's fields is
blurred past reading, unless ``keep_personal_data``, which embeds them as uploaded.
"""

from __future__ import annotations

import base64
import copy
import html
import io
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from string import Template
from typing import Any, NamedTuple, cast

from loancli.clock import short_time
from loancli.errors import UsageError
from loancli.i18n import N_, _, language
from loancli.identity.photo import DEFAULT_LIMITS, open_photo, read_measured_photo
from loancli.loan.calendar import WEEKDAYS, month_weeks, next_due_month, shown_amount
from loancli.loan.loans import line_view, loan_view
from loancli.loan.servicing import catch_up
from loancli.masking import Private, mask_text, private_words
from loancli.records import LOANS, Loan
from loancli.store import Store
from loancli.support import reporting
from loancli.support.event_words import detail_words
from loancli.support.names import step_name
from loancli.support.pseudonym import masked_image
from loancli.text import printable

# The answers that name an uploaded image.
IMAGE_KEYS = ("id_front", "id_back", "income_proof")
# An image that carries no card's fields, shown blurred past reading at most this wide.
BLURRED_WIDTH = 320
BLURRED_RADIUS = 12
# The eight bytes every PNG file starts with.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

COLUMNS = {
    "n": N_("#"),
    "due_date": N_("due date"),
    "principal": N_("principal"),
    "interest": N_("interest"),
    "fee": N_("fee"),
    "penalty": N_("penalty"),
    "total": N_("total"),
    "owed": N_("owed"),
    "status": N_("status"),
    "paid_on": N_("paid on"),
}
STATUSES = {
    "scheduled": N_("scheduled"),
    "due": N_("due"),
    "overdue": N_("overdue"),
    "paid": N_("paid"),
}
OUTCOMES = {
    "stopped": N_("stopped"),
    "completed": N_("completed"),
    "in_progress": N_("in progress"),
}
# The chart's parts, bottom to top, with their colours.
PARTS = (("principal", "#3b6ea5"), ("interest", "#f0a03c"), ("penalty", "#d0413a"))


def esc(value: object) -> str:
    """``value`` as HTML text: markup characters escaped, quotes too (safe in an attribute),
    and every control or format character written as its escape, as the report writes it."""
    return html.escape(printable("" if value is None else value, lines=True), quote=True)


def page(store: Store, record_id: str, today: date, *, keep_personal_data: bool = False) -> str:
    """The HTML page of a journey, flow or loan's journey as it is ``today``."""
    # As of ``today``: what is wrong with its loans then (an overdue, a refund owed) is said
    # and told to the borrower, as the text report says it.
    data = reporting.report(store, record_id, None, today)
    record = reporting.resolve(store, data["id"])
    loans: list[Loan] = []
    for stored in sorted(store.find(LOANS, applicant_id=data["id"]), key=lambda x: x["id"]):
        loan = copy.deepcopy(stored)  # brought to today for the page only
        catch_up(loan, today)
        loans.append(loan)
    sections = [
        _situation(data),
        _advice(data),
        *(_loan(loan, today) for loan in loans),
        _calendar(loans[-1]) if loans else "",
        _timeline(data["timeline"]),
        _images(record, keep_personal_data),
    ]
    return PAGE.substitute(
        lang="zh-CN" if language() == "zh" else "en",
        title=esc(_("loancli report: {id}").format(id=data["id"])),
        heading=esc(_("loancli report: {id}").format(id=data["id"])),
        today=esc(_("As of {date} (simulated time)").format(date=today.isoformat())),
        css=CSS,
        body="\n".join(s for s in sections if s),
    )


# -- sections ---------------------------------------------------------------------------------


def _section(title: str, body: str) -> str:
    return SECTION.substitute(title=esc(title), body=body)


def _facts(rows: list[tuple[str, object]]) -> str:
    items = "".join(
        f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>"
        for label, value in rows
        if value not in (None, "")
    )
    return f'<dl class="facts">{items}</dl>'


def _situation(data: Mapping[str, Any]) -> str:
    outcome, borrower = data["outcome"], data["borrower"]
    status = outcome["status"]
    rows: list[tuple[str, object]] = [
        (_("Outcome"), _(OUTCOMES.get(status, status))),
        (_("Stopped at"), step_name(outcome.get("stopped_at"))),
        (_("Reason code"), outcome.get("reason")),
        (_("Scenario"), data["scenario"]["name"]),
        (_("Phone"), borrower.get("phone")),
        (_("Name"), borrower.get("name")),
        (_("ID number"), borrower.get("id_number")),
    ]
    kind = "bad" if status == "stopped" else "good" if status == "completed" else "neutral"
    sentence = f'<p class="sentence {kind}">{esc(outcome.get("explanation"))}</p>'
    return _section(_("Situation"), sentence + _facts(rows))


def _advice(data: Mapping[str, Any]) -> str:
    said = data.get("borrower_message")
    if not said:
        nothing = _("Nothing stopped: there is nothing to tell the borrower.")
        body = f"<p>{esc(nothing)}</p>"
        return _section(_("What to tell the borrower"), body)
    titles = {"zh": "中文", "en": "English"}
    columns = "".join(
        f'<div class="lang" lang="{"zh-CN" if lang == "zh" else "en"}">'
        f"<h3>{esc(titles[lang])}</h3>"
        f'<p>{esc(parts["message"])}</p><p class="advice">{esc(parts["advice"])}</p></div>'
        for lang, parts in said.items()
    )
    return _section(_("What to tell the borrower"), f'<div class="both">{columns}</div>')


def _timeline(rows: Sequence[Mapping[str, Any]]) -> str:
    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in (_("When"), _("Step"), _("Event"), _("Reason code"), _("Detail"))
    )
    body = "".join(
        f'<tr class="{"bad" if row.get("reason") else ""}">'
        f"<td>{esc(short_time(row['at']))}</td>"
        f"<td>{esc(step_name(row.get('step')) or row.get('source'))}</td>"
        f"<td>{esc(row['event'])}</td><td>{esc(row.get('reason') or '')}</td>"
        f"<td>{esc(detail_words(str(row['event']), row.get('detail') or {}))}</td></tr>"
        for row in rows
    )
    table = f'<table class="timeline"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return _section(_("Timeline"), table)


def _loan(loan: Loan, today: date) -> str:
    view = loan_view(loan, today)
    facts = _facts(
        [
            (_("Loan"), view["loan"]),
            (_("Loan status"), _(reporting.LOAN_STATUSES.get(view["loan_status"], "active"))),
            (_("Amount"), view["amount"]),
            (_("APR"), view["apr"]),
            (_("Remaining principal"), view["remaining_principal"]),
            (_("Owed today"), view["owed_today"]),
            (_("Overdue installments"), view["overdue_installments"]),
            (_("Penalty"), view["penalty"]),
        ]
    )
    lines = view["installments"]
    columns = ("n", "due_date", "principal", "interest", "penalty", "total", "status", "paid_on")
    head = "".join(f"<th>{esc(_(COLUMNS[c]))}</th>" for c in columns)
    body = "".join(
        f'<tr class="{esc(x["status"])}">'
        + "".join(
            f"<td>{esc(_status(x['status']) if c == 'status' else cells.get(c) or '')}</td>"
            for cells in [cast(Mapping[str, object], x)]
            for c in columns
        )
        + "</tr>"
        for x in lines
    )
    table = f'<table class="schedule"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    title = _("Repayment schedule of {loan}").format(loan=view["loan"])
    return _section(title, facts + chart(lines) + table)


def _status(status: str) -> str:
    return _(STATUSES.get(status, status))


def chart(lines: Sequence[Mapping[str, Any]]) -> str:
    """A stacked bar per installment (principal, interest, penalty), as inline SVG."""
    width, height, left, bottom, top = 880, 260, 64, 28, 12
    values = [[Decimal(str(x.get(part) or 0)) for part, _colour in PARTS] for x in lines]
    peak = max((sum(v) for v in values), default=Decimal(0)) or Decimal(1)
    scale = (height - bottom - top) / float(peak)
    step = (width - left - 8) / max(len(lines), 1)
    bar = max(step * 0.7, 1.0)
    title = _("Principal, interest and penalty per installment")
    out = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height + 24}" '
        f'width="{width}" height="{height + 24}">',
        f"<title>{esc(title)}</title>",
    ]
    for tick in range(5):
        level = float(peak) * tick / 4
        y = height - bottom - level * scale
        out.append(
            f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" class="axis" text-anchor="end">'
            f"{level:.0f}</text>"
        )
    for i, (line, parts) in enumerate(zip(lines, values, strict=True)):
        x = left + i * step + (step - bar) / 2
        y = float(height - bottom)
        for (part, colour), amount in zip(PARTS, parts, strict=True):
            if amount <= 0:
                continue
            h = float(amount) * scale
            y -= h
            label = f"{line['n']}: {_(COLUMNS[part])} {amount}"
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{esc(label)}</title></rect>'
            )
        out.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" class="axis" '
            f'text-anchor="middle">{esc(line["n"])}</text>'
        )
    legend_x = left
    for part, colour in PARTS:
        out.append(
            f'<rect x="{legend_x}" y="{height + 6}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{legend_x + 18}" y="{height + 16}" class="axis">'
            f"{esc(_(COLUMNS[part]))}</text>"
        )
        legend_x += 130
    out.append("</svg>")
    return f"<figure>{''.join(out)}</figure>"


def _calendar(loan: Mapping[str, Any]) -> str:
    # As the calendar command shows them: an overdue installment by what it owes now.
    lines = [line_view(x) for x in loan["lines"]]
    year, month = next_due_month(lines)
    due = {date.fromisoformat(x["due_date"]): x for x in lines}
    head = "".join(f"<th>{esc(_(d))}</th>" for d in WEEKDAYS)
    weeks = []
    for week in month_weeks(year, month):
        cells = []
        for day in week:
            if day is None:
                cells.append("<td></td>")
            elif day in due:
                line = due[day]
                tip = f"{line['n']}: {shown_amount(line)} ({_status(line['status'])})"
                cells.append(
                    f'<td class="due {esc(line["status"])}" title="{esc(tip)}">'
                    f"<b>{day.day}</b><small>{esc(_status(line['status']))}</small></td>"
                )
            else:
                cells.append(f"<td>{day.day}</td>")
        weeks.append(f"<tr>{''.join(cells)}</tr>")
    grid = (
        f'<table class="month"><caption>{year:04d}-{month:02d}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(weeks)}</tbody></table>"
    )
    title = _("Calendar of {loan}").format(loan=loan["id"])
    return _section(title, grid)


def _images(record: Mapping[str, Any], keep_personal_data: bool) -> str:
    seen: list[tuple[str, str]] = []
    for run in record.get("runs", []):
        given = run.get("given") or {}
        for key in IMAGE_KEYS:
            values = given.get(key)
            for value in values if isinstance(values, list) else [values]:
                if value and (key, str(value)) not in seen:
                    seen.append((key, str(value)))
    if not seen:
        return ""
    # Each file is read and drawn once for the page, however many answers name it.
    shown: dict[str, _Shown] = {}
    for _key, path in seen:
        if path not in shown:
            shown[path] = _shown(path, keep_personal_data)
    private = private_words(record)
    figures = "".join(_figure(key, path, shown[path], private) for key, path in seen)
    note = (
        _("As uploaded (--keep-personal-data).")
        if keep_personal_data
        else _("Drawn again with the printed name, ID number and address masked.")
    )
    body = f'<p class="note">{esc(note)}</p><div class="images">{figures}</div>'
    return _section(_("ID images"), body)


class _Shown(NamedTuple):
    """What the page shows of an uploaded image: the PNG it embeds, and what its caption
    adds (that it was blurred), or, with no picture, why there is none."""

    picture: bytes | None
    note: str = ""


def _image(key: str, path: str, keep_personal_data: bool, private: Private = ()) -> str:
    """The figure of the image at ``path``, which the answer ``key`` names."""
    return _figure(key, path, _shown(path, keep_personal_data), private)


def _figure(key: str, path: str, shown: _Shown, private: Private) -> str:
    """The figure of the image at ``path``, which the answer ``key`` names: its file's name
    masked as a path is (a photo named after its owner)."""
    caption = f"{key}: {mask_text(Path(path).name, private)}"
    note = mask_text(shown.note, private)  # why there is no picture names its path
    if shown.picture is None:
        return f"<figure><figcaption>{esc(caption)}: {esc(note)}</figcaption></figure>"
    caption += note
    uri = "data:image/png;base64," + base64.b64encode(shown.picture).decode("ascii")
    return (
        f'<figure><img src="{uri}" alt="{esc(caption)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _shown(path: str, keep_personal_data: bool) -> _Shown:
    try:
        # Read as an upload is: the record names the path, and it may come from anyone.
        data, check, chunk = read_measured_photo(path)
    except UsageError as exc:  # why, in the words of an upload's refusal
        return _Shown(None, str(exc))
    # Its one decode found a PNG or JPEG within the pixel limit, measured it and read its
    # fields (the masking draws from those). The page names every image PNG, so only a PNG
    # is shown as it is, or blurred.
    png = data.startswith(PNG_SIGNATURE)
    if keep_personal_data:
        return _Shown(data) if png else _Shown(None, _("not an image"))
    picture = masked_image(data, (check, chunk))
    if picture is not None:
        return _Shown(picture)
    picture = _blurred(data) if png else None
    if picture is None:
        return _Shown(None, _("not an image"))
    return _Shown(picture, " " + _("(no card fields to mask: blurred)"))


def _open(data: bytes) -> Any:
    image = open_photo(io.BytesIO(data))
    if image.width * image.height > DEFAULT_LIMITS.max_pixels:
        raise ValueError("too many pixels")
    image.load()
    return image


def _blurred(data: bytes) -> bytes | None:
    """An image nobody can read anything off: shrunk and blurred, as PNG without its chunks;
    None when ``data`` is no image Pillow decodes."""
    from PIL import Image, ImageFilter

    try:
        image = _open(data).convert("RGB")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    if image.width > BLURRED_WIDTH:
        image = image.resize((BLURRED_WIDTH, max(image.height * BLURRED_WIDTH // image.width, 1)))
    image = image.filter(ImageFilter.GaussianBlur(BLURRED_RADIUS))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# -- the page ---------------------------------------------------------------------------------

SECTION = Template("<section>\n<h2>$title</h2>\n$body\n</section>")

PAGE = Template(
    """<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; \
style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>$title</title>
<style>
$css
</style>
</head>
<body>
<header><h1>$heading</h1><p class="today">$today</p></header>
<main>
$body
</main>
</body>
</html>
"""
)

CSS = """
:root { color-scheme: light; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei",
  system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d232b; }
header { background: #1f3b5c; color: #fff; padding: 16px 28px; }
header h1 { margin: 0; font-size: 1.5rem; }
header .today { margin: 4px 0 0; opacity: .85; }
main { max-width: 960px; margin: 0 auto; padding: 12px 20px 40px; }
section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12);
  padding: 12px 20px 16px; margin: 16px 0; overflow-x: auto; }
h2 { font-size: 1.15rem; color: #1f3b5c; border-bottom: 2px solid #e3e7ec; padding-bottom: 6px; }
h3 { font-size: 1rem; margin: 0 0 6px; }
.sentence { font-size: 1.05rem; padding: 10px 14px; border-radius: 6px; }
.sentence.bad { background: #fdecea; border-left: 5px solid #d0413a; }
.sentence.good { background: #e8f5e9; border-left: 5px solid #2e7d32; }
.sentence.neutral { background: #eef2f7; border-left: 5px solid #3b6ea5; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dl.facts dt { color: #5a6572; } dl.facts dd { margin: 0; font-weight: 600; }
.both { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.lang { background: #f7f9fb; border: 1px solid #e3e7ec; border-radius: 6px; padding: 10px 14px; }
.advice { font-weight: 600; }
.note { color: #5a6572; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { border-bottom: 1px solid #e3e7ec; padding: 4px 8px; text-align: left;
  vertical-align: top; }
th { background: #eef2f7; }
table.schedule td:nth-child(n+3):nth-child(-n+6) { text-align: right;
  font-variant-numeric: tabular-nums; }
tr.overdue td, tr.bad td { background: #fdecea; }
tr.paid td { color: #2e7d32; }
table.timeline td:last-child { word-break: break-word; font-family: ui-monospace, monospace;
  font-size: .78rem; }
svg.chart { max-width: 100%; height: auto; }
svg .grid { stroke: #e3e7ec; } svg .axis { font-size: 11px; fill: #5a6572; }
table.month { width: auto; } table.month caption { font-weight: 600; padding: 4px; }
table.month td, table.month th { width: 56px; height: 40px; text-align: center;
  border: 1px solid #e3e7ec; }
table.month td.due { font-weight: 700; }
table.month td small { display: block; font-size: .7rem; font-weight: 400; }
td.due.scheduled { background: #e3edf8; } td.due.due { background: #fff4d6; }
td.due.overdue { background: #f8c9c5; } td.due.paid { background: #d9f0dc; }
.images { display: flex; flex-wrap: wrap; gap: 16px; }
.images figure { margin: 0; } .images img { max-width: 420px; width: 100%; border-radius: 8px;
  border: 1px solid #ccd3db; }
figcaption { font-size: .85rem; color: #5a6572; }
@media print { body { background: #fff; } section { box-shadow: none; break-inside: avoid; } }
"""
