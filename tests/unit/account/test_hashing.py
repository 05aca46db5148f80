"""argon2id for new hashes, at OWASP's minimum for a state file and at its cheapest for a world
kept in memory; one check verifies both; hashes written as scrypt still verify."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from loancli.account.hashing import hash_secret, verify_secret
from loancli.store import MemoryState
from loancli.world.scenario import Scenario, scenario_for

pytestmark = pytest.mark.real_hashing


def test_new_hashes_are_argon2id_at_owasps_minimum() -> None:
    stored = hash_secret("s3cret-pass", "argon2id")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
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
