"""Simulator speed at the reference size: prints `simulate_1000x78_s <median of 3> s`.

    .venv/bin/python bench/bench_simulate.py [--agents 1000 --weeks 78 --repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recommender.simulation import simulate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=78)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    seconds = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, args.repeats + 1):
            started = time.perf_counter()
            simulate(Path(tmp) / f"s{seed}", n_agents=args.agents, weeks=args.weeks, seed=seed)
            seconds.append(time.perf_counter() - started)
    name = f"simulate_{args.agents}x{args.weeks}_s"
    print(f"{name} {statistics.median(seconds):.2f} s")


if __name__ == "__main__":
    main()
