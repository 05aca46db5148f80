"""Password and transaction-password hashes, and the stand-ins a recording keeps instead of
the secrets; the plain text is never stored.

One slow key derivation per secret serves both. Its key is argon2id of the secret at OWASP's
current minimum (m = 19 MiB, t = 2, p = 1) under a fixed salt; the stand-in a recording and a
bundle carry is a MAC of it, and so is the hash a state file keeps (under a salt of its own,
``loancli-key$argon2id$m=19456,t=2,p=1$salt$mac``). A journey derives each secret's key once,
where hashing it and keeping a stand-in took two slow derivations. The fixed salt lets one
guess be tried against every file at once; the stand-in every run records has always allowed
that, and a guess still costs one argon2id at OWASP's grade. A bundle carries other
stand-ins, drawn without the secrets (support.pseudonym), so no table reads one back from it.

The world chooses the grade of its hashes (``WorldSettings.hashing``): ``argon2id`` for the
state files people keep, ``fast`` (argon2id at its cheapest, m = 8 KiB, t = 1, salted by the
OS) for a world kept in memory (a story run), whose hashes end with the run. A stand-in is
the same at either grade. Every hash string names its scheme and parameters, so one check
verifies them all, and hashes written by earlier versions (a plain argon2id string, salted
scrypt) still verify.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from argon2 import PasswordHasher

HashGrade = Literal["argon2id", "fast"]
HASH_GRADES: tuple[HashGrade, ...] = ("argon2id", "fast")

# Answers whose text never leaves the run: a recording keeps a stand-in, and a bundle another
# stand-in of that (support.pseudonym).
PIN_KEYS = frozenset({"transaction_password"})
SECRET_KEYS = frozenset({"password", "new_password", "transaction_password"})


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


# The key's parameters: OWASP's current minimum for argon2id. A hash names them, so raising
# them later leaves every stored hash verifiable.
_KEY_SCHEME = "loancli-key"
_KEY_PARAMETERS = "m=19456,t=2,p=1"
# Fixed, so the same secret gives the same stand-in in every run and every world.
_KEY_SALT = b"loancli secret key v2"


@functools.lru_cache(maxsize=64)
def _secret_key(secret: str, parameters: str) -> bytes:
    """The slow key of ``secret``: argon2id under the fixed salt, derived once a process."""
    from argon2.low_level import Type, hash_secret_raw

    try:
        costs = dict(part.split("=") for part in parameters.split(","))
        memory, time, lanes = int(costs["m"]), int(costs["t"]), int(costs["p"])
    except (KeyError, ValueError):
        raise ValueError("unknown hash scheme") from None
    _check_costs(memory, time, lanes)
    return hash_secret_raw(
        secret.encode(), _KEY_SALT, time, memory, lanes, hash_len=32, type=Type.ID
    )


def _mac(key: bytes, label: bytes) -> bytes:
    return hmac.digest(key, label, "sha256")


def hash_secret(secret: str, grade: HashGrade) -> str:
    """The hash of ``secret`` at the world's grade."""
    if grade == "fast":
        return _hasher(grade).hash(secret)
    # The salt comes from the OS, not the seeded RNG: it never reaches any output, so
    # determinism is unaffected; it makes two accounts' equal secrets hash apart.
    salt = os.urandom(16)
    mac = _mac(_secret_key(secret, _KEY_PARAMETERS), b"hash" + salt)
    return f"{_KEY_SCHEME}$argon2id${_KEY_PARAMETERS}${salt.hex()}${mac.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` is the one ``stored`` was made from, whatever its grade."""
    if stored.startswith(_KEY_SCHEME + "$"):
        return _verify_key(secret, stored)
    if stored.startswith("scrypt$"):
        return _verify_scrypt(secret, stored)
    from argon2 import extract_parameters
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        # The parameters are read from the hash string, not the hasher's own: held to the
        # same bounds as a key's first.
        costs = extract_parameters(stored)
        _check_costs(costs.memory_cost, costs.time_cost, costs.parallelism)
        return _hasher("argon2id").verify(stored, secret)
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError):
        # Not a mismatch: a string argon2 cannot read or check is no hash it made.
        raise ValueError("unknown hash scheme") from None


def _check_costs(memory: int, time: int, lanes: int) -> None:
    """A state file names the costs its hashes were made at: within these, a hostile file
    cannot make one check take the machine's memory or minutes (argon2 also wants 8 KiB of
    memory a lane)."""
    if not (8 * lanes <= memory <= 256 * 1024 and 1 <= time <= 16 and 1 <= lanes <= 8):
        raise ValueError("unknown hash scheme")


def _verify_key(secret: str, stored: str) -> bool:
    """``loancli-key$argon2id$parameters$salt$mac``, as :func:`hash_secret` writes it."""
    try:
        _scheme, kind, parameters, salt, mac = stored.split("$")
        salt_bytes, mac_bytes = bytes.fromhex(salt), bytes.fromhex(mac)
    except ValueError:
        raise ValueError("unknown hash scheme") from None
    if kind != "argon2id":
        raise ValueError("unknown hash scheme")
    candidate = _mac(_secret_key(secret, parameters), b"hash" + salt_bytes)
    return hmac.compare_digest(candidate, mac_bytes)


def _verify_scrypt(secret: str, stored: str) -> bool:
    """``scrypt$N$r$p$salt$digest``, as earlier versions wrote it."""
    try:
        _scheme, n, r, p, salt, digest = stored.split("$")
        costs, salt_bytes = (int(n), int(r), int(p)), bytes.fromhex(salt)
    except ValueError:
        raise ValueError("unknown hash scheme") from None
    # As for argon2: a check's memory and time bounded whatever the file names (scrypt's own
    # limit is on memory only; its time grows with p).
    if not (2 <= costs[0] <= 2**17 and 1 <= costs[1] <= 16 and 1 <= costs[2] <= 4):
        raise ValueError("unknown hash scheme")
    candidate = hashlib.scrypt(secret.encode(), salt=salt_bytes, n=costs[0], r=costs[1], p=costs[2])
    return hmac.compare_digest(candidate.hex(), digest)


# Stand-ins: what a recording keeps, and a ticket bundle carries, instead of a password. The
# same secret always gives the same stand-in (in the answers of every run and in a scenario's
# preset accounts), so a replay logs in, fails and resets exactly as the original did; two
# secrets give two stand-ins. A MAC of the secret's slow key: a guess costs one argon2id.
_SEQUENCES = "0123456789"


@functools.lru_cache(maxsize=64)
def stand_in(secret: str, kind: str = "password") -> str:
    """A valid stand-in for ``secret``: a 6-20 character password, or for ``kind`` "pin" a
    6-digit transaction password that is neither one repeated digit nor a sequence. A
    password that is a stand-in already (``stand-in-`` and ten hex digits: a ticket's
    replay logs in with the ones the ticket carries) is its own: a replayed world records
    the ticket's stand-ins, and derives no slow key for them. (A PIN's stand-in has no form
    of its own: it is derived again.)"""
    if kind != "pin" and is_stand_in(secret):
        return secret
    return shaped(_mac(_secret_key(secret, _KEY_PARAMETERS), b"stand-in")[:16], kind)


def is_stand_in(text: str) -> bool:
    """Whether ``text`` has a password stand-in's form (``stand-in-`` and ten hex digits)."""
    return _STAND_IN_FORM.fullmatch(text) is not None


# Runs recorded before 2026-12-06 keep stand-ins made with scrypt (n = 2^13) under this salt;
# a bundle of one gives a built-in scenario's preset accounts the same kind (support.pseudonym).
_EARLIER_SALT = b"loancli ticket stand-in v1"


@functools.lru_cache(maxsize=64)
def earlier_stand_in(secret: str, kind: str = "password") -> str:
    """The stand-in earlier versions recorded for ``secret``."""
    digest = hashlib.scrypt(secret.encode(), salt=_EARLIER_SALT, n=2**13, r=8, p=1, dklen=16)
    return shaped(digest, kind)


_STAND_IN_FORM = re.compile(r"stand-in-[0-9a-f]{10}")


def shaped(digest: bytes, kind: str) -> str:
    """A stand-in of ``kind`` ("password" or "pin") drawn from ``digest``."""
    if kind != "pin":
        return "stand-in-" + digest.hex()[:10]
    number = int.from_bytes(digest, "big")
    while True:
        pin = f"{number % 1_000_000:06d}"
        if len(set(pin)) > 1 and pin not in _SEQUENCES and pin not in _SEQUENCES[::-1]:
            return pin
        number //= 7
