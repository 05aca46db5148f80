"""argon2id for new hashes, at OWASP's minimum for a state file and at its cheapest for a world
kept in memory; one check verifies both; hashes written as scrypt or as a plain argon2id
string still verify; a secret's hash and its stand-in share one slow derivation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from loancli.account import hashing
from loancli.account.hashing import hash_secret, stand_in, verify_secret
from loancli.store import MemoryState
from loancli.world.scenario import Scenario, scenario_for

pytestmark = pytest.mark.real_hashing


def test_new_hashes_are_argon2id_at_owasps_minimum() -> None:
    stored = hash_secret("s3cret-pass", "argon2id")
    assert stored.startswith("loancli-key$argon2id$m=19456,t=2,p=1$")
    assert "s3cret-pass" not in stored
    assert verify_secret("s3cret-pass", stored)
    assert not verify_secret("s3cret-pasS", stored)
    assert hash_secret("s3cret-pass", "argon2id") != stored  # salted


def test_a_fast_hash_names_its_parameters_and_verifies_with_the_same_check() -> None:
    stored = hash_secret("s3cret-pass", "fast")
    assert stored.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert verify_secret("s3cret-pass", stored)
    assert not verify_secret("s3cret-pasS", stored)
    assert hash_secret("s3cret-pass", "fast") != stored  # salted


def test_a_world_in_memory_hashes_fast_and_a_state_file_at_owasps_grade(tmp_path: Path) -> None:
    scenario = Scenario("default")
    assert scenario.world.hashing == "argon2id"
    assert scenario_for(tmp_path / "state.json", scenario) is scenario
    in_memory = scenario_for(MemoryState(), scenario)
    assert in_memory.world.hashing == "fast"
    assert scenario.world.hashing == "argon2id"  # the caller's scenario is left as it was


def test_an_earlier_scrypt_hash_still_verifies() -> None:
    salt = bytes(range(16))
    digest = hashlib.scrypt(b"258369", salt=salt, n=2**14, r=8, p=1).hex()
    stored = f"scrypt$16384$8$1${salt.hex()}${digest}"
    assert verify_secret("258369", stored)
    assert not verify_secret("258360", stored)


def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown hash scheme"):
        verify_secret("x", "md5$abc")


def test_a_plain_argon2id_hash_of_an_earlier_version_still_verifies() -> None:
    from argon2 import PasswordHasher

    stored = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash("258369")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_secret("258369", stored)
    assert not verify_secret("258360", stored)


def test_hashing_a_secret_and_keeping_its_stand_in_derive_one_slow_key() -> None:
    hashing._secret_key.cache_clear()
    hashing.stand_in.cache_clear()
    stored = hash_secret("only-once-pass", "argon2id")
    assert stand_in("only-once-pass").startswith("stand-in-")
    assert stand_in("258147", "pin").isdigit()
    assert verify_secret("only-once-pass", stored)
    info = hashing._secret_key.cache_info()
    assert (info.misses, info.hits) == (2, 2)  # two secrets, each derived once


def test_stand_ins_are_fixed_values_today_and_as_earlier_versions_recorded_them() -> None:
    """Known answers: a recording and a scenario's preset accounts must agree across versions,
    so a change of a stand-in's value is a change of format (support.pseudonym reads both)."""
    hashing._secret_key.cache_clear()
    hashing.stand_in.cache_clear()
    assert stand_in("s3cret-pass") == "stand-in-67bfbaca95"
    assert stand_in("258369", "pin") == "091020"
    assert hashing.earlier_stand_in("s3cret-pass") == "stand-in-b1f214a7d9"
    assert hashing.earlier_stand_in("258369", "pin") == "442254"
    assert stand_in("s3cret-pasS") != stand_in("s3cret-pass")


@pytest.mark.parametrize(
    "stored",
    [
        "loancli-key$argon2id$m=4194304,t=2,p=1$00$00",  # 4 GiB of memory a check
        "loancli-key$argon2id$m=19456,t=100000,p=1$00$00",  # minutes a check
        "loancli-key$argon2id$m=19456,t=2,p=1$zz$00",
        "loancli-key$argon2id$m=19456$00$00",
        "loancli-key$argon2i$m=19456,t=2,p=1$00$00",
        "loancli-key$argon2id$00$00",
        "loancli-key$argon2id$m=16,t=1,p=4$00$00",  # fewer than 8 KiB a lane: argon2 refuses
        "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",  # earlier kind
        "$argon2id$v=19$m=8,t=2000000,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$xx",
        "scrypt$16384$8$1000000$00$00",  # the earlier kind: its time grows with p
        "scrypt$1073741824$8$1$00$00",
        "scrypt$16384$8$1$zz$00",
        "scrypt$16384$8",
    ],
)
def test_a_hash_a_hostile_file_names_is_refused_before_any_work(stored: str) -> None:
    with pytest.raises(ValueError, match="unknown hash scheme"):
        verify_secret("x", stored)


def test_a_password_that_is_a_stand_in_already_is_its_own_and_derives_nothing() -> None:
    """A ticket's replay logs in with the stand-ins the ticket carries: its recording keeps
    them as they are, and no slow key is derived for them."""
    hashing._secret_key.cache_clear()
    hashing.stand_in.cache_clear()
    assert stand_in("stand-in-67bfbaca95") == "stand-in-67bfbaca95"
    assert hashing._secret_key.cache_info().misses == 0
    # Only that form: anything else is a secret, however close.
    for secret in ("stand-in-67BFBACA95", "stand-in-67bfbaca9", "stand-in-67bfbaca95x"):
        assert stand_in(secret) != secret and stand_in(secret).startswith("stand-in-")
    # A PIN's stand-in is six digits like any PIN: derived again.
    assert stand_in("091020", "pin") != "091020"
