"""Item and coach effectiveness: matched staggered DiD, BH, shrinkage, suppression."""

import numpy as np
import pandas as pd
import pytest

from recommender.retention.effectiveness import (
    K_CONTROLS,
    _summary,
    bh_qvalues,
    coach_effects,
    item_effects,
    shrink,
)
from recommender.retention.panel import build_panel
from tests.recommender.test_retention_fixtures import make_centre, sim_centre


@pytest.fixture(scope="module")
def results():
    ds, truth = make_centre(n_agents=300, weeks=60, seed=31)
    panel = build_panel(ds)
    return ds, item_effects(ds, panel=panel), coach_effects(ds, panel=panel)


def test_useless_popular_items_rank_last_with_intervals_including_zero(results):
    _, items, _ = results
    codes = [r["item_code"] for r in items]
    assert all("shrunk_effect" in r for r in items)
    assert set(codes[-2:]) == {"USELESS1", "USELESS2"}
    for r in items[-2:]:
        assert abs(r["effect"]) < 0.1
    good = {r["item_code"]: r for r in items}["GOOD1"]
    assert good["ci_low"] > 0 and not good["no_measurable_effect"]
    assert set(good["metrics"]) == {"aht_seconds", "fcr_rate", "csat", "qa_score"}
    assert "p_value" in good["by_work_arrangement"] and "p_value" in good["by_tenure"]


def test_best_coach_is_found_and_estimates_are_shrunk_toward_the_mean(results):
    _, _, coaches = results
    assert coaches[0]["coach_employee_id"] == "C0"
    raw = np.array([c["effect"] for c in coaches])
    shrunk = np.array([c["shrunk_effect"] for c in coaches])
    assert np.ptp(shrunk) <= np.ptp(raw) + 1e-12


def test_groups_under_five_agents_are_suppressed():
    ds, _ = make_centre(n_agents=80, weeks=30, seed=32)
    first = ds.completions.iloc[:3].copy()
    first["item_code"] = "RARE"
    ds.completions = ds.completions._append(first, ignore_index=True)
    items = {r["item_code"]: r for r in item_effects(ds)}
    assert items["RARE"]["suppressed"] and "effect" not in items["RARE"]
    recs = shrink([{"suppressed": True, "coach_employee_id": "X", "n_coached": 2}])
    assert "shrunk_effect" not in recs[0]


def test_reusing_the_same_controls_widens_the_interval_by_their_shared_variance():
    rng = np.random.default_rng(0)
    d = pd.Series(rng.normal(0.1, 0.3, 10), name="composite")
    iid = d.var(ddof=1) / 10
    distinct = pd.DataFrame({"composite": d, "composite__control_var": 1.0,
                             "controls": [tuple(f"C{i}-{k}" for k in range(K_CONTROLS))
                                          for i in range(10)]})
    assert _summary(d, distinct)["se"] ** 2 == pytest.approx(iid)
    # every treated agent matched to the same five controls: each of the 10 * 9 ordered
    # pairs shares five control changes of variance 1, each weighted 1 / K²
    shared = distinct.assign(controls=[tuple(f"C{k}" for k in range(K_CONTROLS))] * 10)
    extra = K_CONTROLS * 10 * 9 / K_CONTROLS ** 2 / 10 ** 2
    assert _summary(d, shared)["se"] ** 2 == pytest.approx(iid + extra)


def test_benjamini_hochberg_matches_hand_computation():
    q = bh_qvalues([0.01, 0.04, 0.03, 0.5])
    assert q == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])


@pytest.mark.slow
def test_simulator_useless_popular_items_rank_low_with_intervals_including_zero():
    ds, _, _ = sim_centre(400, 78, 7)
    items = [r for r in item_effects(ds) if not r["suppressed"]]
    rank = {r["item_code"]: i for i, r in enumerate(items)}
    useless = [c for c in ("GEN-100", "MIC-WELL", "MIC-MOT", "GAM-QUIZ") if c in rank]
    assert len(useless) >= 3
    # 95% intervals and a small positive selection bias: allow one miss of each kind
    low = [rank[c] >= len(items) // 2 for c in useless]
    holds = [items[rank[c]]["ci_low"] <= 0 <= items[rank[c]]["ci_high"] for c in useless]
    assert sum(low) >= len(useless) - 1
    assert sum(holds) >= len(useless) - 1
