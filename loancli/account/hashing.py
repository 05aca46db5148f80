"""Salted scrypt hashes for passwords and transaction passwords: the plain text is never stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# scrypt cost: 2**14 is the interactive-login figure from the scrypt paper; 16 MiB of memory.
_N, _R, _P = 2**14, 8, 1


def hash_secret(secret: str) -> str:
    # The salt comes from the OS, not the seeded RNG: it never reaches any output, so
    # determinism is unaffected, and a predictable salt would defeat its purpose.
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        raise ValueError(f"unknown hash scheme {scheme!r}")
    candidate = hashlib.scrypt(
        secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
    )
    return hmac.compare_digest(candidate.hex(), digest)
