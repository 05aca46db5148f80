import json
from datetime import date

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
        IdCardFields(**{**fields.__dict__, "sex": "m"})


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
    assert result.stdout.split() == [str(front), str(back)]
    assert read_fields(front)["number"] == make_id("110105", date(1990, 3, 7), "male", 0)
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


def test_a_fifo_as_a_photo_is_refused_without_blocking(tmp_path) -> None:
    import os

    from loancli.errors import UsageError

    fifo = tmp_path / "photo.png"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        check_image(fifo, key="id_front")
    with pytest.raises(UsageError, match="not a regular file"):
        read_fields(fifo, key="id_front")


def test_a_photo_beyond_pillows_own_limit_is_called_too_large(tmp_path) -> None:
    from PIL import Image

    from loancli.errors import UsageError

    huge = tmp_path / "huge.png"
    Image.new("1", (30000, 30000)).save(huge, optimize=True)
    with pytest.raises(UsageError, match="more pixels than an ID photo may have"):
        check_image(huge, key="id_front")
