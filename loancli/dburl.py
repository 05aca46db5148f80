"""Where a world lives when it is not a file: a PostgreSQL server, named by a connection URL
(``--db postgresql://user@host:5432/dbname`` or ``$LOANCLI_DB``).

A :class:`ServerUrl` never shows its password: ``str()`` and ``repr()`` mask it
(``postgresql://loancli:***@127.0.0.1:5432/loancli``), :attr:`ServerUrl.command_form` leaves it
out (a pasted command then takes it from ``$PGPASSWORD``, ``~/.pgpass`` or a service file, as
libpq does), and only :meth:`ServerUrl.conninfo` hands the whole string to the driver. The
password need not be on the command line at all: ``postgresql:///loancli?service=team`` or a
bare ``postgresql://`` with the standard ``PG*`` variables are read by libpq itself.

Light on purpose (``urllib.parse`` only): the CLI parses ``--db`` with it before any command
runs, and ``loancli --help`` must stay cheap.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

SCHEMES = ("postgresql", "postgres")
MASK = "***"
# Query parameters that carry a secret (libpq's names).
_SECRET_PARAMS = {"password", "sslpassword"}


def is_server_url(value: object) -> bool:
    """Whether ``value`` names a PostgreSQL server rather than a file."""
    if isinstance(value, ServerUrl):
        return True
    if not isinstance(value, str):
        return False
    scheme, sep, _rest = value.partition("://")
    return bool(sep) and scheme.lower() in SCHEMES


class ServerUrl:
    """A PostgreSQL connection URL whose password is never printed."""

    __slots__ = ("_url",)

    def __init__(self, url: str) -> None:
        if not is_server_url(url):
            raise ValueError(f"not a postgresql:// URL: {self._masked(url)}")
        self._url = url

    def conninfo(self) -> str:
        """The whole URL, password included: for the driver only, never for output."""
        return self._url

    @property
    def password(self) -> str | None:
        """The password the URL itself carries (in its user part or its query), if any."""
        parts = urlsplit(self._url)
        if parts.password:
            return parts.password
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key in _SECRET_PARAMS and value:
                return value
        return None

    @property
    def command_form(self) -> str:
        """The URL without its password, for a command a person pastes."""
        return self._rebuilt(None)

    def scrub(self, text: str) -> str:
        """``text`` (a driver's error, say) with this URL's password masked wherever it
        appears."""
        text = text.replace(self._url, str(self))
        secret = self.password
        if secret:
            for form in {secret, unquote(secret)}:
                text = text.replace(form, MASK)
        return text

    def _rebuilt(self, password: str | None) -> str:
        parts = urlsplit(self._url)
        netloc = parts.netloc
        if "@" in netloc:
            user_part, host_part = netloc.rsplit("@", 1)
            user = user_part.split(":", 1)[0]
            if password is not None and ":" in user_part:
                user = f"{user}:{password}"
            netloc = f"{user}@{host_part}" if user else host_part
        query = parts.query
        pairs_given = parse_qsl(query, keep_blank_values=True)
        if any(key in _SECRET_PARAMS for key, _value in pairs_given):
            pairs = [
                (key, password if key in _SECRET_PARAMS else value)
                for key, value in pairs_given
                if password is not None or key not in _SECRET_PARAMS
            ]
            query = urlencode(pairs, safe="/*=,")
        # Written by hand: urlunsplit drops the "//" of an empty host (postgresql:///db).
        return (
            f"{parts.scheme}://{netloc}{parts.path}"
            + (f"?{query}" if query else "")
            + (f"#{parts.fragment}" if parts.fragment else "")
        )

    @staticmethod
    def _masked(url: str) -> str:
        head, sep, tail = url.partition("@")
        if sep and ":" in head.partition("://")[2]:
            return head.rsplit(":", 1)[0] + ":" + MASK + "@" + tail
        return url

    def __str__(self) -> str:
        return self._rebuilt(MASK)

    def __repr__(self) -> str:
        return f"ServerUrl({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerUrl) and other._url == self._url

    def __hash__(self) -> int:
        return hash(self._url)
