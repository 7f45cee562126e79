"""Randomised pilot assignment and analysis."""

import numpy as np
import pytest

from recommender.retention.panel import build_panel
from recommender.retention.pilots import (
    analyse_pilot,
    assign_pilot,
    minimum_detectable_effect,
)
from tests.recommender.test_retention_fixtures import START, make_centre


def test_assignment_is_random_halves_reproducible_by_seed():
    ids = [f"A{i}" for i in range(41)]
    t1, c1 = assign_pilot(ids, seed=7)
    t2, c2 = assign_pilot(reversed(ids), seed=7)
    assert (t1, c1) == (t2, c2)
    assert len(t1) == 20 and len(c1) == 21 and not set(t1) & set(c1)
    assert set(t1) | set(c1) == set(ids)
    assert assign_pilot(ids, seed=8)[0] != t1


def test_mde_shrinks_with_sample_size():
    assert minimum_detectable_effect(100, 100, 1.0) == pytest.approx(
        2.8016 * np.sqrt(0.02), rel=1e-3)
    assert minimum_detectable_effect(400, 400, 1.0) < minimum_detectable_effect(50, 50, 1.0)


@pytest.fixture(scope="module")
def pilot_data():
    ds, _ = make_centre(n_agents=200, weeks=40, seed=41, train_base=0.0, dip_boost=0.0)
    panel = build_panel(ds)
    start = START + pd_weeks(20)
    eligible = [e for e in panel.ids if not np.isnan(panel.composite[panel.ids.get_loc(e), 19])]
    treated, control = assign_pilot(eligible, seed=1)
    return ds, panel, start, treated, control


def pd_weeks(n):
    import pandas as pd

    return pd.Timedelta(weeks=n)


def test_pilot_detects_a_real_gain_and_states_power(pilot_data):
    ds, panel, start, treated, control = pilot_data
    col = 20
    rows = panel.ids.get_indexer(treated)
    panel.composite[rows, col:col + 8] += 0.5  # the item works
    try:
        res = analyse_pilot(ds, item_code="GOOD1", treated=treated, control=control,
                            start_date=start, panel=panel)
    finally:
        panel.composite[rows, col:col + 8] -= 0.5
    assert res["ci_low"] < 0.5 < res["ci_high"] and res["p_value"] < 0.01
    assert res["power"]["mde_80"] is not None and res["power"]["mde_80"] < 0.5


def test_pilot_of_a_useless_item_finds_nothing(pilot_data):
    ds, panel, start, treated, control = pilot_data
    res = analyse_pilot(ds, item_code="USELESS1", treated=treated, control=control,
                        start_date=start, panel=panel)
    assert res["ci_low"] < 0 < res["ci_high"]
