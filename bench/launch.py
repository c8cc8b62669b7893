"""Run one command and write its own resource use to a JSON file: peak memory and CPU.

On Linux a process's ``ru_maxrss`` starts from its parent's resident size at the fork (exec keeps the
high-water mark of the memory it replaced), so a harness of 800 MB that starts a 250 MB process reads
800 MB from ``wait4``. Run through this small process instead, the command inherits only this
launcher's size (about 10 MB): the figure is the command's own.

    python -m bench.launch OUT.json COMMAND [ARG...]   # exit code: the command's
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def usage_of(command: list[str], out: Path) -> list[str]:
    """``command`` wrapped so that its resource use lands in ``out`` (read it with :func:`read`)."""
    return [sys.executable, "-m", "bench.launch", str(out), *command]


def read(out: Path) -> dict:
    """{"peak_mb": decimal MB, "cpu_s": user + system seconds} of a command run by :func:`usage_of`."""
    return json.loads(Path(out).read_text())


def main(argv: list[str]) -> int:
    out, command = Path(argv[0]), argv[1:]
    process = subprocess.Popen(command)  # stdout and stderr: this process's, so the caller reads them
    _, status, usage = os.wait4(process.pid, 0)
    out.write_text(
        json.dumps(
            {
                "peak_mb": round(usage.ru_maxrss * 1024 / 1e6, 1),  # ru_maxrss is KiB; MB are decimal
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            }
        )
    )
    code = os.waitstatus_to_exitcode(status)
    return code if code >= 0 else 128 - code  # killed by a signal: the shell's convention


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
