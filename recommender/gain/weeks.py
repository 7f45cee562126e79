"""Week arithmetic: ISO weeks (Monday start) as integers, so windows are slices."""

from __future__ import annotations

import numpy as np
import pandas as pd

EPOCH = pd.Timestamp("1970-01-05")  # a Monday


def monday(dates: pd.Series | pd.Timestamp) -> pd.Series | pd.Timestamp:
    """Monday of the ISO week holding each date (dates are already day-normalised)."""
    if isinstance(dates, pd.Timestamp):
        return dates.normalize() - pd.Timedelta(days=dates.weekday())
    dates = pd.to_datetime(dates).dt.normalize()
    return dates - pd.to_timedelta(dates.dt.weekday, unit="D")


def week_index(dates: pd.Series | pd.Timestamp) -> np.ndarray | int:
    """Integer week number: week_index(d) + 1 is the following ISO week."""
    if isinstance(dates, pd.Timestamp):
        return int((monday(dates) - EPOCH).days // 7)
    values = pd.to_datetime(pd.Series(dates))
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    days = (values.to_numpy().astype("datetime64[D]") - np.datetime64(EPOCH.date(), "D")) \
        .astype(np.int64)
    return days // 7  # EPOCH is a Monday, so floor division lands on ISO weeks


def week_start(index: int) -> pd.Timestamp:
    return EPOCH + pd.Timedelta(weeks=int(index))
