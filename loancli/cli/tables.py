"""Tables that fit the terminal: every figure (an id, an amount, a date, a status) whole at
any width, the least important columns left out when the terminal is narrow, each row
stacked when even the essential ones do not fit. rich is imported by the functions that
draw, never with this module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import msgspec

from loancli.clock import short_time
from loancli.i18n import _
from loancli.text import cell_len, wrap_keeping_figures

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.measure import Measurement
    from rich.table import Table

# A figure (an id, an amount, a date, a status) is never wrapped or cut: its column is
# ``no_wrap`` and as wide as its widest cell and its header. Text columns (reasons,
# descriptions) fold. When the terminal is too narrow for every column, the least important
# ones are left out (``keep``: 0 always shown, higher numbers go first); when even the
# essential ones do not fit, each row is shown stacked, one ``label  value`` line per field.

# Below this width a table keeps one space between columns and no outer frame.
ROOMY = 120
# What a cell holds when it says nothing.
_NOTHING = (None, "", "-", "0.00")
# What a text column needs at least before the table would rather drop a column.
TEXT_MIN = 14


class Col(msgspec.Struct, frozen=True):
    """One column of a fitted table: ``key`` into the rows, ``label`` its header (as
    shown), ``figure`` whether its cells are never wrapped, ``keep`` its priority, ``group``
    the columns it goes with."""

    key: str
    label: str
    figure: bool = True
    keep: int = 0
    justify: str = "left"
    # Columns of one group are shown or left out together (a line's fees by kind: one of
    # them beside their sum read as the rest of it).
    group: str | None = None


def _build_table(
    console: Console,
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Mapping[str, RenderableType]],
    styles: Sequence[str | None],
    widths: Sequence[int | None] | None = None,
) -> Table:
    from rich import box
    from rich.table import Table

    roomy = console.width >= ROOMY
    table = Table(
        title=title,
        box=box.HEAVY_HEAD if roomy else box.SIMPLE_HEAD,
        pad_edge=roomy,
        collapse_padding=not roomy,
    )
    for index, col in enumerate(cols):
        table.add_column(
            col.label,
            justify=col.justify,  # type: ignore[arg-type]
            no_wrap=col.figure,
            overflow="ellipsis" if col.figure else "fold",
            width=widths[index] if widths is not None else None,
        )
    for row, style in zip(rows, styles, strict=True):
        table.add_row(*[row.get(col.key) or "" for col in cols], style=style)
    return table


def _needed_width(
    console: Console, table: Table, cols: Sequence[Col], measured: dict[str, Measurement]
) -> tuple[int, list[int]]:
    """The width ``table`` needs with every figure whole: a figure column as wide as its
    widest cell, a text column as its longest word up to TEXT_MIN (it folds the rest); and
    each column's width unfolded (its longest line). ``measured`` keeps what a text cell
    measured: a table that leaves out columns is measured again with the same cells."""
    from rich.measure import Measurement

    wide = console.options.update_width(10_000)

    def measure(cell: RenderableType) -> Measurement:
        if type(cell) is not str:
            return Measurement.get(console, wide, cell)
        size = measured.get(cell)
        if size is None:
            size = measured[cell] = Measurement.get(console, wide, cell)
        return size

    widths = []
    unfolded = []
    for index, col in enumerate(cols):
        cells = [table.columns[index].header, *table.columns[index].cells]
        sizes = [measure(cell) for cell in cells]
        unfolded.append(max(m.maximum for m in sizes))
        if col.figure:
            widths.append(unfolded[-1])
        else:
            widths.append(min(max(m.minimum for m in sizes), TEXT_MIN))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    return Measurement.get(console, wide, table).minimum, unfolded


def _stacked(
    width: int,
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Mapping[str, RenderableType]],
    styles: Sequence[str | None],
) -> Table:
    """Each row as a block of ``label  value`` lines, blocks separated by a line; a text
    value wrapped to what the labels leave of ``width`` as a fitted table's text column is
    (between Chinese characters, never inside a figure: rich folds a line of Chinese, which
    has no spaces, wherever it ends)."""
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE, show_header=False, pad_edge=False)
    table.add_column(no_wrap=True, style="dim")
    table.add_column(overflow="fold")
    # The frame's edges and the space between the columns take five cells.
    room = width - max((cell_len(col.label) for col in cols), default=0) - 5
    for index, (row, style) in enumerate(zip(rows, styles, strict=True)):
        if index:
            table.add_section()
        for col in cols:
            value = row.get(col.key)
            if type(value) is str and not col.figure and room >= 8:
                value = wrap_keeping_figures(value, room)
            if value not in (None, ""):
                table.add_row(col.label, value, style=style)
    return table


def fit_table(
    console: Console,
    title: str | None,
    cols: Sequence[Col],
    rows: Sequence[Mapping[str, RenderableType]],
    styles: Sequence[str | None] | None = None,
) -> Table:
    """A table of ``rows`` (cells: strings or rich text) that fits ``console.width`` with
    every figure whole: the least important columns left out, or each row stacked."""
    styles = list(styles) if styles is not None else [None] * len(rows)
    shown = list(cols)
    measured: dict[str, Measurement] = {}
    while True:
        probe = _build_table(console, title, shown, rows, styles)
        needed, unfolded = _needed_width(console, probe, shown, measured)
        if needed <= console.width and len(shown) < len(cols):
            # A column left out before a wider group went may fit now: the most important
            # first, each (or its group) back where it was if the table still fits.
            back = _put_back(console, title, cols, shown, rows, styles, measured)
            if back != shown:
                shown = back
                continue
        if needed <= console.width:
            rows, widths = _wrapped_text(probe, shown, rows, console.width - needed, unfolded)
            # A figure's column as wide as its widest cell, as rich would make it: given,
            # rich measures no cell again to draw the table.
            widths = [unfolded[i] if w is None else w for i, w in enumerate(widths)]
            table = _build_table(console, title, shown, rows, styles, widths)
            # (A column with nothing in it said nothing: not named.)
            left_out = [
                c.label
                for c in cols
                if c not in shown and any(row.get(c.key) not in _NOTHING for row in rows)
            ]
            if left_out:
                # Said under the table: the columns shown may not add up without them.
                table.caption = _("Not shown at this width: {columns} (wider, or --json)").format(
                    columns=_(", ").join(left_out)
                )
                table.caption_justify = "left"
            return table
        droppable = [c for c in shown if c.keep > 0]
        if not droppable:
            return _stacked(console.width, title, cols, rows, styles)
        # A column with nothing in it goes first (an empty expiry before a bound date), then
        # the least important; of equals, the rightmost.
        worst = max(
            droppable,
            key=lambda c: (
                all(row.get(c.key) in _NOTHING for row in rows),
                c.keep,
                shown.index(c),
            ),
        )
        gone = [c for c in shown if c.group is not None and c.group == worst.group] or [worst]
        shown = [c for c in shown if c not in gone]


def _put_back(
    console: Console,
    title: str | None,
    cols: Sequence[Col],
    shown: list[Col],
    rows: Sequence[Mapping[str, RenderableType]],
    styles: Sequence[str | None],
    measured: dict[str, Measurement],
) -> list[Col]:
    """``shown`` with the columns left out that still fit added back, the most important
    first (a group whole), in their places."""
    left = [c for c in cols if c not in shown]
    for col in sorted(left, key=lambda c: (c.keep, cols.index(c))):
        if col in shown:
            continue  # came back with its group
        group = [c for c in left if col.group is not None and c.group == col.group] or [col]
        trial = [c for c in cols if c in shown or c in group]
        probe = _build_table(console, title, trial, rows, styles)
        if _needed_width(console, probe, trial, measured)[0] <= console.width:
            shown = trial
    return shown


def _wrapped_text(
    probe: Table,
    cols: Sequence[Col],
    rows: Sequence[Mapping[str, RenderableType]],
    spare: int,
    unfolded: Sequence[int],
) -> tuple[Sequence[Mapping[str, RenderableType]], list[int | None]]:
    """The rows with the text of a table's text columns wrapped to the widths they will have
    (each its least, as measured, and a share of what the terminal has to spare, a cell at a
    time to the one that lacks the most): at spaces, or between the characters of Chinese
    text, never inside a figure (``2026-04-02``, ``10,000.00``) or a word, which rich would
    fold wherever the line ends (two text columns were left to rich, which squeezed each
    below its longest word). A cell that is not plain text is left to rich. Also each
    column's width, the text columns' as given them (None: a figure's, its widest cell)."""
    texts = [i for i, col in enumerate(cols) if not col.figure]
    widths = {i: probe.columns[i].width or 0 for i in texts}
    lacking = {i: unfolded[i] - widths[i] for i in texts}
    while spare > 0 and texts:
        neediest = max(texts, key=lambda i: lacking[i])
        if lacking[neediest] <= 0:
            break
        widths[neediest] += 1
        lacking[neediest] -= 1
        spare -= 1
    wrapped = {cols[i].key: widths[i] for i in texts if widths[i] >= 8}
    out = []
    for row in rows:
        out.append(
            {
                key: wrap_keeping_figures(value, wrapped[key])
                if key in wrapped and type(value) is str
                else value
                for key, value in row.items()
            }
        )
    return out, [widths.get(i) for i in range(len(cols))]


def short_times(values: Sequence[str | None]) -> list[str]:
    """Timestamps as a list shows them: ``2026-03-02 10:00`` (Beijing time, seconds dropped
    when all are zero), or only the date when every time of day is the same."""
    shown = [short_time(v) if v else "" for v in values]
    times = {v[11:] for v in shown if v}
    if len(times) <= 1:
        return [v[:10] for v in shown]
    if all(v[16:19] in ("", ":00") for v in shown):
        return [v[:16] + v[19:] for v in shown]
    return shown
