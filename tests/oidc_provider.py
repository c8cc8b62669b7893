"""A real OpenID Connect provider for the sign-in tests (tests/oidc/provider.mjs, npm ``oidc-provider``).

``make setup`` installs it (``npm ci`` in tests/oidc, into the git-ignored tests/oidc/node_modules).
Without node or that install the tests that need it skip, saying why; on CI
(``LEAD_REQUIRE_BROWSER=1``, set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
SCRIPT = PROVIDER_DIR / "provider.mjs"
INSTALLED = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
START_TIMEOUT_S = 60
CLIENT_ID = "lead-dashboard"


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    name: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    log_path: Path

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def log(self) -> str:
        return self.log_path.read_text()


def require_node() -> str:
    """The node executable; skips (fails on CI) when node or the provider's packages are missing."""
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not installed: the single sign-on tests need it for their OpenID provider"
    elif not INSTALLED.exists():
        problem = f"{INSTALLED.parent} missing: run `make setup` (npm ci in tests/oidc)"
    if problem:
        if os.environ.get("LEAD_REQUIRE_BROWSER"):
            pytest.fail(problem)
        pytest.skip(problem)
    return node


@contextmanager
def running_provider(
    workdir: Path, port: int, redirect_uri: str, accounts: list[Account], client_secret: str | None = None
):
    """The provider on 127.0.0.1:``port`` with one client (redirecting to ``redirect_uri``) and
    these accounts; yields a ``Provider`` once its discovery document answers."""
    node = require_node()
    client_secret = client_secret or secrets.token_urlsafe(24)
    config = {
        "port": port,
        "clients": [{
            "client_id": CLIENT_ID,
            "client_secret": client_secret,
            "redirect_uris": [redirect_uri],
            "post_logout_redirect_uris": [redirect_uri],  # where Streamlit's st.logout returns
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }],
        "accounts": [
            {"email": a.email, "password": a.password, "name": a.name, "groups": list(a.groups)}
            for a in accounts
        ],
    }  # fmt: skip
    config_path = workdir / "oidc-config.json"
    config_path.write_text(json.dumps(config))
    log_path = workdir / "oidc-provider.log"
    issuer = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [node, str(SCRIPT), str(config_path)], cwd=PROVIDER_DIR, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_discovery(issuer, process, log_path)
        yield Provider(issuer, CLIENT_ID, client_secret, log_path)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_for_discovery(issuer: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OpenID provider exited ({process.returncode}): {log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:  # refused while node starts
            pass
        time.sleep(0.1)  # polling a condition: the provider answering
    raise TimeoutError(f"the OpenID provider at {issuer} did not answer in {START_TIMEOUT_S} s")


def sso_secrets(provider_url: str, client_id: str, client_secret: str, access: str = "") -> str:
    """A secrets.toml with Streamlit's [auth] for this provider and the app's [access] lists.

    ``{port}`` in ``redirect_uri`` is Streamlit's own placeholder for the port it serves on.
    ``prompt = "login"``: Streamlit asks for ``select_account`` unless told otherwise, which
    oidc-provider (like Okta) does not offer. ``scope`` adds ``groups``: Streamlit asks for
    ``openid email profile`` only, and the provider releases the group claim for that scope.
    """
    return f"""
[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"
client_id = "{client_id}"
client_secret = "{client_secret}"
server_metadata_url = "{provider_url}/.well-known/openid-configuration"
client_kwargs = {{ prompt = "login", scope = "openid email profile groups" }}

{access}
"""
