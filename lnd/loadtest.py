"""Drive the running server with wrk (Debian package) and read back its figures.
Used by the services-lane load test and by bench/bench_http.py."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPORT_SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "wrk_report.lua"


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
