"""What the numbers were measured on, and how busy the machine was while they were taken.

The benchmark machine may be shared, so every timed section records the load around it:
``LoadMeter`` reads /proc/stat before and after and reports how much of the machine's CPU time was
busy (ours and everyone else's) and the 1-minute load average at both ends.
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import streamlit


def describe() -> dict:
    """CPU model and count, memory, OS, and the versions that matter for the figures."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    mhz = [float(line.split(":", 1)[1]) for line in cpuinfo.splitlines() if line.startswith("cpu MHz")]
    return {
        "cpu_model": models[0] if models else platform.processor() or "unknown",
        "cpus": os.cpu_count(),
        "cpu_mhz": round(sum(mhz) / len(mhz)) if mhz else None,
        "memory": _free(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "streamlit": streamlit.__version__,
    }


def _free() -> str:
    """The `free -m` memory line, e.g. 'Mem: total 24105 MiB, available 22455 MiB'."""
    try:
        lines = subprocess.run(["free", "-m"], capture_output=True, text=True, check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    header, mem = lines[0].split(), lines[1].split()
    values = dict(zip(header, mem[1:], strict=False))
    return f"total {values.get('total', '?')} MiB, available {values.get('available', '?')} MiB"


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


@dataclass
class Load:
    seconds: float
    cpu_busy_pct: float  # of all CPUs, everything running (this benchmark included)
    load_before: float
    load_after: float

    def as_dict(self) -> dict:
        return asdict(self)

    def text(self) -> str:
        return f"CPU {self.cpu_busy_pct:.0f}% busy, load {self.load_before:.1f} → {self.load_after:.1f}"


class LoadMeter:
    """``with LoadMeter() as load: ...`` then ``load.result``."""

    def __enter__(self) -> LoadMeter:
        self._started = time.perf_counter()
        self._ticks = _cpu_ticks()
        self._load = os.getloadavg()[0]
        self.result: Load | None = None
        return self

    def __exit__(self, *exc) -> None:
        busy, total = _cpu_ticks()
        spent = total - self._ticks[1]
        self.result = Load(
            seconds=round(time.perf_counter() - self._started, 2),
            cpu_busy_pct=round(100 * (busy - self._ticks[0]) / spent, 1) if spent else 0.0,
            load_before=round(self._load, 2),
            load_after=round(os.getloadavg()[0], 2),
        )


def other_processes(top: int = 5) -> list[str]:
    """The busiest processes that are not this benchmark (to say who else was using the machine)."""
    try:
        out = subprocess.run(
            ["ps", "-eo", "pid,ppid,pcpu,comm", "--sort=-pcpu", "--no-headers"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    mine = {os.getpid()}
    busy = []
    for line in out.splitlines():
        pid, ppid, pcpu, comm = line.split(None, 3)
        if int(pid) in mine or int(ppid) in mine or float(pcpu) < 5:
            continue
        busy.append(f"{comm} ({pcpu}% CPU)")
        if len(busy) == top:
            break
    return busy
