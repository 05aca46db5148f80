"""A PostgreSQL URL's password is never shown, whatever it holds: ``str()`` masks it, the form
for a pasted command leaves it out and keeps every other byte of the URL, and reading a URL
never fails (a URL the driver refuses is still shown masked). The URL is read as libpq reads
it: the credentials run to the first ``@`` before any ``/``."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import example, given
from hypothesis import strategies as st

from loancli.dburl import ServerUrl, is_server_url

# Passwords as people make them: any printable character libpq takes raw in a URL's user
# part (not "@" or "/"), including "?", "#", ":" and "%".
PASSWORDS = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="@/"),
    min_size=6,
    max_size=24,
)
PARAMS = st.sampled_from(
    ["", "?sslmode=disable", "?options=-c%20statement_timeout%3D60000", "?application_name=x+y"]
)


@given(PASSWORDS, PARAMS)
@example("postgr", "")  # in the scheme the masked URL shows: CI's run drew it
def test_a_password_in_the_user_part_is_masked_and_left_out(password: str, params: str) -> None:
    url = ServerUrl(f"postgresql://team:{password}@db.example:5432/loancli{params}")
    assert url.password == password
    assert str(url) == f"postgresql://team:***@db.example:5432/loancli{params}"
    assert url.command_form == f"postgresql://team@db.example:5432/loancli{params}"
    assert repr(url) == f"ServerUrl({str(url)!r})"
    message = f"failed for {url.conninfo()} ({password})"
    scrubbed = url.scrub(message)
    # Nowhere but inside the masked URL's own text (a password "postgr" is in its scheme).
    assert password not in scrubbed.replace(str(url), "")
    if message.count(password) == 1:
        # (A password such as "postgr" is also masked where the rest of the text has it.)
        assert scrubbed == f"failed for {url} (***)"


@given(PASSWORDS)
def test_a_password_in_the_query_is_masked_and_left_out(password: str) -> None:
    secret = quote(password, safe="")
    url = ServerUrl(f"postgresql://db.example/loancli?sslmode=require&password={secret}&x=1")
    assert str(url) == "postgresql://db.example/loancli?sslmode=require&password=***&x=1"
    assert url.command_form == "postgresql://db.example/loancli?sslmode=require&x=1"


def test_urls_libpq_reads_without_a_password_are_kept_as_given() -> None:
    for given_url in (
        "postgresql://",
        "postgres://",
        "postgresql:///loancli?service=team",
        "postgresql://team@db.example/loancli?options=-csearch_path%3Dqa",
    ):
        url = ServerUrl(given_url)
        assert str(url) == url.command_form == given_url and url.password is None


def test_a_url_the_driver_refuses_is_still_shown_masked() -> None:
    for given_url, secret in (
        ("postgresql://u:Zpw1secret@[bad/db", "Zpw1secret"),
        ("postgresql://u:p/wsecret@h/db", "p/wsecret"),
    ):
        url = ServerUrl(given_url)
        assert secret not in str(url) and secret not in url.command_form


def test_only_postgresql_urls_name_a_server() -> None:
    assert is_server_url("postgresql://h/db") and is_server_url("POSTGRES://h/db")
    assert not is_server_url("state.json") and not is_server_url("./postgresql/state.json")
    assert not is_server_url("mysql://h/db") and not is_server_url(None)


def test_a_raw_at_sign_in_the_password_is_masked_whole_and_in_what_libpq_says() -> None:
    """libpq ends such a password at its first @ and takes the rest for the host: loancli
    masked only the first part, and the rest was printed twice."""
    url = ServerUrl("postgresql://odd:cd@cdSECRET@127.0.0.1:5432/db")
    assert "SECRET" not in str(url) and "SECRET" not in url.command_form
    said = url.scrub("failed to resolve host 'cdSECRET@127.0.0.1'")
    assert "SECRET" not in said and "127.0.0.1" in said


def test_a_short_password_is_not_masked_inside_other_words() -> None:
    url = ServerUrl("postgresql://team:p@127.0.0.1/db")
    assert url.scrub("a separator; the password p") == "a separator; the password ***"
