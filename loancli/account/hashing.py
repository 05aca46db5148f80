"""Password and transaction-password hashes: argon2id for new ones; the plain text is never
stored. Hashes written by earlier versions (salted scrypt) still verify.

argon2id at OWASP's current minimum for it (m = 19 MiB, t = 2, p = 1); the hash string names
its algorithm and parameters (``$argon2id$v=19$m=19456,t=2,p=1$...``), so they can be raised
later without breaking stored hashes.
"""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# The salt comes from the OS, not the seeded RNG: it never reaches any output, so determinism
# is unaffected, and a predictable salt would defeat its purpose.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_secret(secret: str) -> str:
    return _HASHER.hash(secret)


def verify_secret(secret: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(secret, stored)
    try:
        return _HASHER.verify(stored, secret)
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
