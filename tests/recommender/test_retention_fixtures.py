"""A small hand-made contact centre for the retention tests (independent of the simulator).

Agents have a latent ability and wellbeing; development is given more often after a
performance dip (so naive comparisons are confounded); the weekly hazard of leaving
depends on recent performance, wellbeing, employment type and recent development with a
known hazard ratio. Items have known effects on performance.
"""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.dataset import Dataset

START = pd.Timestamp("2025-01-06")
ITEMS = {"GOOD1": 0.5, "GOOD2": 0.3, "USELESS1": 0.0, "USELESS2": 0.0}
TYPES = (["full_time", "part_time", "outsourced", "gig"], [0.5, 0.15, 0.23, 0.12])
TYPE_EFFECT = {"full_time": 0.0, "part_time": 0.2, "outsourced": 0.3, "gig": 0.6}
METRIC_MODEL = (("aht_seconds", 400, -40, 20), ("fcr_rate", 0.7, 0.05, 0.03),
                ("csat", 4.0, 0.3, 0.2), ("qa_score", 80, 5, 3))
ARRANGE = (["onsite", "remote", "hybrid"], [0.38, 0.39, 0.23])


def make_centre(n_agents: int = 200, weeks: int = 60, seed: int = 0, hr: float = 0.6,
                train_base: float = 0.04, dip_boost: float = 0.10, window: int = 12,
                base_hazard: float = 0.006, invol_hazard: float = 0.0015,
                perf_beta: float = -0.5, wb_beta: float = -0.5) -> tuple[Dataset, dict]:
    rng = np.random.default_rng(seed)
    rows_agents, perf_rows, pulse_rows, comp_rows, coach_rows, sep_rows = [], [], [], [], [], []
    items = list(ITEMS)
    n_teams = max(2, n_agents // 12)

    def new_agent(i, hire):
        return {"employee_id": f"E{i:05d}", "hire": hire, "ability": rng.normal(),
                "wb": rng.normal(), "type": rng.choice(TYPES[0], p=TYPES[1]),
                "arr": rng.choice(ARRANGE[0], p=ARRANGE[1]), "team": f"T{rng.integers(n_teams)}",
                "boost": [], "last_dev": -999, "recent": [], "alive": True}

    active = [new_agent(i, START - pd.Timedelta(weeks=int(rng.integers(0, 150))))
              for i in range(n_agents)]
    everyone = list(active)
    next_id = n_agents
    for w in range(weeks):
        wk = START + pd.Timedelta(weeks=w)
        for a in list(active):
            gain = sum(g for (t0, g) in a["boost"] if 0 <= w - t0 < 10)
            a["wb"] = 0.85 * a["wb"] + 0.53 * rng.normal()
            perf = a["ability"] + gain + 0.5 * rng.normal()
            # the hazard sees the weeks before this one (what the analysis can adjust for)
            recent = float(np.mean(a["recent"])) if a["recent"] else a["ability"]
            a["recent"] = (a["recent"] + [perf])[-4:]
            emp = a["employee_id"]
            for code, base, slope, sd in METRIC_MODEL:
                perf_rows.append((emp, wk, code, base + slope * perf + sd * rng.normal()))
            if w % 4 == int(emp[-1]) % 4:
                wb = float(np.clip(np.round(3.3 + 0.8 * a["wb"]), 1, 5))
                pulse_rows.append((emp, wk + pd.Timedelta(days=2), wb, wb, int(wb * 2)))
            exposed = w - a["last_dev"] <= window  # development in the previous window weeks
            lin = (perf_beta * recent + wb_beta * a["wb"] + TYPE_EFFECT[a["type"]]
                   + np.log(hr) * exposed)
            tenure = (wk - a["hire"]).days / 7
            h_vol = base_hazard * (1.8 if tenure < 26 else 1.0) * np.exp(lin)
            h_inv = invol_hazard * np.exp(-0.8 * recent)
            u = rng.random()
            if u < h_vol + h_inv:
                reason = "voluntary" if u < h_vol else "involuntary"
                sep_rows.append((emp, wk + pd.Timedelta(days=int(rng.integers(0, 5))), reason))
                active.remove(a)
                hire = wk + pd.Timedelta(days=7)
                b = new_agent(next_id, hire)
                next_id += 1
                everyone.append(b)
                if w + 1 < weeks:
                    active.append(b)
                continue
            p_train = train_base + dip_boost * (perf < -0.4)  # low performers get more
            if rng.random() < p_train:
                day = wk + pd.Timedelta(days=int(rng.integers(0, 5)))
                if rng.random() < 0.25:
                    coach = f"C{rng.integers(4)}"
                    coach_rows.append((f"S{len(coach_rows)}", emp, coach, day, "GOOD1"))
                    a["boost"].append((w + 1, 0.2 if coach == "C0" else 0.0))
                else:
                    it = items[rng.choice(4, p=[0.15, 0.15, 0.35, 0.35])]
                    comp_rows.append((emp, it, day, 80.0,
                                      "campaign" if rng.random() < 0.1 else "system"))
                    a["boost"].append((w + 1, ITEMS[it]))
                a["last_dev"] = w + 1
    for a in everyone:
        rows_agents.append({"employee_id": a["employee_id"], "name": a["employee_id"],
                            "email": "", "team_code": a["team"], "role_code": "AGENT",
                            "hire_date": a["hire"], "work_arrangement": a["arr"],
                            "employment_type": a["type"], "goal_role_code": None,
                            "hourly_cost": 20.0})
    perf = pd.DataFrame(perf_rows, columns=["employee_id", "period_start", "metric_code", "value"])
    ds = Dataset(
        as_of=START + pd.Timedelta(weeks=weeks - 1),
        agents=pd.DataFrame(rows_agents),
        teams=pd.DataFrame({"team_code": [f"T{i}" for i in range(n_teams)],
                            "name": "t", "site": "S1", "lead_employee_id": None}),
        metrics=pd.DataFrame({"metric_code": ["aht_seconds", "fcr_rate", "csat", "qa_score"],
                              "name": "m", "unit": "u",
                              "higher_is_better": [False, True, True, True],
                              "weight": [1.0, 1.0, 1.0, 1.0]}),
        learning_items=pd.DataFrame({
            "item_code": items + ["GOOD1"][:0], "title": items, "kind": "course",
            "duration_minutes": 60, "cost": 50.0, "skill_codes": [[] for _ in items],
            "description": "", "prerequisite_codes": [[] for _ in items],
            "xapi_activity_id": None, "delivery": "online", "active": True,
            "mandatory": False, "recertify_months": None}),
        performance=perf,
        pulse_surveys=pd.DataFrame(pulse_rows, columns=["employee_id", "answered_at",
                                                        "engagement", "wellbeing", "enps"]),
        completions=pd.DataFrame(comp_rows, columns=["employee_id", "item_code",
                                                     "completed_at", "score", "assigned_by"]),
        coaching_sessions=pd.DataFrame(coach_rows, columns=["session_id", "employee_id",
                                                            "coach_employee_id", "held_at",
                                                            "item_code"]),
        separations=pd.DataFrame(sep_rows, columns=["employee_id", "separation_date", "reason"]),
    )
    return ds, {"hazard_ratio": hr, "item_gain": ITEMS}


def test_fixture_centre_has_leavers_and_training():
    ds, _ = make_centre(n_agents=60, weeks=20, seed=1)
    assert len(ds.separations) > 0
    assert len(ds.completions) > 0
    assert ds.performance["period_start"].min() == START


@functools.lru_cache(maxsize=8)
def sim_centre(n_agents: int, weeks: int, seed: int):
    """(Dataset, facts, left_within_13w) from the shared simulator."""
    from recommender import simulation as sim
    from tests import contract_frames as frames

    folder = Path(tempfile.mkdtemp(prefix="retention_sim_"))
    atexit.register(shutil.rmtree, folder, True)
    sim.simulate(folder, n_agents=n_agents, weeks=weeks, seed=seed)
    facts = json.loads((folder / "truth" / "facts.json").read_text())
    left = pd.read_csv(folder / "truth" / "left_within_13w.csv", dtype={"employee_id": str})
    return frames.load_frames(folder), facts, left
