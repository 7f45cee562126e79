"""The contract's performance composite, with its standardisation fixed per model.

Each metric is standardised by its mean and standard deviation over all agent-weeks in
the training window, negated where lower is better, and combined with the metrics.csv
weights normalised to sum 1. A week with some metrics missing uses the ones present
(their weights renormalised), so one missing export does not blank the week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Standardiser:
    metric_codes: tuple[str, ...]
    means: tuple[float, ...]
    stds: tuple[float, ...]
    signs: tuple[float, ...]
    weights: tuple[float, ...]

    @classmethod
    def fit(cls, metrics: pd.DataFrame, performance: pd.DataFrame) -> Standardiser:
        known = metrics.set_index("metric_code")
        codes = sorted(set(performance["metric_code"]).intersection(known.index))
        codes = [c for c in codes if float(known.at[c, "weight"] or 0) > 0]
        if not codes:
            raise ValueError("no weighted metric in metrics.csv has performance rows")
        values = pd.to_numeric(performance["value"], errors="coerce")
        stats = values.groupby(performance["metric_code"]).agg(["mean", "std"])
        stds = stats.loc[codes, "std"].fillna(1.0).replace(0.0, 1.0)
        hib = known.loc[codes, "higher_is_better"].map(_as_bool)
        weights = known.loc[codes, "weight"].astype(float)
        return cls(
            metric_codes=tuple(codes),
            means=tuple(float(x) for x in stats.loc[codes, "mean"]),
            stds=tuple(float(x) for x in stds),
            signs=tuple(1.0 if h else -1.0 for h in hib),
            weights=tuple(float(x) for x in weights / weights.sum()),
        )

    def zscores(self, values: np.ndarray) -> np.ndarray:
        """values[..., m] in metric_codes order -> sign-corrected z-scores."""
        mean, std, sign = (np.asarray(v) for v in (self.means, self.stds, self.signs))
        return (values - mean) / std * sign

    def combine(self, z: np.ndarray) -> np.ndarray:
        """z[..., m] -> composite, renormalising weights over the metrics present."""
        w = np.asarray(self.weights)
        present = ~np.isnan(z)
        num = np.where(present, z, 0.0) @ w
        den = present @ w
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / den, np.nan)

    def to_dict(self) -> dict:
        return {k: list(getattr(self, k)) for k in
                ("metric_codes", "means", "stds", "signs", "weights")}

    @classmethod
    def from_dict(cls, d: dict) -> Standardiser:
        return cls(**{k: tuple(v) for k, v in d.items()})


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
