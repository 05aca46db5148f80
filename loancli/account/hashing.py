"""Password and transaction-password hashes: argon2id for new ones; the plain text is never
stored. Hashes written by earlier versions (salted scrypt) still verify.

The world chooses the grade (``WorldSettings.hashing``): ``argon2id`` at OWASP's current
minimum for it (m = 19 MiB, t = 2, p = 1) for the state files people keep, ``fast`` (argon2id
at its cheapest, m = 8 KiB, t = 1) for a world kept in memory (a story run), whose hashes end
with the run. The hash string names its algorithm and parameters
(``$argon2id$v=19$m=19456,t=2,p=1$...``), so one check verifies both grades, and they can be
raised later without breaking stored hashes.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from argon2 import PasswordHasher

HashGrade = Literal["argon2id", "fast"]
HASH_GRADES: tuple[HashGrade, ...] = ("argon2id", "fast")


@functools.cache
def _hasher(grade: HashGrade) -> PasswordHasher:
    """The hasher of a grade, made (and argon2 imported) when a secret is first hashed or
    checked: a command that does neither (a calendar, a list) never loads it."""
    from argon2 import PasswordHasher

    # The salt comes from the OS, not the seeded RNG: it never reaches any output, so
    # determinism is unaffected, and a predictable salt would defeat its purpose.
    if grade == "fast":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_secret(secret: str, grade: HashGrade) -> str:
    """The hash of ``secret`` at the world's grade."""
    return _hasher(grade).hash(secret)


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` is the one ``stored`` was made from, whatever its grade."""
    if stored.startswith("scrypt$"):
        return _verify_scrypt(secret, stored)
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        # The parameters are read from the hash string, not the hasher's own.
        return _hasher("argon2id").verify(stored, secret)
    except VerificationError:
        return False
    except InvalidHashError:
        raise ValueError("unknown hash scheme") from None


def _verify_scrypt(secret: str, stored: str) -> bool:
    """``scrypt$N$r$p$salt$digest``, as earlier versions wrote it."""
    _scheme, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(
        secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate.hex(), digest)


# Stand-ins: what a ticket bundle carries instead of a password. The same secret always gives
# the same stand-in (in the answers of every run and in a scenario's preset accounts), so a
# replay logs in, fails and resets exactly as the original did; two secrets give two
# stand-ins. Derived with scrypt (n = 2^13, about 20 ms: slow to guess from, though a fixed
# salt lets one guess be tried against every bundle), never reversible.
_STAND_IN_SALT = b"loancli ticket stand-in v1"
_SEQUENCES = "0123456789"


@functools.lru_cache(maxsize=64)
def stand_in(secret: str, kind: str = "password") -> str:
    """A valid stand-in for ``secret``: a 6-20 character password, or for ``kind`` "pin" a
    6-digit transaction password that is neither one repeated digit nor a sequence."""
    digest = hashlib.scrypt(secret.encode(), salt=_STAND_IN_SALT, n=2**13, r=8, p=1, dklen=16)
    if kind != "pin":
        return "stand-in-" + digest.hex()[:10]
    number = int.from_bytes(digest, "big")
    while True:
        pin = f"{number % 1_000_000:06d}"
        if len(set(pin)) > 1 and pin not in _SEQUENCES and pin not in _SEQUENCES[::-1]:
            return pin
        number //= 7
