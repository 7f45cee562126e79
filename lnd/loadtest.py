"""Serve the project with gunicorn and drive it with wrk (Debian package). Used by the
services-lane load test, bench/bench_http.py and scripts/screenshots.py."""

from __future__ import annotations

import ctypes
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT_SCRIPT = ROOT / "bench" / "wrk_report.lua"


@dataclass
class WrkResult:
    requests: int
    seconds: float
    errors: int
    non_2xx: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(url: str, *, connections: int, seconds: int = 5, threads: int = 1,
        headers: dict[str, str] | None = None) -> WrkResult:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    cmd = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections),
           "-d", f"{seconds}s", "--timeout", "10s", "-s", str(REPORT_SCRIPT)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout
    line = re.search(r"^WRK (.*)$", out, re.M)
    if line is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    f = {k: int(v) for k, v in (p.split("=") for p in line.group(1).split())}
    return WrkResult(requests=f["requests"], seconds=f["duration_us"] / 1e6,
                     errors=f["errors"], non_2xx=f["non2xx"], p50_ms=f["p50_us"] / 1000,
                     p95_ms=f["p95_us"] / 1000, p99_ms=f["p99_us"] / 1000)


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def die_with_parent() -> None:
    """Runs in a child before exec (Linux): SIGTERM it when the parent dies, so a killed
    test or benchmark never leaves a server behind."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@contextmanager
def gunicorn_server(*, env: dict[str, str], workers: int = 3, log=None) -> Iterator[str]:
    """Run the project under gunicorn on a free loopback port; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lnd.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers)], cwd=ROOT, env=env, stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
