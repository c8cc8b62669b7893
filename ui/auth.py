"""Sign-in: single sign-on with the city's identity provider (``st.login``), roles from an allow-list,
and a shared staff password as the offline fallback.

Single sign-on is on when ``.streamlit/secrets.toml`` has an ``[auth]`` section (Streamlit's own
OpenID Connect settings: ``redirect_uri``, ``cookie_secret``, ``client_id``, ``client_secret``,
``server_metadata_url``). Who gets which role (``viewer``, ``staff``, ``admin``; see
``domain.roles``) comes from its ``[access]`` section: lists of e-mail addresses or of groups in a
claim. Someone signed in but on no list sees the public view and a sentence saying why. Every
sign-in, failed sign-in and sign-out is written to the audit trail (``store.audit``).

The shared password below stays for a projector laptop without the network. It is off while
``[auth]`` is configured, unless ``[access]`` says ``password_fallback = true``.

Shared password: a password checked against a PBKDF2 hash from secrets or the environment.

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
import logging
import math
import os
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from domain import roles
from ingest import proposals
from store import audit

log = logging.getLogger("lead.auth")

HASH_SCHEME = "pbkdf2_sha256"
HASH_ITERATIONS = 200_000
ENV_VAR = "LEAD_STAFF_PASSWORD_HASH"
SECRET_KEY = "staff_password_hash"
STAFF_FLAG = "staff_signed_in"  # True while this session may see the staff view (staff or admin)
ROLE_KEY = "signed_in_role"  # 'viewer', 'staff', 'admin', or None
IDENTITY_KEY = "signed_in_identity"  # the e-mail, or PASSWORD_IDENTITY
LOGIN_KEY = "signed_in_login"  # the single sign-on login already looked at in this session
PASSWORD_IDENTITY = "password:staff"  # who a shared-password sign-in is: the password names no one
AUTH_SECTION = "auth"  # Streamlit's own settings for st.login
ACCESS_SECTION = "access"  # this app's allow-lists (domain.roles.AccessPolicy)
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


def _secret(key: str):
    try:
        return st.secrets.get(key)
    except FileNotFoundError:  # no secrets file at all
        return None


def configured_hash() -> str | None:
    """The staff password hash from Streamlit secrets or the environment, if any."""
    return _secret(SECRET_KEY) or os.environ.get(ENV_VAR) or None


def sso_configured() -> bool:
    """Whether single sign-on is set up: an ``[auth]`` section in the secrets."""
    return bool(_secret(AUTH_SECTION))


def access_policy() -> roles.AccessPolicy:
    return roles.AccessPolicy.from_mapping(_secret(ACCESS_SECTION))


def password_enabled() -> bool:
    """Whether the shared staff password is offered: a hash is set, and single sign-on is not
    (or ``[access]`` has ``password_fallback = true``)."""
    if configured_hash() is None:
        return False
    return not sso_configured() or bool((_secret(ACCESS_SECTION) or {}).get("password_fallback", False))


def is_staff() -> bool:
    return bool(st.session_state.get(STAFF_FLAG, False))


def role() -> str | None:
    """This session's role: 'viewer', 'staff' or 'admin'; None for the public."""
    if ROLE_KEY in st.session_state:
        return st.session_state[ROLE_KEY]
    return "staff" if is_staff() else None  # a session signed in before roles existed (or by a test)


def is_admin() -> bool:
    return role() == "admin"


def identity() -> str | None:
    """Who is signed in: the e-mail from the identity provider, or ``password:staff``."""
    if st.session_state.get(IDENTITY_KEY):
        return st.session_state[IDENTITY_KEY]
    return PASSWORD_IDENTITY if is_staff() else None


def _claims() -> dict:
    try:
        return st.user.to_dict()
    except Exception:  # noqa: BLE001 - no user information in this context (a bare script)
        return {}


def _set_session(role_name: str | None, who: str | None) -> None:
    st.session_state[ROLE_KEY] = role_name
    st.session_state[IDENTITY_KEY] = who
    st.session_state[STAFF_FLAG] = role_name in roles.STAFF_ROLES


def establish_identity() -> None:
    """Work out this run's identity and role (call once per run, before the navigation is built).

    With single sign-on, the role follows the identity provider's login on every run, so that a
    change of the lists applies at the next click. A login is written to the audit trail once:
    as a sign-in, or as a failed one when the identity is on no list.
    """
    if not sso_configured():
        return  # the shared password alone: its form sets the flag
    claims = _claims()
    if not claims.get("is_logged_in"):
        if st.session_state.get(IDENTITY_KEY) == PASSWORD_IDENTITY and password_enabled():
            return
        _set_session(None, None)
        st.session_state.pop(LOGIN_KEY, None)
        return
    who = roles.identity_of(claims)
    role_name = access_policy().role_for(claims)
    _set_session(role_name, who)
    login = f"{claims.get('iss', '')} {claims.get('sub', who)} {claims.get('iat', '')}"
    if st.session_state.get(LOGIN_KEY) != login:
        st.session_state[LOGIN_KEY] = login
        _audit_login(who, role_name, login)


def _audit_login(who: str, role_name: str | None, login: str) -> None:
    """One row per login at the provider, not one per browser tab or reload of it."""
    from ui.data import connection

    subject = f"single sign-on ({_issued(login.split()[-1])})"  # the same login: the same subject
    with _audit_failure_shown():
        con = connection()
        if audit.has_row(con, who, subject):
            return
        if role_name is None:
            refused = "not on the allow-list"
            audit.record(con, who, "sign_in_failed", "refused", subject=subject, reason=refused)
        else:
            audit.record(con, who, "sign_in", role=role_name, subject=subject)


def _issued(iat: str) -> str:
    """The ID token's issue time (``iat``, seconds since 1970) in words, e.g.
    ``login of 2026-12-02 07:26:07 UTC``."""
    try:
        return f"login of {datetime.fromtimestamp(int(iat), UTC):%Y-%m-%d %H:%M:%S} UTC"
    except (ValueError, OverflowError, OSError):
        return f"login {iat or 'without a time'}"


def note(action: str, outcome: str = "ok", who: str | None = None, **details) -> None:
    """Write one row to the audit trail as this session's identity and role (or as ``who``)."""
    from ui.data import connection

    with _audit_failure_shown():
        audit.record(connection(), who or identity() or "public", action, outcome, role=role(), **details)


@contextmanager
def _audit_failure_shown():
    """A database that cannot take the row (locked, read-only, being swapped) must not break the page:
    the failure is logged with the details and said on screen, and the page goes on."""
    try:
        yield
    except duckdb.Error:
        log.exception("audit trail: a row could not be written")
        st.warning(
            "This action could not be written to the audit trail; the server's log has the details.",
            icon=":material/warning:",
        )


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
    """Sidebar panel: sign-in (single sign-on, the shared password, or both), or who is signed in,
    in what role, and a sign-out button."""
    with st.sidebar:
        who, role_name = identity(), role()
        if who is not None:
            _signed_in(who, role_name)
            return
        sso = sso_configured()
        if sso and st.button("Sign in (city account)", key="sign_in_sso", icon=":material/login:"):
            st.login()
        stored_hash = configured_hash() if password_enabled() else None
        if sso_configured() and stored_hash is None:
            return
        with st.expander("Staff sign-in" if not sso_configured() else "Staff password (offline)",
                         icon=":material/lock:"):  # fmt: skip
            if stored_hash is None:
                st.caption("Staff sign-in is not set up on this server (see the README).")
                return
            with st.form("staff_sign_in", clear_on_submit=True, border=False):
                password = st.text_input("Password", type="password", key="staff_password")
                submitted = st.form_submit_button("Sign in")
            if submitted:
                _attempt(password, stored_hash)


def _signed_in(who: str, role_name: str | None) -> None:
    from domain.safe_text import NAME_LIMIT, markdown_text

    shown = markdown_text(who, NAME_LIMIT)  # the provider's text, shown as text
    if role_name in roles.STAFF_ROLES:
        st.markdown("**Staff view** — participant-level detail is visible.")
        st.caption(f"Signed in as {shown} ({role_name}).")
    elif role_name == "viewer":
        st.info(roles.viewer_sentence(shown), icon=":material/visibility:")
    else:
        st.warning(roles.outside_sentence(shown), icon=":material/block:")
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        note("sign_out")
        if who == PASSWORD_IDENTITY:
            _set_session(None, None)
            st.rerun()
        st.logout()


def _attempt(password: str, stored_hash: str) -> None:
    # Blocks this viewer's script thread until its turn (at most MAX_WAIT_SECONDS plus the check).
    outcome = _throttle().attempt(lambda: verify_password(password, stored_hash))
    if outcome.accepted:
        _set_session("staff", PASSWORD_IDENTITY)
        note("sign_in", subject="shared password")
        st.rerun()
    if not outcome.checked:
        note("sign_in_failed", "refused", who=PASSWORD_IDENTITY, subject="shared password",
             reason="not checked: too many attempts waiting")  # fmt: skip
        st.warning(
            "Too many sign-in attempts are waiting; this one was not checked. "
            f"Try again in {math.ceil(outcome.retry_after)} s."
        )
        return
    note("sign_in_failed", "failed", who=PASSWORD_IDENTITY, subject="shared password",
         reason="wrong password")  # fmt: skip
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
