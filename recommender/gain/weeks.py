"""Week arithmetic: ISO weeks (Monday start) as integers, so windows are slices."""

from __future__ import annotations

import numpy as np
import pandas as pd

EPOCH = pd.Timestamp("1970-01-05")  # a Monday


def as_dates(values) -> pd.Series:
    """`values` as a datetime Series. A column that is already datetime is returned as it
    is: pd.to_datetime would first sample it element by element for its cache, which
    costs more than the work around it on a million rows."""
    values = pd.Series(values) if not isinstance(values, pd.Series) else values
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    return pd.to_datetime(values)


def monday(dates: pd.Series | pd.Timestamp) -> pd.Series | pd.Timestamp:
    """Monday of the ISO week holding each date (dates are already day-normalised)."""
    if isinstance(dates, pd.Timestamp):
        return dates.normalize() - pd.Timedelta(days=dates.weekday())
    dates = as_dates(dates).dt.normalize()
    return dates - pd.to_timedelta(dates.dt.weekday, unit="D")


def week_index(dates: pd.Series | pd.Timestamp) -> np.ndarray | int:
    """Integer week number: week_index(d) + 1 is the following ISO week."""
    if isinstance(dates, pd.Timestamp):
        return int((monday(dates) - EPOCH).days // 7)
    values = as_dates(dates)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    days = (values.to_numpy().astype("datetime64[D]") - np.datetime64(EPOCH.date(), "D")) \
        .astype(np.int64)
    return days // 7  # EPOCH is a Monday, so floor division lands on ISO weeks


def week_start(index: int) -> pd.Timestamp:
    return EPOCH + pd.Timedelta(weeks=int(index))
