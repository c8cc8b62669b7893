"""Staff sign-in: hashing, throttling of wrong passwords, and what a session can reach."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ui.auth import (
    FIRST_DELAY_SECONDS,
    MAX_DELAY_SECONDS,
    MAX_WAIT_SECONDS,
    Throttle,
    hash_password,
    verify_password,
)

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD = "correct horse battery"
FAST_HASH = hash_password(PASSWORD, salt="5a" * 16, iterations=1_000)


def test_verify_accepts_the_password_and_rejects_others():
    assert verify_password(PASSWORD, FAST_HASH)
    assert not verify_password("correct horse battery ", FAST_HASH)
    assert not verify_password("", FAST_HASH)


@pytest.mark.parametrize(
    "broken", ["", "plain-text", "md5$1$00$ab", "pbkdf2_sha256$x$00$ab", "pbkdf2_sha256$1$zz$ab"]
)
def test_malformed_hashes_never_sign_anyone_in(broken):
    assert not verify_password(PASSWORD, broken)


def test_salts_differ_between_hashes_of_the_same_password():
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


def test_each_wrong_password_doubles_the_pause_up_to_a_small_cap():
    throttle = Throttle()
    assert [throttle.delay_after(n) for n in range(9)] == [0, 1, 2, 4, 8, 10, 10, 10, 10]
    assert MAX_DELAY_SECONDS <= 15 and MAX_WAIT_SECONDS <= 30  # what the module's docstring promises


# The real rules at 1/50 of their time scale: pauses of 0.02, 0.04, 0.08, 0.16, then 0.2 s; at most
# 0.4 s in the queue.
SCALE = 1 / 50
GUESSES = 12


def scaled_throttle() -> Throttle:
    return Throttle(
        first_delay=FIRST_DELAY_SECONDS * SCALE,
        max_delay=MAX_DELAY_SECONDS * SCALE,
        max_wait=MAX_WAIT_SECONDS * SCALE,
    )


class Guesser:
    """A password check that records when each check started and ended."""

    def __init__(self, right: bool = False):
        self.right = right
        self.checks: list[tuple[float, float]] = []
        self.lock = threading.Lock()

    def __call__(self) -> bool:
        started = time.monotonic()
        verify_password("wrong guess", FAST_HASH)  # a real (fast) check, so checks take real time
        with self.lock:
            self.checks.append((started, time.monotonic()))
        return self.right


def guess_until_checked(throttle: Throttle, check: Guesser) -> list:
    """What a determined guesser does: when turned away, wait as told and try again."""
    outcomes = []
    while not (outcomes and outcomes[-1].checked):
        outcomes.append(throttle.attempt(check))
        if not outcomes[-1].checked:
            time.sleep(outcomes[-1].retry_after)  # the wait the throttle imposes, not a fixed one
    return outcomes


def test_twelve_parallel_wrong_guesses_take_as_long_as_twelve_sequential_ones():
    sequential, wrong = scaled_throttle(), Guesser()
    started = time.monotonic()
    for _ in range(GUESSES):
        assert not sequential.attempt(wrong).accepted
    sequential_seconds = time.monotonic() - started
    least = sum(sequential.delay_after(n) for n in range(1, GUESSES))  # 1.7 s at this scale
    assert sequential_seconds >= least

    parallel, wrong = scaled_throttle(), Guesser()
    start = threading.Barrier(GUESSES + 1)
    results: list[list] = []

    def guesser():
        start.wait()
        results.append(guess_until_checked(parallel, wrong))

    threads = [threading.Thread(target=guesser) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=30)
    parallel_seconds = time.monotonic() - started

    assert len(wrong.checks) == GUESSES  # each guess checked exactly once, none accepted
    # as long as the pauses twelve sequential guesses earn (not compared with the sequential run's wall
    # time, which a busy machine stretches)
    assert parallel_seconds >= least, (parallel_seconds, least)
    # One at a time, each after the pause its predecessors earned (a little slack for the clock).
    checks = sorted(wrong.checks)
    for failures, ((_, ended), (next_started, _)) in enumerate(zip(checks, checks[1:], strict=False), 1):
        assert next_started - ended >= parallel.delay_after(failures) - 0.002
    # The queue stayed short: most guesses were turned away at first, and none queued too long.
    outcomes = [outcome for attempts in results for outcome in attempts]
    assert sum(not outcome.checked for outcome in outcomes) >= GUESSES // 2
    assert max(outcome.waited for outcome in outcomes) <= parallel.max_wait + 0.1

    # Right after the attack, the right password is let in within the documented wait.
    right = Guesser(right=True)
    asked = time.monotonic()
    outcome = parallel.attempt(right)
    assert outcome.checked and outcome.accepted
    assert time.monotonic() - asked <= parallel.max_delay + 0.25  # slack for a busy machine's scheduler
    assert parallel.failures == 0 and parallel.attempt(Guesser()).waited < 0.01  # the count is reset


def test_while_guesses_are_queued_the_right_password_waits_at_most_the_queue_limit():
    throttle, wrong = scaled_throttle(), Guesser()
    threads = [threading.Thread(target=throttle.attempt, args=(wrong,)) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    asked = time.monotonic()
    outcome = throttle.attempt(Guesser(right=True))
    answered = time.monotonic() - asked
    for thread in threads:
        thread.join(timeout=30)
    if outcome.checked:
        assert outcome.accepted and answered <= throttle.max_wait + 0.25  # busy-machine slack
    else:  # turned away at once, told when it would fit
        assert answered < 0.25 and 0 < outcome.retry_after <= GUESSES * throttle.max_delay


def test_an_attempt_that_would_queue_too_long_is_turned_away_unchecked():
    throttle, check = Throttle(), Guesser(right=True)
    throttle.failures, throttle.not_before = 12, time.monotonic() + MAX_WAIT_SECONDS + 3
    outcome = throttle.attempt(check)
    assert not outcome.checked and not outcome.accepted and check.checks == []
    assert 2 < outcome.retry_after <= 3
    assert throttle.failures == 12  # turning away costs nobody a further pause


def test_a_failing_check_counts_as_wrong_and_passes_the_turn_on():
    throttle = scaled_throttle()

    def broken() -> bool:
        raise RuntimeError("hash store unreadable")

    with pytest.raises(RuntimeError):
        throttle.attempt(broken)
    assert throttle.failures == 1
    assert throttle.attempt(Guesser(right=True)).accepted  # not stuck waiting for a turn


@pytest.fixture
def app(demo_db_path, monkeypatch, tmp_path):
    """The app with the shared password set up, on a private copy of the demo database (sign-ins are
    written to its audit trail)."""
    st.cache_resource.clear()
    monkeypatch.setenv("LEAD_DB", str(shutil.copy(demo_db_path, tmp_path / "auth.duckdb")))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["staff_password_hash"] = FAST_HASH
    yield at
    st.cache_resource.clear()  # later tests must not inherit a connection to this copy


def sign_in(at: AppTest, password: str) -> AppTest:
    at.run()
    at.text_input(key="staff_password").input(password)
    at.get("form_submit_button")[0].click()
    return at.run()


def staff_flag(at: AppTest) -> bool:
    return "staff_signed_in" in at.session_state and bool(at.session_state["staff_signed_in"])


def test_public_session_has_no_staff_pages(app):
    at = app.run()
    assert not at.exception and not staff_flag(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/import_data.py")


def test_wrong_password_is_refused(app):
    at = sign_in(app, "guess")
    assert not at.exception
    assert any("Wrong password" in e.value for e in at.error)
    assert not staff_flag(at)


def test_right_password_unlocks_staff_pages_and_sign_out_locks_them_again(app):
    at = sign_in(app, PASSWORD)
    assert not at.exception
    assert staff_flag(at)
    at.switch_page("pages/import_data.py")
    at.run()
    assert [t.value for t in at.title] == ["Import data"]
    at.button(key="sign_out").click()
    at.run()
    assert not staff_flag(at)
    assert [t.value for t in at.title] == ["LEAD in Baltimore"]


def test_a_sign_in_turned_away_says_when_to_try_again(app):
    from ui.auth import _throttle

    app.run()  # the first run opens the database copy: not part of the time measured below
    throttle = _throttle()  # the server-wide throttle the sign-in panel uses
    throttle.failures, throttle.not_before = 12, time.monotonic() + MAX_WAIT_SECONDS + 5
    try:
        at = sign_in(app, PASSWORD)
    finally:
        throttle.failures, throttle.not_before = 0, 0.0
    assert not at.exception
    assert not staff_flag(at)  # even the right password is not checked while the queue is full
    assert [w.value for w in at.warning if "sign-in" in w.value] == [
        "Too many sign-in attempts are waiting; this one was not checked. Try again in 5 s."
    ]
