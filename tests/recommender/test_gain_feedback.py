"""The feedback log's three uses in training and ranking, on hand-made frames."""

import numpy as np
import pandas as pd
import pytest

from recommender.dataset import COLUMNS
from recommender.gain import feedback


def _log(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(
        [dict(zip(["employee_id", "item_code", "action", "at", "propensity"], r,
                  strict=True)) for r in rows],
        columns=["employee_id", "item_code", "action", "at", "propensity"])
    for column in COLUMNS["recommendation_feedback"]:
        if column not in frame:
            frame[column] = None
    frame["at"] = pd.to_datetime(frame["at"])
    return frame[COLUMNS["recommendation_feedback"]]


def _expo(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["employee_id", "item_code", "date"]).assign(
        date=lambda f: pd.to_datetime(f["date"]))


def test_an_exposure_takes_the_propensity_of_the_latest_impression_before_it():
    log = _log(("A1", "X", "shown", "2025-01-06", 0.95),
               ("A1", "X", "shown", "2025-01-20", 0.01),
               ("A1", "Y", "shown", "2025-01-06", 0.5),
               ("A2", "X", "shown", "2025-03-01", 0.2))
    expo = _expo(("A1", "X", "2025-01-27"),   # latest impression before: 0.01
                 ("A1", "X", "2025-01-10"),   # only the first impression precedes it
                 ("A1", "Y", "2025-05-01"),   # impression more than 8 weeks before
                 ("A2", "X", "2025-02-01"),   # impression only after the exposure
                 ("A3", "Z", "2025-02-01"))   # never shown
    p = feedback.impression_propensity(log, expo)
    np.testing.assert_allclose(p[:2], [0.01, 0.95])
    assert np.isnan(p[2:]).all()


def test_explored_exposures_weigh_like_randomised_rows_and_model_picks_stay_at_one():
    campaign = np.array([True, False, False, False])
    propensity = np.array([np.nan, 0.002, 0.95, np.nan])
    w = feedback.exposure_weights(campaign, propensity, cap=3.0)
    np.testing.assert_allclose(w, [3.0, 3.0, 1.0 / 0.95, 1.0])


def test_uptake_is_shrunk_toward_the_overall_rate_and_clipped():
    rows = []
    for n in range(40):  # X: shown 40 times, never taken; Y: shown 40 times, all taken
        rows += [(f"A{n}", "X", "shown", "2025-01-06", 0.9),
                 (f"A{n}", "Y", "shown", "2025-01-06", 0.9),
                 (f"A{n}", "Y", "accepted", "2025-01-07", 0.9)]
    rows += [("A0", "Z", "shown", "2025-01-06", 0.9)]  # Z: one impression, no signal yet
    up = feedback.item_uptake(_log(*rows), prior_strength=20.0)
    # overall 40/81; X: (0 + 20·o)/60 / o = 1/3, clipped to 0.5; Y: 101/60, clipped to 1.5
    assert (up["X"], up["Y"]) == (0.5, 1.5)
    assert up["Z"] == pytest.approx(20 / 21)  # one refusal moves an item only a little
    assert feedback.item_uptake(_log()) == {}


def test_a_dismissal_hides_the_item_from_that_agent_for_the_cooldown_only():
    log = _log(("A1", "X", "dismissed", "2025-06-01", 0.9),
               ("A2", "X", "dismissed", "2024-01-01", 0.9),   # long ago
               ("A1", "Y", "accepted", "2025-06-01", 0.9))
    hidden = feedback.recently_dismissed(log, np.array(["A1", "A2"]), ["X", "Y"],
                                         pd.Timestamp("2025-06-02"), weeks=26)
    assert hidden.tolist() == [[True, False], [False, False]]
    # the product's clock runs ahead of the data's: a dismissal after as-of still counts
    later = feedback.recently_dismissed(log, np.array(["A1"]), ["X"],
                                        pd.Timestamp("2025-01-01"), weeks=26)
    assert later.tolist() == [[True]]
