"""Results leave the ML code as plain JSON: stored in JSONFields, printed, served."""

from __future__ import annotations

import math

import numpy as np


def json_safe(value):
    """A copy with only JSON types: numpy scalars become Python numbers, NaN and infinity
    become None, tuples become lists, keys become strings."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
