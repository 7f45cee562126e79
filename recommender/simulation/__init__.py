"""A synthetic contact centre written in the data-contract format, with its ground truth.

Plain numpy/pandas: this package never imports Django. See `engine` for the generative
model and `truth` for how the truth files are computed.
"""

from __future__ import annotations

from pathlib import Path

from .centre import Centre
from .engine import DATA_END, DEV_HAZARD_RATIO, DEV_WINDOW
from .writer import Writer

__all__ = ["DATA_END", "DEV_HAZARD_RATIO", "DEV_WINDOW", "simulate"]


def simulate(out_dir: Path, *, n_agents: int, weeks: int, seed: int) -> None:
    """Simulate `weeks` weeks of a centre starting with `n_agents` agents into `out_dir`."""
    centre = Centre(n_agents=n_agents, weeks=weeks, seed=seed)
    centre.run()
    Writer(centre, Path(out_dir)).write_all()
