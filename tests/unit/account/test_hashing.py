"""argon2id for new hashes, at OWASP's minimum; hashes written as scrypt still verify."""

from __future__ import annotations

import hashlib

import pytest

from loancli.account.hashing import hash_secret, verify_secret

pytestmark = pytest.mark.real_hashing


def test_new_hashes_are_argon2id_at_owasps_minimum() -> None:
    stored = hash_secret("s3cret-pass")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "s3cret-pass" not in stored
    assert verify_secret("s3cret-pass", stored)
    assert not verify_secret("s3cret-pasS", stored)
    assert hash_secret("s3cret-pass") != stored  # salted


def test_an_earlier_scrypt_hash_still_verifies() -> None:
    salt = bytes(range(16))
    digest = hashlib.scrypt(b"258369", salt=salt, n=2**14, r=8, p=1).hex()
    stored = f"scrypt$16384$8$1${salt.hex()}${digest}"
    assert verify_secret("258369", stored)
    assert not verify_secret("258360", stored)


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown hash scheme"):
        verify_secret("x", "md5$abc")
