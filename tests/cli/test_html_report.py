"""``report ID --html FILE``: one self-contained page, opened in a real headless browser.

The page is written for a walked borrower whose first installment is overdue (and whose
card's back is a photo whose file name is markup), and for one stopped by a frozen card, in
Chinese. Chromium (Debian's
``chromium``, installed by ``.ci/run``) renders it: no console message (a blocked request or
script is one, under the page's Content-Security-Policy), and a screenshot that is not blank.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CARD,
    ID_DIR,
    ID_MASKED,
    ID_NUMBER,
    PHONE,
    PHONE_MASKED,
    run_cli,
    run_json,
    write_answers,
)

# A photo's file name is shown as the borrower named it (its numbers masked).
MARKUP = "<img src=x onerror=alert(1)> & back.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A0001: completed, 40 days on (installment 1 overdue, a penalty accrued), the card's back
    a photo named in markup; A0002: stopped at card binding (frozen card). Returns the folder;
    the state file is ``state.json`` in it."""
    folder = tmp_path_factory.mktemp("html")
    back = folder / MARKUP
    shutil.copyfile(ID_DIR / "back.png", back)
    answers = write_answers(folder, id_back=str(back))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        # (A0002 applies before A0001's installment is overdue: a borrower overdue with the
        # lender is refused at the review.)
        for args in (
            ("--no-input", "apply", "--answers", str(answers)),
            ("--no-input", "--scenario", "frozen-card", "apply", "--answers", str(answers)),
            ("clock", "advance", "40d"),
        ):
            code, _out, err = run_cli(folder, *args)
            assert code in (0, 3), err
    yield folder


def write_page(world: Path, name: str, *args: str) -> tuple[Path, str, str]:
    page = world / name
    page.unlink(missing_ok=True)
    code, out, err = run_cli(world, *args[:1], "report", *args[1:], "--html", str(page))
    assert code == 0, err
    return page, out, err


def embedded_images(text: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', text)]


def test_page_is_self_contained_masked_and_escaped(world: Path) -> None:
    page, out, err = write_page(world, "a1.html", "--lang=en", "A0001")
    assert out == "" and str(page) in err  # the page replaces the text report on stdout
    assert page.stat().st_mode & 0o777 == 0o600
    text = page.read_text(encoding="utf-8")
    # Nothing to load from anywhere: no URL, every src a data: URI, no script at all; the
    # policy forbids loading anything but the inline images and styles.
    outside_images = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert not re.search(r"https?:|//[a-z]|url\(", outside_images, re.IGNORECASE)
    assert re.findall(r'src="([a-z]+):', text) == ["data"] * len(re.findall(r'src="', text))
    assert "<script" not in text.lower()
    assert "default-src 'none'; img-src data:" in text
    # The photo's file name (in the timeline's upload detail and its caption) is text, escaped.
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; back.png" in text
    assert "<img src=x" not in text
    # The employer is masked as everywhere: its city and kind, not its name.
    assert "北京********公司" in text and "小米科技" not in text
    # The situation, the loan, its chart and its calendar.
    assert "The journey completed" in text
    assert "Repayment schedule of L0001" in text and '<tr class="overdue">' in text
    svg = text[text.index("<svg") : text.index("</svg>")]
    for colour in ("#3b6ea5", "#f0a03c", "#d0413a"):  # principal, interest, penalty
        assert f'fill="{colour}"' in svg
    assert len(re.findall(r"<rect ", svg)) >= 12 * 2 + 1 + 3  # 12 bars of two, a penalty, legend
    assert '<td class="due overdue"' in text and "<caption>2026-04</caption>" in text
    assert "installment_overdue" in text and "penalty_accrued" in text
    # Masked as every report is: the identifiers, and the ID images drawn again.
    assert PHONE_MASKED in text and ID_MASKED in text
    for secret in (PHONE, ID_NUMBER, CARD):
        assert secret not in text
    images = embedded_images(text)
    assert len(images) == 2
    from PIL import Image

    for data in images:
        assert ID_NUMBER.encode() not in data and "王大明".encode() not in data
        with Image.open(io.BytesIO(data)) as image:
            assert "loancli-idcard" not in image.info  # no fields chunk left in the page
            assert image.size == (856, 540)


def test_keep_personal_data_embeds_the_images_as_uploaded(world: Path) -> None:
    page, _out, _err = write_page(
        world, "a1-kept.html", "--lang=en", "A0001", "--keep-personal-data"
    )
    images = embedded_images(page.read_text(encoding="utf-8"))
    assert images == [(ID_DIR / "front.png").read_bytes(), (ID_DIR / "back.png").read_bytes()]


def test_chinese_page_has_both_languages_side_by_side(world: Path) -> None:
    code, out, err = run_cli(world, "report", "A0002", "--format", "json")
    assert code == 0, err
    said = json.loads(out)["borrower_message"]
    page, _out, _err = write_page(world, "a2.html", "--lang=zh", "A0002")
    text = page.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in text
    assert "<h2>时间线</h2>" in text and "<h2>情况</h2>" in text
    assert "card_frozen" in text
    both = text[text.index('<div class="both">') :]
    zh, en = both.index('lang="zh-CN"'), both.index('lang="en"')
    assert zh < en  # Chinese first under --lang zh
    for lang in ("zh", "en"):
        for part in ("message", "advice"):
            assert said[lang][part].replace("&", "&amp;").replace("'", "&#x27;") in text


def test_html_output_is_checked_before_anything_runs(world: Path) -> None:
    missing = world / "nowhere" / "r.html"
    code, out, err = run_cli(world, "--json", "report", "A0001", "--html", str(missing))
    assert code == 2 and "--html" in out + err
    assert not missing.parent.exists()
    code, out, err = run_cli(world, "report", "A0001", "--html", str(world))
    assert code == 2 and "--html" in err


def test_an_image_without_card_fields_is_blurred(tmp_path: Path) -> None:
    from PIL import Image

    from loancli.support import html_report

    photo = tmp_path / "photo.png"
    Image.new("RGB", (900, 600), (200, 30, 30)).save(photo)
    shown = html_report._image("id_front", str(photo), keep_personal_data=False)
    assert "blurred" in shown
    (data,) = embedded_images(shown)
    with Image.open(io.BytesIO(data)) as image:
        assert image.width == html_report.BLURRED_WIDTH
    shown = html_report._image("id_front", str(ID_DIR / "not-an-image.png"), False)
    assert "not an image" in shown and "<img" not in shown


def count_decodes(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Pillow's decodes of an image's pixels from here on, by the file the bytes are (its
    name under ID_DIR, else ``other``)."""
    from PIL import ImageFile

    names = {hashlib.sha256(p.read_bytes()).hexdigest(): p.name for p in ID_DIR.glob("*.png")}
    decoded: dict[str, int] = {}
    load = ImageFile.ImageFile.load

    def counted(image: ImageFile.ImageFile) -> Any:
        if image.tile:  # the pixels are still to decode (a loaded image has no tile left)
            fp = image.fp
            data = (
                fp.getvalue() if isinstance(fp, io.BytesIO) else Path(image.filename).read_bytes()
            )
            name = names.get(hashlib.sha256(data).hexdigest(), "other")
            decoded[name] = decoded.get(name, 0) + 1
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
    return decoded


def test_a_photo_is_read_once_per_page_and_decoded_once_per_use(
    world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo's one decode is the check an upload's read makes (it was decoded again to see
    that it is a PNG, and masked, once more to measure it); a photo without a card's fields
    is decoded a second time to blur it (it was a fourth)."""
    from PIL import Image

    from loancli.stories import tickets
    from loancli.support import html_report

    decoded = count_decodes(monkeypatch)
    tickets.report_html(world / "state.json", "A0001", keep_personal_data=True)
    assert decoded == {"front.png": 1, "back.png": 1}
    decoded.clear()
    tickets.report_html(world / "state.json", "A0001")
    assert decoded == {"front.png": 1, "back.png": 1}
    # A file two answers name is read once for the page.
    front = str(ID_DIR / "front.png")
    record = {"runs": [{"given": {"id_front": front, "id_back": front}}, {"given": {}}]}
    for keep in (True, False):
        decoded.clear()
        shown = html_report._images(record, keep)
        assert decoded == {"front.png": 1}
        assert shown.count("<img ") == 2 and "id_back: front.png" in shown
    photo = tmp_path / "photo.png"
    Image.new("RGB", (900, 600), (200, 30, 30)).save(photo)
    for keep, times in ((True, 1), (False, 2)):
        decoded.clear()
        html_report._image("id_front", str(photo), keep)
        assert decoded == {"other": times}


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_page_renders_in_headless_chromium(world: Path, tmp_path: Path) -> None:
    from PIL import Image

    page, _out, _err = write_page(world, "shown.html", "--lang=en", "A0001")
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1000,1400",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # Chromium logs every console message (and every request or script the page's policy
    # blocks) as a CONSOLE line.
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    with Image.open(shot) as image:
        assert image.size == (1000, 1400)
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 16) or []
        assert len(colours) > 50  # text, the header, the bars and the table
        pixels = rgb.width * rgb.height
        white = sum(n for n, c in colours if min(c) > 240)
        assert white < 0.9 * pixels
        # The header's band, the chart's principal blue, are painted.
        assert any(abs(c[0] - 0x3B) < 8 and abs(c[2] - 0xA5) < 8 for _n, c in colours)


def test_json_run_names_the_page_and_the_library_gives_its_text(world: Path) -> None:
    page = world / "json.html"
    page.unlink(missing_ok=True)
    code, out, err = run_cli(world, "--json", "report", "A0001", "--html", str(page))
    assert code == 0, err
    assert json.loads(out) == {"id": "A0001", "html": str(page)}
    from loancli.stories import tickets

    # A loan's id names the journey that made it, as report does.
    text = tickets.report_html(world / "state.json", "L0001")
    assert "<h1>loancli report: A0001</h1>" in text
    assert "&lt;img src=x" in text and "<img src=x" not in text


def test_the_pages_calendar_shows_what_an_overdue_installment_owes(world: Path) -> None:
    """The page's calendar said an overdue installment's total (916.80) where the calendar
    command and the .ics say what it owes, its penalty included (916.80 + 5.18)."""
    _page, _out, _err = write_page(world, "owed.html", "--lang=en", "A0001")
    text = (world / "owed.html").read_text(encoding="utf-8")
    tips = re.findall(r'<td class="due overdue" title="([^"]*)"', text)
    assert tips == ["1: 921.98 (overdue)"], tips
    code, doc = run_json(world, "calendar", "A0001", "--month", "2026-04")
    assert code == 0 and doc["installments"][0]["owed"] == "921.98"
