"""The simulator writes a realistic centre in exactly the data-contract format."""

from __future__ import annotations

import filecmp
import json
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender.simulation import DATA_END, DEV_HAZARD_RATIO, DEV_WINDOW, simulate
from recommender.simulation import catalogue as C
from tests.contract_frames import load_frames

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = {
    "skills": ["skill_code", "name", "category", "description"],
    "roles": ["role_code", "name", "family", "level"],
    "role_requirements": ["role_code", "skill_code", "min_level"],
    "career_paths": ["path_code", "name", "step", "role_code"],
    "learning_items": ["item_code", "title", "kind", "duration_minutes", "cost",
                       "skill_codes", "description", "prerequisite_codes",
                       "xapi_activity_id", "delivery", "active", "mandatory",
                       "recertify_months"],
    "metrics": ["metric_code", "name", "unit", "higher_is_better", "weight"],
    "teams": ["team_code", "name", "site", "lead_employee_id"],
    "agents": ["employee_id", "name", "email", "team_code", "role_code", "hire_date",
               "work_arrangement", "employment_type", "goal_role_code", "hourly_cost"],
    "role_history": ["employee_id", "from_date", "role_code"],
    "separations": ["employee_id", "separation_date", "reason"],
    "performance": ["employee_id", "period_start", "metric_code", "value"],
    "qa_evaluations": ["evaluation_id", "skill_code", "employee_id", "evaluated_at",
                       "evaluator_employee_id", "score"],
    "interactions": ["interaction_id", "employee_id", "started_at", "channel", "topic",
                     "customer_sentiment", "transcript", "handle_seconds", "resolved",
                     "csat"],
    "pulse_surveys": ["employee_id", "answered_at", "engagement", "wellbeing", "enps",
                      "comment"],
    "skill_assessments": ["employee_id", "skill_code", "assessed_at", "level", "source"],
    "completions": ["employee_id", "item_code", "completed_at", "score", "assigned_by"],
    "coaching_sessions": ["session_id", "employee_id", "coach_employee_id", "held_at",
                          "item_code", "notes"],
}
KEYS = {
    "skills": ["skill_code"], "roles": ["role_code"],
    "role_requirements": ["role_code", "skill_code"], "career_paths": ["path_code", "step"],
    "learning_items": ["item_code"], "metrics": ["metric_code"], "teams": ["team_code"],
    "agents": ["employee_id"], "role_history": ["employee_id", "from_date"],
    "separations": ["employee_id", "separation_date"],
    "performance": ["employee_id", "period_start", "metric_code"],
    "qa_evaluations": ["evaluation_id", "skill_code"], "interactions": ["interaction_id"],
    "pulse_surveys": ["employee_id", "answered_at"],
    "skill_assessments": ["employee_id", "skill_code", "assessed_at"],
    "completions": ["employee_id", "item_code", "completed_at"],
    "coaching_sessions": ["session_id"],
}
DATE_COLUMNS = {
    "agents": "hire_date", "role_history": "from_date", "separations": "separation_date",
    "performance": "period_start", "qa_evaluations": "evaluated_at",
    "interactions": "started_at", "pulse_surveys": "answered_at",
    "skill_assessments": "assessed_at", "completions": "completed_at",
    "coaching_sessions": "held_at",
}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
VERBS = {f"http://adlnet.gov/expapi/verbs/{v}"
         for v in ("completed", "passed", "failed", "attempted", "voided")}
TARGET_TYPES = {"full_time": 44, "part_time": 15, "outsourced": 23, "gig": 12}
TARGET_ARRANGEMENTS = {"onsite": 38, "remote": 39, "hybrid": 23}


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def statements(folder: Path) -> list[dict]:
    return [json.loads(line) for line in
            (folder / "xapi_statements.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def centre(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sim") / "centre"
    simulate(folder, n_agents=160, weeks=40, seed=11)
    return folder


@pytest.fixture(scope="module")
def big_centres(tmp_path_factory) -> dict[int, tuple[Path, float]]:
    """Seeds 1-3 at the product's reference size, with how long each took."""
    out = {}
    for seed in (1, 2, 3):
        folder = tmp_path_factory.mktemp(f"big{seed}")
        started = time.perf_counter()
        simulate(folder, n_agents=1000, weeks=78, seed=seed)
        out[seed] = (folder, time.perf_counter() - started)
    return out


def active_at_end(folder: Path) -> set[str]:
    perf = read(folder, "performance")
    return set(perf.loc[perf.period_start == DATA_END.isoformat(), "employee_id"])


def test_every_file_has_exactly_the_contract_columns(centre):
    for name, columns in CONTRACT.items():
        assert list(read(centre, name).columns) == columns, name
    truth = centre / "truth"
    assert list(read(truth, "item_gain").columns) == ["employee_id", "item_code", "true_gain"]
    assert list(read(truth, "left_within_13w").columns) == ["employee_id", "left", "true_p13"]
    assert list(read(truth, "transcript_sentiment").columns) == ["interaction_id",
                                                                 "true_sentiment"]


def test_natural_keys_are_unique_and_references_resolve(centre):
    for name, key in KEYS.items():
        frame = read(centre, name)
        assert not frame.duplicated(key).any(), name
    people = set(read(centre, "agents").employee_id)
    items = set(read(centre, "learning_items").item_code)
    for name in ("performance", "interactions", "completions", "pulse_surveys",
                 "skill_assessments", "separations", "role_history", "qa_evaluations"):
        assert set(read(centre, name).employee_id) <= people, name
    assert set(read(centre, "teams").lead_employee_id) <= people
    assert set(read(centre, "agents").team_code) <= set(read(centre, "teams").team_code)
    assert set(read(centre, "completions").item_code) <= items
    coaching = read(centre, "coaching_sessions")
    assert set(coaching.item_code) <= set(C.ITEM_CODES[j] for j in C.COACHING_ITEMS)
    assert set(coaching.coach_employee_id) <= set(read(centre, "teams").lead_employee_id)


def test_values_stay_in_their_contract_domains(centre):
    agents = read(centre, "agents")
    assert set(agents.work_arrangement) <= set(TARGET_ARRANGEMENTS)
    assert set(agents.employment_type) <= set(TARGET_TYPES)
    assert set(read(centre, "roles").family) <= {"frontline", "specialist", "leadership",
                                                 "outside_cc"}
    assert set(read(centre, "separations").reason) == {"voluntary", "involuntary"}
    assert set(read(centre, "completions").assigned_by) == {"system", "lead", "self",
                                                            "campaign"}
    assert set(read(centre, "skill_assessments").source) == {"qa", "lead", "self", "test"}
    perf = read(centre, "performance")
    assert set(perf.metric_code) == set(C.METRIC_CODES)
    assert set(read(centre, "metrics").metric_code) == set(C.METRIC_CODES)
    inter = read(centre, "interactions")
    sentiment = pd.to_numeric(inter.customer_sentiment)
    assert sentiment.dropna().between(-1, 1).all()
    assert pd.to_numeric(inter.csat).dropna().isin([1, 2, 3, 4, 5]).all()
    assert set(inter.channel) == {"voice", "chat", "email", "social"}
    assert inter.started_at.str.match(TIMESTAMP).all()
    scores = pd.to_numeric(read(centre, "qa_evaluations").score)
    assert scores.between(0, 100).all()


def test_dates_are_never_after_data_end_and_weeks_start_on_monday(centre):
    end = DATA_END.isoformat()
    for name, column in DATE_COLUMNS.items():
        days = read(centre, name)[column].str.slice(0, 10)
        assert (days <= end).all(), name
    weeks = pd.to_datetime(read(centre, "performance").period_start.unique())
    assert (weeks.weekday == 0).all()
    assert weeks.max() == pd.Timestamp(DATA_END) and DATA_END.weekday() == 0
    assert len(weeks) == 40


def test_facts_state_the_direct_development_effect(centre):
    facts = json.loads((centre / "truth" / "facts.json").read_text())
    assert facts == {"data_end": DATA_END.isoformat(),
                     "development_hazard_ratio": DEV_HAZARD_RATIO,
                     "development_window_weeks": DEV_WINDOW}
    assert 0 < DEV_HAZARD_RATIO < 1


def test_truth_covers_every_active_agent_and_every_item(centre):
    active = active_at_end(centre)
    gains = read(centre / "truth", "item_gain")
    assert set(gains.employee_id) == active
    assert len(gains) == len(active) * len(C.ITEMS)
    assert not gains.duplicated(["employee_id", "item_code"]).any()
    left = read(centre / "truth", "left_within_13w")
    assert set(left.employee_id) == active and len(left) == len(active)
    assert set(left.left) <= {"0", "1"}
    p13 = pd.to_numeric(left.true_p13)
    assert p13.between(0, 1).all() and 0.02 < p13.mean() < 0.25
    separated = set(read(centre, "separations").employee_id)
    assert not active & separated


def test_true_gains_are_heterogeneous_with_duds_and_a_backfire(centre):
    gains = read(centre / "truth", "item_gain")
    gains["true_gain"] = pd.to_numeric(gains.true_gain)
    by_item = gains.groupby("item_code").true_gain
    for dud in ("GEN-100", "MIC-MOT", "GAM-QUIZ", "MIC-WELL"):
        assert (by_item.get_group(dud) == 0).all()
    backfire = by_item.get_group("SIM-ESC")
    assert backfire.min() < 0 < backfire.max()
    assert by_item.std().max() > 2 * by_item.std().median() > 0
    # In-person shadowing is worth little to remote agents.
    agents = read(centre, "agents").set_index("employee_id")
    shadow = gains[gains.item_code == "SHD-SEN"].set_index("employee_id").true_gain
    arrangement = agents.loc[shadow.index, "work_arrangement"]
    assert shadow[arrangement == "remote"].mean() < 0.4 * shadow[arrangement == "onsite"].mean()


def test_leads_and_staff_have_no_performance_rows(centre):
    performers = set(read(centre, "performance").employee_id)
    leads = set(read(centre, "teams").lead_employee_id)
    evaluators = set(read(centre, "qa_evaluations").evaluator_employee_id)
    assert leads and evaluators
    assert not performers & (leads | evaluators)
    agents = read(centre, "agents")
    staff = agents[~agents.employee_id.isin(performers)]
    assert {"team_lead", "qa_analyst", "trainer"} <= set(staff.role_code)


def test_catalogue_has_the_kinds_mandatory_prerequisite_and_inactive_items(centre):
    items = read(centre, "learning_items")
    assert 30 <= len(items) <= 60
    assert set(items.kind) == {"course", "microlearning", "simulation", "shadowing",
                               "coaching"}
    mandatory = items[items.mandatory == "true"]
    assert len(mandatory) >= 3 and (mandatory.recertify_months != "").all()
    assert (items.prerequisite_codes != "").sum() >= 3
    assert (items.active == "false").sum() >= 1
    assert set(items.delivery) == {"online", "blended", "in_person"}
    skills = set(read(centre, "skills").skill_code)
    for codes in items.skill_codes:
        assert set(filter(None, codes.split(";"))) <= skills
    paths = read(centre, "career_paths")
    assert len(set(paths.path_code)) >= 8
    assert set(paths.role_code) <= set(read(centre, "roles").role_code)


def test_some_kpis_must_be_derived_from_interactions(centre):
    perf = read(centre, "performance")
    counts = perf.groupby(["employee_id", "period_start"]).metric_code.nunique()
    assert (counts < 6).mean() > 0.02
    missing_csat = counts.index.difference(
        perf[perf.metric_code == "csat"].set_index(["employee_id", "period_start"]).index)
    inter = read(centre, "interactions")
    day = pd.to_datetime(inter.started_at.str.slice(0, 10))
    week = (day - pd.to_timedelta(day.dt.weekday, unit="D")).dt.strftime("%Y-%m-%d")
    have = pd.MultiIndex.from_arrays([inter.employee_id, week])
    assert missing_csat.isin(have).all()


def test_transcript_only_interactions_carry_their_tone(centre):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    inter = read(centre, "interactions")
    only = inter[(inter.customer_sentiment == "") & (inter.transcript != "")]
    assert 0.1 < len(only) / len(inter) < 0.2
    assert ((inter.customer_sentiment == "") == (inter.transcript != "")).all()
    truth = read(centre / "truth", "transcript_sentiment").set_index("interaction_id")
    assert set(truth.index) == set(only.interaction_id)
    analyser = SentimentIntensityAnalyzer()
    sample = only.head(500)
    vader = [analyser.polarity_scores(t)["compound"] for t in sample.transcript]
    true = pd.to_numeric(truth.loc[sample.interaction_id, "true_sentiment"])
    assert np.corrcoef(vader, true)[0, 1] > 0.6


def test_xapi_statements_are_valid_and_some_completions_exist_only_there(centre):
    items = read(centre, "learning_items")
    activities = set(items.xapi_activity_id) - {""}
    agents = read(centre, "agents")
    ids, emails = set(agents.employee_id), {f"mailto:{e}" for e in agents.email}
    found = statements(centre)
    by_id = {s["id"]: s for s in found}
    assert len(by_id) == len(found)
    for s in found:
        assert str(uuid.UUID(s["id"])) == s["id"]
        assert s["version"] == "1.0.3" and s["verb"]["id"] in VERBS
        assert TIMESTAMP.match(s["timestamp"])
        actor = s["actor"]
        assert actor.get("account", {}).get("name") in ids or actor.get("mbox") in emails
        if s["verb"]["id"].endswith("/voided"):
            assert s["object"]["objectType"] == "StatementRef"
            assert by_id[s["object"]["id"]]["verb"]["id"].endswith(("/completed", "/passed"))
        else:
            assert s["object"]["id"] in activities
            scaled = s.get("result", {}).get("score", {}).get("scaled")
            assert scaled is None or 0 <= scaled <= 1
    verbs = {s["verb"]["id"].rsplit("/", 1)[1] for s in found}
    assert verbs == {"completed", "passed", "failed", "attempted", "voided"}


def test_loaded_completions_add_xapi_ones_and_drop_voided(centre):
    data = load_frames(centre)
    csv = read(centre, "completions")
    assert len(data.completions) > len(csv)
    xapi_only = data.completions[data.completions.assigned_by.isna()]
    assert len(xapi_only) > 0.1 * len(csv)
    found = statements(centre)
    voided = {s["object"]["id"] for s in found if s["verb"]["id"].endswith("/voided")}
    item_of = dict(zip(read(centre, "learning_items").xapi_activity_id,
                       C.ITEM_CODES, strict=True))
    keys = set(zip(data.completions.employee_id, data.completions.item_code,
                   data.completions.completed_at.dt.strftime("%Y-%m-%d"), strict=True))
    csv_keys = set(zip(csv.employee_id, csv.item_code, csv.completed_at.str.slice(0, 10),
                       strict=True))
    assert voided
    for s in found:
        if s["id"] in voided:
            actor = s["actor"].get("account", {}).get("name")
            key = (actor, item_of[s["object"]["id"]], s["timestamp"][:10])
            assert key not in csv_keys
            if actor:
                assert key not in keys
    assert data.as_of == pd.Timestamp(DATA_END)
    assert isinstance(data.learning_items.skill_codes.iloc[0], list)
    assert not data.performance.duplicated(["employee_id", "period_start",
                                            "metric_code"]).any()


def test_same_seed_gives_byte_identical_files_across_processes(tmp_path):
    code = ("import sys; from pathlib import Path; "
            "from recommender.simulation import simulate; "
            "simulate(Path(sys.argv[1]), n_agents=40, weeks=14, seed=5)")
    for name, hash_seed in (("a", "1"), ("b", "977")):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], cwd=ROOT,
                       check=True, env={"PYTHONHASHSEED": hash_seed, "PATH": "/usr/bin"})
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*")
                   if p.is_file())
    assert len(files) == 22
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b",
                                               [str(f) for f in files], shallow=False)
    assert mismatch == [] and errors == []


def test_a_different_seed_gives_a_different_centre(tmp_path):
    simulate(tmp_path / "a", n_agents=40, weeks=6, seed=1)
    simulate(tmp_path / "b", n_agents=40, weeks=6, seed=2)
    assert (tmp_path / "a" / "performance.csv").read_bytes() != (
        tmp_path / "b" / "performance.csv").read_bytes()


def test_too_small_a_centre_is_refused(tmp_path):
    with pytest.raises(ValueError):
        simulate(tmp_path, n_agents=3, weeks=10, seed=1)


def test_management_command_writes_a_centre(tmp_path, capsys):
    from django.core.management import call_command

    call_command("simulate", str(tmp_path / "out"), "--agents", "30", "--weeks", "5",
                 "--seed", "3")
    assert (tmp_path / "out" / "truth" / "facts.json").exists()
    assert "30 agents" in capsys.readouterr().out


def _shares(frame: pd.DataFrame, column: str) -> dict[str, float]:
    return (frame[column].value_counts(normalize=True) * 100).to_dict()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_workforce_mix_matches_the_survey_within_three_points(big_centres, seed):
    folder, _ = big_centres[seed]
    agents = read(folder, "agents")
    frontline = agents[agents.employee_id.isin(read(folder, "performance").employee_id)]
    for frame in (agents, frontline):
        for column, target in (("employment_type", TARGET_TYPES),
                               ("work_arrangement", TARGET_ARRANGEMENTS)):
            shares = _shares(frame, column)
            assert set(shares) == set(target)
            for value, pct in target.items():
                assert abs(shares[value] - pct) <= 3, (column, value, shares[value])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_annual_attrition_is_35_to_45_percent_and_early_tenure_is_riskiest(big_centres,
                                                                             seed):
    folder, _ = big_centres[seed]
    agents = read(folder, "agents").set_index("employee_id")
    perf = read(folder, "performance")
    seps = read(folder, "separations")
    weeks = pd.to_datetime(pd.Series(sorted(perf.period_start.unique())))
    hired = pd.to_datetime(agents.hire_date)
    left = pd.to_datetime(seps.set_index("employee_id").separation_date).reindex(agents.index)
    employed = np.array([((hired <= week) & ~(left < week)).to_numpy() for week in weeks])
    frontline = agents.index.isin(perf.employee_id)
    years = len(weeks) / 52
    for headcount in (employed[:, frontline].sum(1).mean(), employed.sum(1).mean()):
        assert 35 <= 100 * len(seps) / headcount / years <= 45
    assert (seps.reason == "voluntary").mean() > 0.5
    start = hired.loc[seps.employee_id].to_numpy()
    tenure_weeks = (pd.to_datetime(seps.separation_date).to_numpy() - start) / np.timedelta64(
        7, "D")
    # Share of leavers in their first six months far exceeds the share of such tenure.
    assert (tenure_weeks < 26).mean() > 0.3
    assert len(read(folder, "role_history")) > len(agents)  # promotions and moves


@pytest.mark.slow
def test_campaigns_are_a_small_share_of_completions(big_centres):
    folder, _ = big_centres[1]
    data = load_frames(folder)
    share = (data.completions.assigned_by == "campaign").mean()
    assert 0.05 <= share <= 0.10


@pytest.mark.slow
def test_reference_size_runs_in_under_a_minute(big_centres):
    assert max(seconds for _, seconds in big_centres.values()) < 60


def _poisson_fit(x: np.ndarray, y: np.ndarray, offset: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    beta = np.zeros(x.shape[1])
    beta[0] = np.log(y.mean())
    for _ in range(50):
        mu = np.exp(x @ beta + offset)
        hessian = (x * mu[:, None]).T @ x
        step = np.linalg.solve(hessian, x.T @ (y - mu))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return beta, np.sqrt(np.diag(np.linalg.inv(hessian)))


@pytest.mark.slow
def test_the_latent_hazard_recovers_the_stated_development_effect():
    """Fitting the generating covariates recovers development_hazard_ratio."""
    from recommender.simulation.centre import Centre
    from recommender.simulation.engine import tenure_factor

    estimates = []
    for seed in (1, 2):
        centre = Centre(n_agents=1000, weeks=78, seed=seed)
        centre.run()
        risk = centre.ev.get("risk")
        etype = centre.fl.etype[risk["f"]]
        x = np.column_stack([np.ones(len(etype)), risk["stress"], risk["perf"],
                             risk["exposed"], etype == 1, etype == 2, etype == 3]).astype(float)
        beta, se = _poisson_fit(x, risk["leave"].astype(float),
                                np.log(tenure_factor(risk["tenure"])))
        assert abs(beta[3] - np.log(DEV_HAZARD_RATIO)) < 2.5 * se[3]
        estimates.append(beta[3])
    assert abs(np.mean(estimates) - np.log(DEV_HAZARD_RATIO)) < 0.25

