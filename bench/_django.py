"""Benchmarks run the real code on a throw-away database: a temporary SQLite file by
default, or the PostgreSQL in DATABASE_URL (its tables are flushed first)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> Path:
    """Configure Django on a scratch var/ folder; returns that folder."""
    sys.path.insert(0, str(ROOT))
    scratch = Path(tempfile.mkdtemp(prefix="lnd-bench-"))
    os.environ.setdefault("LND_VAR_DIR", str(scratch))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lnd.settings")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return Path(os.environ["LND_VAR_DIR"])


def flush() -> None:
    from django.core.management import call_command

    call_command("flush", "--noinput", verbosity=0)


def median_time(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def figure(name: str, value: float, unit: str) -> None:
    print(f"{name} {value:.4g} {unit}", flush=True)
