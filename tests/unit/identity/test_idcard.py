import io
import json
import os
import struct
import zlib
from datetime import date

import msgspec
import pytest
from conftest import ID_DIR
from typer.testing import CliRunner

from loancli.cli.idcard import app
from loancli.errors import UsageError
from loancli.identity.card import (
    METADATA_KEY,
    IdCardFields,
    add_years,
    default_valid_until,
    expired_validity,
    format_validity,
    parse_validity,
)
from loancli.identity.idnumber import make_id, parse_id
from loancli.identity.images import generate
from loancli.identity.photo import DEFAULT_LIMITS, ImageLimits, check_image, read_fields
from loancli.masking import mask_id
from loancli.reasons import Reason

FIXTURES = ID_DIR


@pytest.fixture
def fields() -> IdCardFields:
    from loancli.world.demo import demo_card

    return demo_card()


# --- fixtures on disk ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["front.png", "back.png", "back-expired.png", "front-other.png"])
def test_sharp_fixtures_pass_the_check(name):
    result = check_image(FIXTURES / name, key="id_front")
    assert result.problem is None
    assert (result.width, result.height) == (856, 540)
    assert result.blur_score > DEFAULT_LIMITS.blur_threshold * 5


def test_blurry_fixture_is_blurry():
    result = check_image(FIXTURES / "front-blurry.png")
    assert result.problem == Reason.ID_BLURRY == "id_blurry"
    assert result.blur_score < DEFAULT_LIMITS.blur_threshold / 5


def test_low_resolution_fixture_is_checked_before_blur():
    result = check_image(FIXTURES / "front-lowres.png")
    assert result.problem == "id_low_resolution"
    assert (result.width, result.height) == (428, 270)


def test_fixture_fields_tell_the_story():
    front = read_fields(FIXTURES / "front.png")
    back = read_fields(FIXTURES / "back.png")
    other = read_fields(FIXTURES / "front-other.png")
    expired = read_fields(FIXTURES / "back-expired.png")
    assert front["name"] == "王小明" and front["sex_printed"] == "男"
    assert parse_id(front["number"]) and front["number"].startswith("110105")
    assert back["number"] == front["number"]
    assert back["validity"] == "2020.05.01-2040.05.01"
    assert expired["validity"] == "2005.05.01-2015.05.01"
    assert other["name"] == "李华" and other["sex"] == "female"
    assert parse_id(other["number"]) and other["number"] != back["number"]
    assert read_fields(FIXTURES / "front-blurry.png") == front


@pytest.mark.parametrize("name", ["not-an-image.png", "does-not-exist.png"])
def test_unusable_paths_raise_usage_error_naming_the_key(name):
    with pytest.raises(UsageError, match=f"^id_front: .*{name}") as caught:
        check_image(FIXTURES / name, key="id_front")
    assert caught.value.key == "id_front"


def test_directory_is_refused(tmp_path):
    with pytest.raises(UsageError, match="is a directory"):
        check_image(tmp_path, key="id_back")


def test_oversize_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(b"\0" * (DEFAULT_LIMITS.max_bytes + 1))
    with pytest.raises(UsageError, match="id_back: .*at most 5 MiB"):
        check_image(big, key="id_back")


def test_limits_are_settings(tmp_path):
    front = FIXTURES / "front.png"
    with pytest.raises(UsageError, match="at most"):
        check_image(front, ImageLimits(max_bytes=1000))
    assert check_image(front, ImageLimits(min_width=900)).problem == "id_low_resolution"
    assert check_image(front, ImageLimits(blur_threshold=1e6)).problem == "id_blurry"


def test_truncated_png_is_not_an_image(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes((FIXTURES / "front.png").read_bytes()[:2000])
    with pytest.raises(UsageError, match="not an image"):
        check_image(broken, key="id_front")


# --- generation ---------------------------------------------------------------------------


def test_read_fields_round_trips(tmp_path, fields):
    front, back = generate(fields, tmp_path, stem="x", face_seed=3)
    assert (front.name, back.name) == ("x-front.png", "x-back.png")
    assert read_fields(front) == {
        "side": "front",
        "name": "王小明",
        "sex": "male",
        "sex_printed": "男",
        "ethnicity": "汉",
        "birth_date": "1990-03-07",
        "address": "北京市朝阳区建国路88号",
        "number": fields.number,
        "face_id": "face-3",
    }
    assert read_fields(back) == {
        "side": "back",
        "authority": "北京市公安局朝阳分局",
        "validity": "2020.05.01-2040.05.01",
        "number": fields.number,
    }


def test_metadata_is_an_ascii_text_chunk(tmp_path, fields):
    front, _ = generate(fields, tmp_path)
    data = front.read_bytes()
    assert b"tEXt" + METADATA_KEY.encode() + b"\0" in data
    assert b"iTXt" not in data


def test_generation_is_byte_deterministic(tmp_path, fields):
    first = generate(fields, tmp_path / "a", face_seed=5)
    second = generate(fields, tmp_path / "b", face_seed=5)
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
    other_face, _ = generate(fields, tmp_path / "c", face_seed=6)
    assert other_face.read_bytes() != first[0].read_bytes()


def test_generated_variants_check_as_expected(tmp_path, fields):
    sharp = generate(fields, tmp_path, stem="sharp")
    blurry = generate(fields, tmp_path, stem="blurry", blurry=True)
    small = generate(fields, tmp_path, stem="small", low_resolution=True)
    assert all(check_image(p).problem is None for p in sharp)
    assert all(check_image(p).problem == "id_blurry" for p in blurry)
    assert all(check_image(p).problem == "id_low_resolution" for p in small)


def test_read_fields_without_or_with_bad_chunk_is_none(tmp_path):
    from PIL import Image, PngImagePlugin

    plain = tmp_path / "plain.png"
    Image.new("RGB", (10, 10)).save(plain)
    assert read_fields(plain) is None
    for bad in ("not json", json.dumps([1, 2]), json.dumps({"side": "top"})):
        info = PngImagePlugin.PngInfo()
        info.add_text(METADATA_KEY, bad)
        Image.new("RGB", (10, 10)).save(plain, pnginfo=info)
        assert read_fields(plain) is None


def test_fields_refuse_unknown_sex(fields):
    with pytest.raises(ValueError, match="male"):
        IdCardFields(**{**msgspec.structs.asdict(fields), "sex": "m"})


# --- validity -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2020, 5, 1), date(2040, 5, 1), "2020.05.01-2040.05.01"),
        (date(2020, 5, 1), None, "2020.05.01-长期"),
    ],
)
def test_validity_format_round_trips(start, end, text):
    assert format_validity(start, end) == text
    assert parse_validity(text) == (start, end)


@pytest.mark.parametrize(
    "text", ["2020.05.01", "2020-05-01-2040-05-01", "2020.5.1-2040.5.1", "2020.05.01-long"]
)
def test_bad_validity_names_the_format(text):
    with pytest.raises(ValueError, match="YYYY.MM.DD-YYYY.MM.DD"):
        parse_validity(text)


def test_validity_must_end_after_it_starts():
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_validity("2020.05.01-2010.05.01")


def test_default_validity_follows_age_at_issue():
    birth = date(1990, 3, 7)
    assert default_valid_until(birth, date(2005, 1, 1)) == date(2010, 1, 1)  # 14
    assert default_valid_until(birth, date(2010, 1, 1)) == date(2020, 1, 1)  # 19
    assert default_valid_until(birth, date(2020, 5, 1)) == date(2040, 5, 1)  # 30
    assert default_valid_until(birth, date(2040, 1, 1)) is None  # 49
    with pytest.raises(ValueError, match="before the holder's birth"):
        default_valid_until(birth, date(1980, 1, 1))


def test_add_years_on_29_february():
    assert add_years(date(2020, 2, 29), 10) == date(2030, 2, 28)


def test_expired_validity_ended_yesterday():
    assert expired_validity(date(2026, 3, 2)) == (date(2016, 3, 1), date(2026, 3, 1))


# --- CLI ----------------------------------------------------------------------------------

PERSONA = [
    "--name", "王小明", "--sex", "male", "--birth-date", "1990-03-07",
    "--address", "北京市朝阳区建国路88号", "--authority", "北京市公安局朝阳分局",
]  # fmt: skip


def _run(*args: str):
    return CliRunner().invoke(app, ["generate", *PERSONA, *args])


def test_cli_writes_both_sides_and_prints_paths(tmp_path):
    result = _run("--out", str(tmp_path), "--stem", "wang", "--valid-from", "2020-05-01")
    assert result.exit_code == 0, result.output
    front, back = (tmp_path / "wang-front.png", tmp_path / "wang-back.png")
    number = make_id("110105", date(1990, 3, 7), "male", 0)
    # Masked as every output masks one; --json gives it whole (it is made up).
    shown = f"ID number: {mask_id(number)}"
    assert result.stdout.split("\n")[:3] == [shown, str(front), str(back)]
    assert number not in result.stdout
    assert read_fields(front)["number"] == number
    assert read_fields(back)["validity"] == "2020.05.01-2040.05.01"  # age 30: 20 years
    assert check_image(front).problem is None


def test_cli_matches_library_output(tmp_path, fields):
    _run("--out", str(tmp_path / "cli"), "--valid-from", "2020-05-01", "--valid-until",
         "2040-05-01")  # fmt: skip
    lib = generate(fields, tmp_path / "lib")
    for path in lib:
        assert (tmp_path / "cli" / path.name).read_bytes() == path.read_bytes()


def test_cli_options(tmp_path):
    result = _run(
        "--out", str(tmp_path), "--number", "11010519491231002x", "--valid-until", "long-term",
        "--blurry", "--face-seed", "9",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    front = read_fields(tmp_path / "id-front.png")
    assert front["number"] == "11010519491231002X"
    assert front["face_id"] == "face-9"
    assert read_fields(tmp_path / "id-back.png")["validity"] == "2025.03.02-长期"
    assert check_image(tmp_path / "id-front.png").problem == "id_blurry"


def test_cli_expired(tmp_path):
    result = _run("--out", str(tmp_path), "--expired", "--low-resolution")
    assert result.exit_code == 0, result.output
    assert read_fields(tmp_path / "id-back.png")["validity"] == "2016.03.01-2026.03.01"
    assert check_image(tmp_path / "id-back.png").problem == "id_low_resolution"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--number", "110105194912310024"], "--number: the check character does not match"),
        (["--birth-date", "1990-02-30"], "--birth-date: '1990-02-30' is not a date"),
        (["--valid-until", "someday"], "--valid-until: 'someday' is not a date"),
        (["--valid-from", "1980-01-01"], "before the holder's birth"),
        (["--valid-from", "2020-05-01", "--valid-until", "2019-01-01"], "is not after"),
        (["--expired", "--valid-from", "2010-01-01"], "--expired: it sets the validity itself"),
        (["--sex", "m"], "--sex: write male or female"),
        (["--area", "1101"], "--area: an area code is 6 digits"),
    ],
)
def test_cli_bad_values_exit_2_with_a_message(tmp_path, args, message):
    result = _run("--out", str(tmp_path), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_a_pixel_bomb_is_refused_from_its_header_before_decoding(tmp_path) -> None:
    import resource

    from PIL import Image

    from loancli.errors import UsageError

    bomb = tmp_path / "bomb.png"
    Image.new("1", (12000, 12000)).save(bomb, optimize=True)
    assert bomb.stat().st_size < 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(UsageError, match=r"12000x12000 pixels; an ID photo may have at most"):
        check_image(bomb, key="id_front")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100  # not decoded (decoding as greyscale takes 137 MB)


def _refused_by_check_and_ocr(photo, words: str) -> None:
    """The upload check and the fake OCR both refuse ``photo``, saying ``words``."""
    for read in (check_image, read_fields):
        with pytest.raises(UsageError, match=words):
            read(photo, key="id_front")


def test_a_fifo_as_a_photo_is_refused_without_blocking(tmp_path) -> None:
    fifo = tmp_path / "photo.png"
    os.mkfifo(fifo)
    _refused_by_check_and_ocr(fifo, "not a regular file")


def test_a_photo_beyond_pillows_own_limit_is_called_too_large(tmp_path) -> None:
    from PIL import Image

    from loancli.errors import UsageError

    # A real PNG whose header says 30000 x 30000 (Pillow refuses at the header, before any
    # pixel is read): a 1 x 1 picture with its size rewritten and the header's CRC made again.
    out = io.BytesIO()
    Image.new("1", (1, 1)).save(out, format="PNG")
    png = bytearray(out.getvalue())
    assert png[12:16] == b"IHDR"
    png[16:24] = struct.pack(">II", 30000, 30000)
    png[29:33] = struct.pack(">I", zlib.crc32(png[12:29]))
    huge = tmp_path / "huge.png"
    huge.write_bytes(bytes(png))
    with pytest.raises(Image.DecompressionBombError, match="900000000 pixels"):
        Image.open(huge)
    with pytest.raises(UsageError, match="more pixels than an ID photo may have"):
        check_image(huge, key="id_front")


# The card as a person (or an OCR engine) reads it -----------------------------------------


def test_the_area_code_follows_the_address(tmp_path):
    from loancli.identity.areas import CITIES, area_for_address

    assert area_for_address("广东省深圳市南山区科技园路1号") == "440305"
    assert area_for_address("北京市朝阳区建国路88号") == "110105"
    assert area_for_address("四川省成都市青羊区") == "510101"
    assert area_for_address("某省某县某村") is None
    # The four municipalities and every provincial capital are known.
    assert {"北京", "天津", "上海", "重庆", "广州", "成都", "拉萨", "乌鲁木齐"} <= set(CITIES)
    assert len(CITIES) >= 31
    from typer.testing import CliRunner

    from loancli.cli.idcard import app

    args = ["generate", "--name", "李华", "--sex", "female", "--birth-date", "1995-08-20",
            "--authority", "深圳市公安局南山分局", "--out", str(tmp_path), "--json"]  # fmt: skip
    result = CliRunner().invoke(app, [*args, "--address", "广东省深圳市南山区科技园路1号"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert made["number"].startswith("440305") and made["area"] == "440305"
    assert read_fields(made["front"])["address"].startswith("广东省深圳市")
    refused = CliRunner().invoke(app, [*args, "--address", "某省某县某村"])
    assert refused.exit_code == 2 and "--address" in refused.output and "--area" in refused.output


def test_every_character_drawn_has_a_glyph_in_the_font(fields):
    from loancli.identity.images import drawn_text, glyphs_missing

    text = drawn_text(fields)
    assert "公民身份号码" in text and "签发机关" in text
    assert glyphs_missing(text) == []
    # The check can fail: a private-use character has no glyph.
    assert glyphs_missing("王\ue000") == ["\ue000"]


def test_the_font_is_recorded_and_the_images_are_deterministic(tmp_path, fields):
    from PIL import Image

    from loancli.identity.images import FONT_KEY

    first = generate(fields, tmp_path / "a")
    second = generate(fields, tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
        with Image.open(a) as image:
            assert "Noto Sans SC" in image.info[FONT_KEY]


def test_the_drawn_text_reaches_the_png(tmp_path, fields):
    """The label and number regions hold dark ink (drawn glyphs), not the blank card."""
    from PIL import Image

    front, back = generate(fields, tmp_path)
    with Image.open(front) as image:
        gray = image.convert("L")
        number_region = gray.crop((250, 440, 700, 485))
        label_region = gray.crop((48, 445, 240, 480))
        assert number_region.getextrema()[0] < 80 and label_region.getextrema()[0] < 160
    with Image.open(back) as image:
        title = image.convert("L").crop((290, 170, 700, 235))
        dark = title.point(lambda p: 255 if p < 80 else 0).histogram()[255]
        assert dark > 500  # 居民身份证, large


def test_the_face_depends_on_the_sex(tmp_path, fields):
    from PIL import Image

    male, _ = generate(fields, tmp_path / "m")
    woman = msgspec.structs.replace(fields, sex="female")
    female, _ = generate(woman, tmp_path / "f")
    with Image.open(male) as a, Image.open(female) as b:
        assert a.crop((600, 62, 806, 326)).tobytes() != b.crop((600, 62, 806, 326)).tobytes()


EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 856 540\n"
    b"newpath 0 0 moveto 856 540 lineto stroke showpage\n%%EOF\n"
)


def test_an_upload_is_opened_as_png_or_jpeg_only_never_handed_to_ghostscript(tmp_path, monkeypatch):
    """Pillow opens EPS with Ghostscript: a photo (an upload, a bundle's image) is opened as
    the formats a phone's camera writes, and anything else is not an image."""
    from loancli.support import html_report, pseudonym

    marker = tmp_path / "gs-ran"
    fake = tmp_path / "bin" / "gs"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    eps = tmp_path / "front.png"
    eps.write_bytes(EPS)
    _refused_by_check_and_ocr(eps, "not an image")
    assert pseudonym._opened(EPS) is None
    assert pseudonym._card_fields(EPS) is None
    with pytest.raises(OSError):
        html_report._open(EPS)
    assert not marker.exists()


def test_cli_blank_printed_text_is_refused(tmp_path):
    result = _run("--out", str(tmp_path), "--address", "  ")
    assert result.exit_code == 2
    assert "--address" in result.stderr
    assert not list(tmp_path.iterdir())


def test_loancli_json_covers_idcard_generate_and_its_refusals(tmp_path):
    """``loancli --json idcard generate``: the number and paths, or the refusal, as JSON (its
    own --json was the only one it heard)."""
    import json

    from loancli.cli.main import app as root

    base = ["--json", "idcard", "generate", *PERSONA, "--out", str(tmp_path)]
    done = CliRunner().invoke(root, base)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["front"].endswith("id-front.png")
    refused = CliRunner().invoke(root, [*base, "--birth-date", "1990-02-30"])
    assert refused.exit_code == 2
    error = json.loads(refused.stdout)["error"]
    assert error["key"] == "--birth-date" and error["exit_code"] == 2


def test_a_photo_that_grew_after_its_size_was_read_is_refused_not_read_whole(
    tmp_path, monkeypatch
) -> None:
    """check_image reads no more of a photo than an upload may be, whatever its size said a
    moment before (it read the whole file)."""
    from pathlib import Path

    photo = tmp_path / "grown.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (DEFAULT_LIMITS.max_bytes + 4096))
    real_stat = Path.stat

    def small(self, **kwargs):  # the size it had when it was looked at
        found = real_stat(self, **kwargs)
        if self.name != "grown.png":
            return found
        values = list(found)
        values[6] = 1024  # st_size
        return os.stat_result(values)

    monkeypatch.setattr(Path, "stat", small)
    with pytest.raises(UsageError, match="an ID photo may be at most"):
        check_image(photo, key="id_front")
