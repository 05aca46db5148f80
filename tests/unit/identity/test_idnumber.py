from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loancli.identity.idnumber import (
    age_on,
    check_char,
    make_id,
    parse_id,
    validity_years,
)


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "female"),
        ("440524188001010014", date(1880, 1, 1), "male"),
    ],
)
def test_standard_vectors_are_valid(number, birth, sex):
    info = parse_id(number)
    assert info.birth_date == birth
    assert info.sex == sex
    assert info.check == number[-1]
    assert info.number == number
    assert check_char(number[:17]) == number[-1]


def test_lowercase_x_is_accepted():
    assert parse_id("11010519491231002x").check == "X"


def test_wrong_check_character_names_the_right_one():
    with pytest.raises(ValueError, match="the check character does not match"):
        parse_id("110105194912310024")


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "00000101"])
def test_impossible_birth_dates_are_refused(birth):
    first17 = f"110105{birth}002"
    with pytest.raises(ValueError, match=f"{birth}, is not a real date"):
        parse_id(first17 + check_char(first17))


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1101051949123100", "has 18 characters, this one has 16"),
        ("11010519491231002XX", "this one has 19"),
        ("1101A519491231002X", "character 5 is 'A'"),
        ("11010519491231002Y", "digit or X, not 'Y'"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(number, message):
    with pytest.raises(ValueError, match=message):
        parse_id(number)


@given(
    area=st.from_regex(r"[0-9]{6}", fullmatch=True),
    birth=st.dates(),
    sex=st.sampled_from(["male", "female"]),
    seed=st.integers(),
)
def test_make_id_round_trips(area, birth, sex, seed):
    number = make_id(area, birth, sex, seed)
    info = parse_id(number)
    assert (info.area, info.birth_date, info.sex) == (area, birth, sex)
    assert info.number == number


def test_make_id_is_deterministic_and_seeded():
    birth = date(1990, 3, 7)
    assert make_id("110105", birth, "male", 0) == make_id("110105", birth, "male", 0)
    assert make_id("110105", birth, "male", 0) != make_id("110105", birth, "male", 1)


@pytest.mark.parametrize(("area", "sex"), [("11010", "male"), ("11010a", "male"), ("110105", "x")])
def test_make_id_refuses_bad_parts(area, sex):
    with pytest.raises(ValueError):
        make_id(area, date(1990, 3, 7), sex, 0)


@pytest.mark.parametrize(
    ("age", "years"),
    [(0, 5), (15, 5), (16, 10), (25, 10), (26, 20), (45, 20), (46, None), (90, None)],
)
def test_validity_years_by_age_at_issue(age, years):
    assert validity_years(age) == years


def test_validity_years_refuses_negative_age():
    with pytest.raises(ValueError):
        validity_years(-1)


def test_age_on_counts_completed_years():
    assert age_on(date(1990, 3, 7), date(2020, 3, 6)) == 29
    assert age_on(date(1990, 3, 7), date(2020, 3, 7)) == 30
