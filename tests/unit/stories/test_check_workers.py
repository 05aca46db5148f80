"""``check --jobs N``'s workers and Ctrl-C: the parent decides (tests/cli/test_stories.py
interrupts a real run at a terminal's group)."""

from __future__ import annotations

import os
import select
import signal
import threading
from pathlib import Path

import pytest

from loancli.stories import check
from loancli.stories.check import Case, CaseResult, collect

# What the workers' play reads (forked, they see what the test set): the parent's pid, the
# pipe a worker says it started on, the one it waits on to go on.
_PIPES: dict[str, int] = {}
_REAL_PLAY = check.play


def _play(case: Case) -> CaseResult:
    """``check.play``, waiting in a worker to be let go (a function of the module: the pool
    sends it by name)."""
    if os.getpid() != _PIPES["parent"]:
        os.write(_PIPES["started"], f"{os.getpid()}\n".encode())
        os.read(_PIPES["go"], 1)
    return _REAL_PLAY(case)


def _three_cases(folder: Path) -> list[Case]:
    """Three one-journey cases of a story in ``folder`` (the first is played in the parent)."""
    story = folder / "apply.yaml"
    story.write_text(
        "story: 1\nactions:\n  - action: apply\n    expect: {status: completed}\n",
        encoding="utf-8",
    )
    [loaded] = collect([story], builtin=False)
    return [Case(loaded, (("amount", str(5000 + 1000 * i)),)) for i in range(3)]


def _run_in_a_thread(todo: list[Case]) -> tuple[threading.Thread, list[object]]:
    """``run_cases(todo, jobs=2)`` started in a thread of its own (the test's own thread
    signals and lets go the workers); what it returned or raised, once it ends."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(check.run_cases(todo, jobs=2))
        except BaseException as exc:  # noqa: BLE001 - the test reports what the run raised
            outcome.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    return runner, outcome


def _read_pid(pipe: int, patience: float = 30) -> int:
    ready, _, _ = select.select([pipe], [], [], patience)
    assert ready, "no worker started a case"
    text = b""
    while not text.endswith(b"\n"):
        text += os.read(pipe, 1)
    return int(text)


@pytest.mark.skipif("fork" not in check.multiprocessing.get_all_start_methods(), reason="fork")
def test_a_worker_sent_ctrl_c_in_the_middle_of_a_case_plays_it_to_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A terminal's Ctrl-C reaches the workers with the parent. A worker took it for its own
    # and died with a KeyboardInterrupt traceback, or sent it back as its case's result (or,
    # waiting for a case, hung the run); it is the parent's, which here was not interrupted.
    todo = _three_cases(tmp_path)
    started_r, started_w = os.pipe()
    go_r, go_w = os.pipe()
    _PIPES.update(parent=os.getpid(), started=started_w, go=go_r)
    monkeypatch.setattr(check, "play", _play)
    runner, outcome = _run_in_a_thread(todo)
    try:
        for _ in todo[1:]:  # the first is played in the parent
            os.kill(_read_pid(started_r), signal.SIGINT)
            os.write(go_w, b"g")
    finally:
        os.write(go_w, b"gg")  # nothing left waiting, whatever happened
        runner.join(60)
    assert not runner.is_alive(), "the run did not end"
    [results] = outcome
    assert isinstance(results, list), results
    assert [r.status for r in results] == ["passed"] * 3
    assert [r.name for r in results] == [c.name for c in todo]


def _failing_play(case: Case) -> CaseResult:
    if os.getpid() != _PIPES["parent"]:
        raise RuntimeError("a worker's own failure")
    return _REAL_PLAY(case)


@pytest.mark.skipif("fork" not in check.multiprocessing.get_all_start_methods(), reason="fork")
def test_a_run_that_fails_in_a_thread_of_a_library_caller_says_its_own_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ending the workers ignores SIGPIPE, which only the main thread may set: from another
    # thread that raised ValueError over the run's own error.
    todo = _three_cases(tmp_path)
    _PIPES.update(parent=os.getpid())
    monkeypatch.setattr(check, "play", _failing_play)
    runner, outcome = _run_in_a_thread(todo)
    runner.join(60)
    assert not runner.is_alive()
    [raised] = outcome
    assert isinstance(raised, RuntimeError) and "a worker's own failure" in str(raised)


@pytest.mark.skipif("fork" not in check.multiprocessing.get_all_start_methods(), reason="fork")
def test_ending_the_workers_leaves_a_library_callers_ctrl_c_as_it_was() -> None:
    # Ending them ignores a second Ctrl-C; it ignored every later one too, in the caller's
    # process and in every command it started (an ignored signal is inherited).
    from concurrent.futures import ProcessPoolExecutor

    before = signal.getsignal(signal.SIGINT)
    pool = ProcessPoolExecutor(2, mp_context=check.multiprocessing.get_context("fork"))
    futures = [pool.submit(os.getpid) for _ in range(2)]
    workers = list(pool._processes.values())  # noqa: SLF001 - what _end_workers must end
    assert workers and all(f.result(30) for f in futures)
    check._end_workers(pool)  # noqa: SLF001
    assert signal.getsignal(signal.SIGINT) is before
    # Ended: each one's sentinel is ready (is_alive may race the executor's own thread,
    # which reaps them too).
    ended = check.multiprocessing.connection.wait([w.sentinel for w in workers], timeout=0)
    assert len(ended) == len(workers)


@pytest.mark.skipif("fork" not in check.multiprocessing.get_all_start_methods(), reason="fork")
def test_a_ctrl_c_held_while_the_workers_were_forked_ends_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It comes when SIGINT is unblocked, at the end of the block that forked them: that was
    # before the run's try, so nothing ended them and the exit waited for every case.
    import contextlib
    from collections.abc import Iterator

    @contextlib.contextmanager
    def held_then_delivered() -> Iterator[None]:
        yield
        raise KeyboardInterrupt

    todo = _three_cases(tmp_path)
    started_r, started_w = os.pipe()
    go_r, go_w = os.pipe()
    _PIPES.update(parent=os.getpid(), started=started_w, go=go_r)
    monkeypatch.setattr(check, "play", _play)  # a worker waits in its case to be let go
    monkeypatch.setattr(check, "_interrupts_held", held_then_delivered)
    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(KeyboardInterrupt):
            check.run_cases(todo, jobs=2)
        # Ended, not waiting in their cases: each one's sentinel is ready (at once: they
        # were let go by no one).
        left = [w.sentinel for w in check.multiprocessing.active_children()]
        assert left == [] or len(check.multiprocessing.connection.wait(left, 0)) == len(left)
        assert signal.getsignal(signal.SIGINT) is before
    finally:
        os.write(go_w, b"gg")  # nothing left waiting, whatever happened


def test_the_first_ctrl_c_of_a_run_on_workers_ignores_the_next_ones_until_it_ends() -> None:
    # A second Ctrl-C a millisecond after the first broke the workers' ending half-way and
    # the exit waited for ever, 1 to 2 times in 100 double presses.
    before = signal.getsignal(signal.SIGINT)
    seen: list[str] = []
    with pytest.raises(KeyboardInterrupt), check._one_interrupt():  # noqa: SLF001
        try:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler runs between two bytecodes
                pass
        except KeyboardInterrupt:
            seen.append("first")
            os.kill(os.getpid(), signal.SIGINT)  # ignored: nothing interrupts the ending
            for _ in range(1000):
                pass
            seen.append("ended")
            raise
    assert seen == ["first", "ended"]
    assert signal.getsignal(signal.SIGINT) is before


def test_a_library_callers_own_ctrl_c_handler_is_left_to_it() -> None:
    # Only Python's own handler is replaced while the workers run: a caller that counts its
    # Ctrl-Cs (or ignores them) got a KeyboardInterrupt it had not asked for.
    counted: list[int] = []

    def counting(signum: int, _frame: object) -> None:
        counted.append(signum)

    before = signal.signal(signal.SIGINT, counting)
    try:
        with check._one_interrupt():  # noqa: SLF001
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler runs between two bytecodes
                pass
        assert counted == [signal.SIGINT]
        assert signal.getsignal(signal.SIGINT) is counting
    finally:
        signal.signal(signal.SIGINT, before)
