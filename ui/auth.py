"""Staff sign-in: a password checked against a PBKDF2 hash from secrets or the environment.

Set it up with ``python -m ui.auth`` (prints a hash for a password you type), then put the hash in
``.streamlit/secrets.toml`` as ``staff_password_hash = "..."`` or in the environment as
``LEAD_STAFF_PASSWORD_HASH``. With neither, sign-in is switched off and the app stays public.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field

import streamlit as st

HASH_SCHEME = "pbkdf2_sha256"
HASH_ITERATIONS = 200_000
ENV_VAR = "LEAD_STAFF_PASSWORD_HASH"
SECRET_KEY = "staff_password_hash"
STAFF_FLAG = "staff_signed_in"
# Wrong passwords cost time: the n-th failure in a row (process-wide, so a new browser tab does not
# reset it) makes the next attempt wait 2^(n-1) seconds, up to a minute.
MAX_DELAY_SECONDS = 60


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


@dataclass
class Throttle:
    """Consecutive failed sign-ins and when the next attempt may be made."""

    failures: int = 0
    not_before: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, now: float) -> float:
        return max(0.0, self.not_before - now)

    def record(self, success: bool, now: float) -> None:
        with self.lock:
            if success:
                self.failures, self.not_before = 0, 0.0
            else:
                self.failures += 1
                self.not_before = now + min(2 ** (self.failures - 1), MAX_DELAY_SECONDS)


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
    throttle = _throttle()
    wait = throttle.wait_seconds(time.monotonic())
    if wait > 0:
        time.sleep(wait)  # slows guessing down; this session only waits for its own attempt
    success = verify_password(password, stored_hash)
    throttle.record(success, time.monotonic())
    if success:
        st.session_state[STAFF_FLAG] = True
        st.rerun()
    st.error("Wrong password. Each further wrong attempt waits longer.")


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
