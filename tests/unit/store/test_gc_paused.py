"""The collector paused around work that makes many objects and no cycles (a large file
decoded, a clock pass), and what the work made frozen after it: those objects live as long
as the command, and the first collection after the pause walked every one of them again."""

from __future__ import annotations

import gc

from loancli.store.base import gc_paused


def test_what_a_paused_block_made_is_frozen_and_the_collector_is_on_again() -> None:
    assert gc.isenabled()
    before = gc.get_freeze_count()
    try:
        with gc_paused():
            assert not gc.isenabled()
            made = [[n] for n in range(2000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= before + len(made)
    finally:
        gc.unfreeze()


def test_a_block_inside_a_paused_one_leaves_the_collector_off_and_freezes_nothing() -> None:
    try:
        with gc_paused():
            frozen = gc.get_freeze_count()
            with gc_paused():
                [[n] for n in range(100)]
            assert not gc.isenabled() and gc.get_freeze_count() == frozen
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_an_unpaused_block_changes_nothing() -> None:
    frozen = gc.get_freeze_count()
    with gc_paused(pause=False):
        assert gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == frozen
