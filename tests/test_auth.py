"""Staff sign-in: hashing, throttling of wrong passwords, and what a session can reach."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.auth import MAX_DELAY_SECONDS, Throttle, hash_password, verify_password

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


def test_each_wrong_password_doubles_the_wait_up_to_a_cap():
    throttle = Throttle()
    waits = []
    for attempt in range(9):
        throttle.record(success=False, now=100.0 * attempt)
        waits.append(throttle.wait_seconds(now=100.0 * attempt))
    assert waits == [1, 2, 4, 8, 16, 32, MAX_DELAY_SECONDS, MAX_DELAY_SECONDS, MAX_DELAY_SECONDS]
    throttle.record(success=True, now=1_000.0)
    assert throttle.wait_seconds(now=1_000.0) == 0


@pytest.fixture
def app(demo_db_path, monkeypatch):
    monkeypatch.setenv("LEAD_DB", str(demo_db_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["staff_password_hash"] = FAST_HASH
    return at


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
