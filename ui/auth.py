"""Staff sign-in: a password checked against a PBKDF2 hash from secrets or the environment.

Set it up with ``python -m ui.auth`` (prints a hash for a password you type), then put the hash in
``.streamlit/secrets.toml`` as ``staff_password_hash = "..."`` or in the environment as
``LEAD_STAFF_PASSWORD_HASH``. With neither, sign-in is switched off and the app stays public.

Wrong passwords cost time, for the whole server at once (a new tab or session does not reset it):

* Attempts are checked one at a time, in the order they arrive. After ``n`` wrong passwords in a row
  the next check waits ``2^(n-1)`` seconds after the previous one, at most ``MAX_DELAY_SECONDS``
  (1, 2, 4, 8, 10, 10, ... s). Twelve guesses sent at once are checked no faster than twelve sent one
  after another; a right password resets the count.
* No attempt waits in the queue longer than ``MAX_WAIT_SECONDS``. One that would is turned away at
  once, its password unchecked, with the number of seconds after which it would fit: an attacker
  cannot queue a backlog that keeps staff waiting for minutes.
* So once a run of wrong guesses has been answered, the right password is checked within
  ``MAX_DELAY_SECONDS`` (10 s); while guesses are still queued, it waits at most ``MAX_WAIT_SECONDS``
  (20 s) or is told when to try again. A guesser gets at most one check per ``MAX_DELAY_SECONDS``,
  about 8,600 a day; against someone who keeps guessing without pause, staff may be turned away
  repeatedly, and the remedy is at the network (block the address), not here.

Who may write: the app's writes (saving and deleting proposals) ask ``may_write`` first, which allows
signed-in staff only; uploads are refused for other sessions by the server itself (``ui.serve``).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ingest import proposals

HASH_SCHEME = "pbkdf2_sha256"
HASH_ITERATIONS = 200_000
ENV_VAR = "LEAD_STAFF_PASSWORD_HASH"
SECRET_KEY = "staff_password_hash"
STAFF_FLAG = "staff_signed_in"
FIRST_DELAY_SECONDS = 1.0  # after one wrong password; doubles with each further one
MAX_DELAY_SECONDS = 10.0  # the longest pause between two checks: what a locked-out member of staff waits
MAX_WAIT_SECONDS = 20.0  # the longest an attempt may queue behind others before it is turned away


def hash_password(password: str, salt: str | None = None, iterations: int = HASH_ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt>$<hex digest>`` for a password.

    >>> hash_password("pw", salt="00", iterations=1)[:26]
    'pbkdf2_sha256$1$00$374a178'
    """
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), iterations).hex()
    return f"{HASH_SCHEME}${iterations}${salt}${digest}"


def verify_password(password: str, stored_hash: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for a wrong password or a malformed hash."""
    try:
        scheme, iterations, salt, expected = stored_hash.split("$")
        if scheme != HASH_SCHEME:
            return False
        candidate = hash_password(password, salt=salt, iterations=int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(candidate.split("$")[-1], expected)


@dataclass(frozen=True)
class Attempt:
    """What became of one sign-in attempt."""

    checked: bool  # False: turned away unchecked, the queue was full
    accepted: bool
    waited: float  # seconds spent waiting for its turn
    retry_after: float = 0.0  # when turned away: seconds after which it would be queued


@dataclass
class Throttle:
    """Checks sign-in attempts one at a time, first come first served, spaced by the run of failures.

    The delays are fields so that a test can run the same rules at a smaller time scale.
    """

    first_delay: float = FIRST_DELAY_SECONDS
    max_delay: float = MAX_DELAY_SECONDS
    max_wait: float = MAX_WAIT_SECONDS
    failures: int = 0  # wrong passwords in a row
    not_before: float = 0.0  # monotonic time before which the next check may not start
    _turns: threading.Condition = field(default_factory=threading.Condition, repr=False)
    _issued: int = 0  # tickets handed out
    _serving: int = 0  # the ticket whose turn it is
    _finished: set[int] = field(default_factory=set, repr=False)  # done, but maybe before their turn

    def delay_after(self, failures: int) -> float:
        """The pause before the next check after ``failures`` wrong passwords in a row."""
        return 0.0 if failures <= 0 else min(self.first_delay * 2 ** (failures - 1), self.max_delay)

    def expected_wait(self, now: float) -> float:
        """How long a newcomer would queue, counting every attempt ahead of it as a wrong password."""
        ahead = self._issued - self._serving
        pauses = sum(self.delay_after(self.failures + index) for index in range(1, ahead + 1))
        return max(0.0, self.not_before - now) + pauses

    def attempt(self, check: Callable[[], bool]) -> Attempt:
        """Queue for a turn, then run ``check`` (True: the password is right) when it comes."""
        with self._turns:
            arrived = time.monotonic()
            expected = self.expected_wait(arrived)
            if expected > self.max_wait:
                return Attempt(False, False, 0.0, retry_after=expected - self.max_wait)
            ticket = self._issued
            self._issued += 1
        checked = accepted = False
        try:
            with self._turns:
                self._turns.wait_for(lambda: self._serving == ticket)
                while (pause := self.not_before - time.monotonic()) > 0:
                    self._turns.wait(pause)  # releases the lock: newcomers are still queued or turned away
            waited = time.monotonic() - arrived
            checked = True
            accepted = bool(check())
        finally:  # also when the check raises: that counts as a wrong password, and the turn moves on
            with self._turns:
                if checked:
                    self.failures = 0 if accepted else self.failures + 1
                    self.not_before = time.monotonic() + self.delay_after(self.failures)
                self._finished.add(ticket)
                while self._serving in self._finished:
                    self._finished.discard(self._serving)
                    self._serving += 1
                self._turns.notify_all()
        return Attempt(True, accepted, waited)


@st.cache_resource(show_spinner=False)
def _throttle() -> Throttle:
    return Throttle()


def configured_hash() -> str | None:
    """The staff password hash from Streamlit secrets or the environment, if any."""
    try:
        from_secrets = st.secrets.get(SECRET_KEY)
    except FileNotFoundError:
        from_secrets = None
    return from_secrets or os.environ.get(ENV_VAR) or None


def is_staff() -> bool:
    return bool(st.session_state.get(STAFF_FLAG, False))


def may_write() -> bool:
    """Whether the code running now may change saved data: signed-in staff in a viewer's session, or
    anything outside a session (the command line, scripts, tests)."""
    return get_script_run_ctx(suppress_warning=True) is None or is_staff()


def session_is_staff(session_state) -> bool:
    """Whether a session's state (``AppSession.session_state``, read from the server) is signed-in staff."""
    try:
        return session_state[STAFF_FLAG] is True
    except KeyError:
        return False


proposals.guard_writes(may_write)


def sign_in_panel() -> None:
    """Sidebar panel: a sign-in form for staff, or who is signed in and a sign-out button."""
    with st.sidebar:
        if is_staff():
            st.markdown("**Staff view** — participant-level detail is visible.")
            if st.button("Sign out", key="sign_out", icon=":material/logout:"):
                st.session_state[STAFF_FLAG] = False
                st.rerun()
            return
        stored_hash = configured_hash()
        with st.expander("Staff sign-in", icon=":material/lock:"):
            if stored_hash is None:
                st.caption("Staff sign-in is not set up on this server (see the README).")
                return
            with st.form("staff_sign_in", clear_on_submit=True, border=False):
                password = st.text_input("Password", type="password", key="staff_password")
                submitted = st.form_submit_button("Sign in")
            if submitted:
                _attempt(password, stored_hash)


def _attempt(password: str, stored_hash: str) -> None:
    # Blocks this viewer's script thread until its turn (at most MAX_WAIT_SECONDS plus the check).
    outcome = _throttle().attempt(lambda: verify_password(password, stored_hash))
    if outcome.accepted:
        st.session_state[STAFF_FLAG] = True
        st.rerun()
    if not outcome.checked:
        st.warning(
            "Too many sign-in attempts are waiting; this one was not checked. "
            f"Try again in {math.ceil(outcome.retry_after)} s."
        )
        return
    st.error(f"Wrong password. Each further wrong attempt waits longer (at most {MAX_DELAY_SECONDS:.0f} s).")


def _print_hash() -> None:
    import getpass

    password = getpass.getpass("Staff password: ")
    if len(password) < 10:
        raise SystemExit("Use at least 10 characters.")
    if getpass.getpass("Again: ") != password:
        raise SystemExit("The two entries differ.")
    print(hash_password(password))


if __name__ == "__main__":
    _print_hash()
