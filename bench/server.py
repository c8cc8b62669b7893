"""The app as a viewer meets it: started as ``make run`` starts it (``python -m ui.serve``, which runs
``streamlit run app.py``), on 127.0.0.1, and its memory from /proc.

with running_app(Path("data/bench/demo_1000000.duckdb")) as app:
    ...  # drive app.url
    print(app.peak_rss_mb())
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from store.connection import REPO_ROOT

HEALTH_TIMEOUT_S = 120
HEALTH_POLL_S = 0.2


@dataclass
class AppProcess:
    url: str
    pid: int
    log_path: Path

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MiB."""
        return _status_kib(self.pid, "VmHWM") / 1024

    def rss_mb(self) -> float:
        return _status_kib(self.pid, "VmRSS") / 1024

    def log_errors(self) -> list[str]:
        """Tracebacks the server logged (the page shows plain words instead; the log keeps the detail)."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return [chunk.strip()[-600:] for chunk in text.split("Traceback (most recent call last):")[1:]]


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(
    db: Path,
    log_path: Path | None = None,
    port: int | None = None,
    script: str = "app.py",
    extra_args: list[str] | tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
):
    """Start the app (or another Streamlit ``script``) against ``db`` on 127.0.0.1; stop it afterwards
    (SIGTERM, then SIGKILL). ``extra_args`` are more ``streamlit run`` options (``--runner.X``),
    ``extra_env`` more environment variables, for trying a setting without changing the app."""
    port = port or free_port()
    log_path = log_path or db.with_suffix(".streamlit.log")
    env = {**os.environ, **(extra_env or {}), "LEAD_DB": str(db)}
    options = [
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false", *extra_args,
    ]  # fmt: skip
    if script == "app.py" and (REPO_ROOT / "ui" / "serve.py").exists():
        command = [sys.executable, "-m", "ui.serve", *options]  # how `make run` starts the app
    else:
        command = [sys.executable, "-m", "streamlit", "run", script, *options]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    app = AppProcess(url=f"http://127.0.0.1:{port}", pid=process.pid, log_path=log_path)
    try:
        wait_healthy(app.url, process, log_path=log_path)
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(
    url: str, process: subprocess.Popen, timeout: float = HEALTH_TIMEOUT_S, log_path: Path | None = None
) -> None:
    """Return once the Streamlit server at ``url`` answers ``/_stcore/health`` with 200.

    Raises RuntimeError as soon as ``process`` exits (a server that cannot start is not waited on),
    TimeoutError after ``timeout`` seconds; either message ends with the last lines of ``log_path``,
    where the server wrote why. The benchmark's ``running_app`` and the tests' app fixtures both
    wait with it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"streamlit for {url} exited with code {process.returncode} before it was healthy"
                + _log_tail(log_path)
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused while the server starts; a 503 (HTTPError) while it warms up
            pass
        time.sleep(HEALTH_POLL_S)  # polling interval, not a wait for readiness
    raise TimeoutError(f"streamlit at {url} not healthy after {timeout:g} s" + _log_tail(log_path))


def _log_tail(log_path: Path | None, lines: int = 20) -> str:
    if log_path is None or not log_path.exists():
        return ""
    tail = log_path.read_text(errors="replace").splitlines()[-lines:]
    return f"; the end of {log_path.name}:\n" + "\n".join(tail) if tail else f"; {log_path.name} is empty"
