"""Per-group held-out figures and the flag rule, on small hand-made frames."""

import json

import numpy as np
import pandas as pd
import pytest

from recommender import api, fairness
from recommender.dataset import Dataset
from recommender.gain.toy import tiny_dataset
from recommender.json_safe import json_safe

RULE = fairness.Rule(min_agents=20)


def _people(sizes: dict[str, int], *, grouping: str = "site") -> pd.DataFrame:
    """Agents A-<group>-<i> with the given group sizes; the other groupings constant."""
    rows = [{"employee_id": f"A-{g}-{i}", "work_arrangement": "onsite",
             "employment_type": "full_time", "site": "Main", grouping: g}
            for g, n in sizes.items() for i in range(n)]
    return pd.DataFrame(rows)


def _snapshots(people: pd.DataFrame, leave_share: dict[str, float], predicted: float = 0.1,
               weeks: int = 4, grouping: str = "site") -> pd.DataFrame:
    """`weeks` snapshots per agent; the first round(share * n) agents of a group leave."""
    rows = []
    for g, part in people.groupby(grouping):
        leavers = round(leave_share[g] * len(part))
        for i, e in enumerate(part["employee_id"]):
            rows += [{"employee_id": e, "label": int(i < leavers), "predicted": predicted}
                     for _ in range(weeks)]
    return pd.DataFrame(rows)


def _group(report: dict, grouping: str, name: str) -> dict:
    return next(e for e in report["groupings"][grouping] if e["group"] == name)


def test_a_group_whose_leaving_the_model_underpredicts_is_flagged():
    people = _people({"North": 200, "South": 200, "Harbour": 40})
    rows = _snapshots(people, {"North": 0.1, "South": 0.1, "Harbour": 0.4})
    report = fairness.risk_report(rows, people, RULE)
    harbour = _group(report, "site", "Harbour")
    assert harbour["observed_rate"] == pytest.approx(0.4)
    assert harbour["calibration_gap"] == pytest.approx(0.1 - 0.4)
    assert harbour["flagged"] == ["calibration_gap"]
    assert [(f["grouping"], f["group"]) for f in report["flags"]] == [("site", "Harbour")]
    assert _group(report, "site", "North")["flagged"] == []
    # every agent shares the other groupings: one group, equal to everyone, no flag
    assert [e["group"] for e in report["groupings"]["employment_type"]] == ["full_time"]
    assert "Harbour" in fairness.flag_summary(report)


def test_a_group_below_five_agents_is_suppressed_and_never_flagged():
    people = _people({"North": 200, "Tiny": 4})
    rows = _snapshots(people, {"North": 0.1, "Tiny": 1.0})
    report = fairness.risk_report(rows, people, fairness.Rule(min_agents=5))
    tiny = _group(report, "site", "Tiny")
    assert tiny == {"group": "Tiny", "suppressed": True, "flagged": []}
    assert report["flags"] == []


def test_fewer_than_five_agents_in_all_suppresses_the_whole_report():
    people = _people({"North": 4})
    report = fairness.risk_report(_snapshots(people, {"North": 0.5}), people, RULE)
    assert report["overall"] is None and report["groupings"] == {}
    assert "suppressed" in report["note"]


def test_a_group_smaller_than_min_agents_is_shown_but_not_flagged():
    people = _people({"North": 200, "Harbour": 15})
    rows = _snapshots(people, {"North": 0.1, "Harbour": 0.6})
    harbour = _group(fairness.risk_report(rows, people, RULE), "site", "Harbour")
    assert harbour["n_agents"] == 15 and harbour["calibration_gap"] < -0.4
    assert harbour["flagged"] == []
    flagged = _group(fairness.risk_report(rows, people, fairness.Rule(min_agents=15)),
                     "site", "Harbour")
    assert flagged["flagged"] == ["calibration_gap"]


def test_a_gap_under_the_threshold_is_not_flagged_and_the_threshold_is_respected():
    people = _people({"North": 2000, "South": 2000})
    rows = _snapshots(people, {"North": 0.08, "South": 0.12}, weeks=1)  # gaps of +-0.02
    report = fairness.risk_report(rows, people, RULE)
    south = _group(report, "site", "South")
    assert south["gaps"]["calibration_gap"] == pytest.approx(-0.02)
    assert south["calibration_gap_ci"][1] < report["overall"]["calibration_gap"]  # certain
    assert south["flagged"] == []  # yet small
    strict = fairness.Rule(risk_calibration_gap=0.01, min_agents=20)
    report = fairness.risk_report(rows, people, strict)
    assert {f["group"] for f in report["flags"]} == {"North", "South"}
    assert report["measures"]["calibration_gap"]["threshold"] == 0.01


def test_a_big_gap_measured_on_too_few_events_is_not_flagged():
    """Gap over the threshold, group big enough, but its interval holds the overall rate."""
    people = _people({"North": 400, "Harbour": 20})
    rows = _snapshots(people, {"North": 0.1, "Harbour": 0.25}, weeks=1)
    harbour = _group(fairness.risk_report(rows, people, RULE), "site", "Harbour")
    assert abs(harbour["gaps"]["calibration_gap"]) > RULE.risk_calibration_gap
    low, high = harbour["calibration_gap_ci"]
    overall = fairness.risk_report(rows, people, RULE)["overall"]["calibration_gap"]
    assert low < overall < high
    assert harbour["flagged"] == []


def test_a_calibration_gap_on_fewer_than_five_leavers_has_no_interval_and_no_flag():
    people = _people({"North": 400, "Harbour": 60})
    rows = _snapshots(people, {"North": 0.1, "Harbour": 4 / 60})
    rows.loc[rows["employee_id"].str.startswith("A-Harbour"), "predicted"] = 0.4
    harbour = _group(fairness.risk_report(rows, people, RULE), "site", "Harbour")
    assert harbour["events"] == 4 and harbour["gaps"]["calibration_gap"] > 0.25
    assert harbour["calibration_gap_ci"] is None and harbour["flagged"] == []


def test_repeated_snapshots_of_the_same_agents_do_not_narrow_the_interval():
    people = _people({"North": 50})
    once = fairness.risk_report(_snapshots(people, {"North": 0.2}, weeks=1), people, RULE)
    often = fairness.risk_report(_snapshots(people, {"North": 0.2}, weeks=12), people, RULE)
    assert often["overall"]["n_snapshots"] == 12 * once["overall"]["n_snapshots"]
    assert often["overall"]["calibration_gap_ci"] == pytest.approx(
        once["overall"]["calibration_gap_ci"])


def test_roc_auc_is_given_only_with_five_leavers_and_five_stayers():
    people = _people({"North": 100, "Few": 30})
    rows = _snapshots(people, {"North": 0.2, "Few": 0.1})  # 3 leavers in Few
    rows["predicted"] = np.where(rows["label"] == 1, 0.3, 0.1)
    report = fairness.risk_report(rows, people, RULE)
    assert _group(report, "site", "North")["roc_auc"] == pytest.approx(1.0)
    assert _group(report, "site", "Few")["roc_auc"] is None


def test_expected_calibration_error_is_zero_when_each_bin_is_right():
    people = _people({"North": 100})
    rows = _snapshots(people, {"North": 0.2}, predicted=0.2)
    assert fairness.risk_report(rows, people, RULE)["overall"]["ece"] == pytest.approx(0.0)
    rows["predicted"] = np.where(rows["label"] == 1, 0.3, 0.1)  # leavers 0.7 off, others 0.1
    ece = fairness.risk_report(rows, people, RULE)["overall"]["ece"]
    assert ece == pytest.approx(0.2 * 0.7 + 0.8 * 0.1)


def _exposures(people: pd.DataFrame, bias: dict[str, float], *, n_items: int = 6,
               rows_per_item: int = 10, anti: tuple[str, ...] = ()) -> pd.DataFrame:
    """Held-out exposures: effects rise with the expected gain (fall for groups in
    `anti`), shifted by the group's bias; spread over `n_items` items."""
    rng = np.random.default_rng(0)
    rows = []
    for g, part in people.groupby("site"):
        ids = part["employee_id"].to_numpy()
        for j in range(n_items * rows_per_item):
            item = j % n_items
            gain = 0.02 * item
            # `anti` reverses the order of the items, not the level of their effects
            effect = (0.02 * (n_items - 1) - gain if g in anti else gain) - bias[g] \
                + rng.normal(0, 0.01)
            rows.append({"employee_id": ids[j % len(ids)], "item_code": f"I{item}",
                         "campaign": False, "expected_gain": gain, "effect": effect})
    return pd.DataFrame(rows)


def test_a_group_whose_gain_is_overstated_is_flagged():
    people = _people({"North": 30, "South": 30, "Harbour": 30})
    rows = _exposures(people, {"North": 0.0, "South": 0.0, "Harbour": 0.12})
    report = fairness.gain_report(rows, people, RULE)
    harbour = _group(report, "site", "Harbour")
    assert harbour["gain_bias"] == pytest.approx(0.12, abs=0.01)
    assert report["overall"]["gain_bias"] == pytest.approx(0.04, abs=0.01)
    assert harbour["flagged"] == ["gain_bias"]
    assert _group(report, "site", "North")["flagged"] == []


def test_item_level_correlation_flags_only_a_shortfall():
    people = _people({"North": 30, "South": 30, "Harbour": 30})
    rows = _exposures(people, {"North": 0.0, "South": 0.0, "Harbour": 0.0},
                      anti=("Harbour",))
    report = fairness.gain_report(rows, people, RULE)
    harbour = _group(report, "site", "Harbour")
    assert harbour["n_items"] == 6 and harbour["item_corr"] < -0.9
    assert harbour["flagged"] == ["item_corr"]
    rows = _exposures(people, {"North": 0.0, "South": 0.0, "Harbour": 0.0},
                      anti=("Harbour", "South"))
    report = fairness.gain_report(rows, people, RULE)
    north = _group(report, "site", "North")
    assert north["item_corr"] > report["overall"]["item_corr"] + 1.0
    assert north["flagged"] == []  # served better than everyone: not a gap to flag


def test_item_level_correlation_needs_five_items_with_ten_rows():
    people = _people({"North": 30})
    rows = _exposures(people, {"North": 0.0}, n_items=6, rows_per_item=9)
    overall = fairness.gain_report(rows, people, RULE)["overall"]
    assert overall["n_items"] == 0 and overall["item_corr"] is None


def test_no_held_out_rows_gives_a_note_not_figures():
    report = fairness.gain_report(pd.DataFrame(columns=api.HELDOUT_COLUMNS),
                                  _people({"North": 10}), RULE)
    assert report["overall"] is None and report["flags"] == []
    assert fairness.flag_summary(report).startswith("Fairness: not measured")


def test_site_comes_through_the_team_and_missing_values_are_named():
    ds = Dataset(
        as_of=pd.Timestamp("2025-01-06"),
        teams=pd.DataFrame({"team_code": ["T1"], "name": ["One"], "site": ["Lisbon"],
                            "lead_employee_id": [None]}),
        agents=pd.DataFrame({
            "employee_id": ["E1", "E2"], "name": ["a", "b"], "email": ["", ""],
            "team_code": ["T1", None], "role_code": ["R", "R"],
            "hire_date": pd.to_datetime(["2024-01-01"] * 2),
            "work_arrangement": ["remote", None], "employment_type": ["gig", "full_time"],
            "goal_role_code": [None, None], "hourly_cost": [None, None]}))
    groups = fairness.agent_groups(ds).set_index("employee_id")
    assert groups.loc["E1"].to_dict() == {"work_arrangement": "remote",
                                          "employment_type": "gig", "site": "Lisbon"}
    assert groups.loc["E2", "site"] == fairness.NOT_RECORDED
    assert groups.loc["E2", "work_arrangement"] == fairness.NOT_RECORDED


def test_the_report_is_plain_json_of_aggregates():
    people = _people({"North": 200, "Harbour": 40, "Tiny": 3})
    rows = _snapshots(people, {"North": 0.1, "Harbour": 0.4, "Tiny": 0.0})
    text = json.dumps(json_safe(fairness.risk_report(rows, people, RULE)), allow_nan=False)
    assert "A-North-0" not in text  # no person appears, only groups
    for word in ("engagement", "wellbeing", "enps", "pulse"):
        assert word not in text


@pytest.mark.parametrize("kwargs", [{"gain_bias_gap": 0.0}, {"risk_calibration_gap": -1},
                                    {"min_agents": 4}])
def test_a_rule_with_a_meaningless_setting_is_refused(kwargs):
    with pytest.raises(ValueError):
        fairness.Rule(**kwargs)


def test_training_returns_the_held_out_rows_the_gate_scored():
    ds, _ = tiny_dataset(n_agents=60, weeks=40, seed=7)
    res = api.train_gain_model(ds, seed=3, params={"tau_rounds": 60, "mu0_rounds": 60,
                                                   "n_boot": 0, "min_data_in_leaf": 20})
    held = res.heldout
    assert list(held.columns) == api.HELDOUT_COLUMNS
    assert len(held) == res.metrics["heldout_rows"]
    assert set(held["employee_id"]) <= set(ds.agents["employee_id"])
    assert held[["expected_gain", "effect"]].notna().all().all()
    rmse = float(np.sqrt(np.mean(np.square(held["effect"]))))
    assert rmse == pytest.approx(res.metrics["heldout_rmse_baseline_only"])
