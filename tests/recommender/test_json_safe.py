import json

import numpy as np

from recommender.json_safe import json_safe


def test_results_become_plain_json():
    value = {1: np.float64(0.5), "n": np.int64(3), "bad": float("nan"),
             "inf": np.float64("inf"), "rows": (np.bool_(True), [np.float32(2.0)])}
    safe = json_safe(value)
    assert safe == {"1": 0.5, "n": 3, "bad": None, "inf": None, "rows": [True, [2.0]]}
    assert json.loads(json.dumps(safe, allow_nan=False)) == safe
