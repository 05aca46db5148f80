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

import re
from urllib.parse import unquote

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
    """A PostgreSQL connection URL whose password is never printed.

    The URL is read the way libpq reads it, not as a web address: the credentials are
    everything between ``://`` and the first ``@`` that comes before any ``/`` (so a password
    may hold ``?`` or ``#``), and the query is a list of ``key=value`` pairs kept byte for
    byte, but for the secret ones. Reading it never fails: a URL libpq will refuse is still
    shown masked."""

    __slots__ = ("_url",)

    def __init__(self, url: str) -> None:
        if not is_server_url(url):
            raise ValueError("not a postgresql:// URL")
        self._url = url

    def conninfo(self) -> str:
        """The whole URL, password included: for the driver only, never for output."""
        return self._url

    def _parts(self) -> tuple[str, str | None, str | None, str, str]:
        """(scheme, user, password, host and database, query), as libpq splits them, but
        for an ``@`` in the password: the credentials reach the last ``@`` before the host
        (a password written with a raw ``@``, which libpq cuts short and then takes the rest
        for the host, is still all masked)."""
        scheme, _sep, rest = self._url.partition("://")
        user: str | None = None
        password: str | None = None
        authority = next((i for i, ch in enumerate(rest) if ch in "/?"), len(rest))
        stop = rest.rfind("@", 0, authority)
        if stop < 0:
            # Not credentials to libpq (it will refuse the URL), but shown as if they were:
            # what stands before an "@" may be a password all the same.
            stop = rest.rfind("@")
        if stop >= 0:
            credentials, rest = rest[:stop], rest[stop + 1 :]
            user, colon, secret = credentials.partition(":")
            password = secret if colon else None
        where, _sep, query = rest.partition("?")
        return scheme, user, password, where, query

    @property
    def password(self) -> str | None:
        """The password the URL itself carries (in its user part or its query), if any."""
        _scheme, _user, password, _where, query = self._parts()
        if password:
            return password
        for pair in query.split("&"):
            key, _eq, value = pair.partition("=")
            if unquote(key) in _SECRET_PARAMS and value:
                return value
        return None

    @property
    def command_form(self) -> str:
        """The URL without its password, for a command a person pastes."""
        return self._rebuilt(None)

    def scrub(self, text: str) -> str:
        """``text`` (a driver's error, say) with this URL's password masked wherever it
        appears as a word of its own (a short one inside a word is left: ``p`` in
        "separator"), and each part of one that holds a raw ``@`` (libpq names what follows
        the first ``@`` as the host)."""
        text = text.replace(self._url, str(self))
        secret = self.password
        if secret:
            forms = {secret, unquote(secret), *(p for p in secret.split("@") if p)}
            for form in sorted(forms, key=len, reverse=True):
                text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])", MASK, text)
        return text

    def _rebuilt(self, password: str | None) -> str:
        """The URL with its secrets replaced by ``password`` (left out with None); every
        other byte as it was given."""
        scheme, user, given, where, query = self._parts()
        out = f"{scheme}://"
        if user is not None:
            out += user
            if given is not None and password is not None:
                out += f":{password}"
            out += "@"
        out += where
        if query:
            pairs = []
            for pair in query.split("&"):
                key, eq, _value = pair.partition("=")
                if unquote(key) in _SECRET_PARAMS:
                    if password is None:
                        continue
                    pair = f"{key}{eq}{password}"
                pairs.append(pair)
            if pairs:
                out += "?" + "&".join(pairs)
        return out

    def __str__(self) -> str:
        return self._rebuilt(MASK)

    def __repr__(self) -> str:
        return f"ServerUrl({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerUrl) and other._url == self._url

    def __hash__(self) -> int:
        return hash(self._url)
