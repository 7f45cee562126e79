"""Hand-made, contract-shaped frames small enough to reason about (tests and docs).

Three skills, two frontline roles on one path, a lead with no performance rows, one
leaver, one future hire, and six items: an inactive one, one with a prerequisite, one
mandatory with recertification. Completing an item raises the agent's performance by
0.25 composite units per level of gap on the item's skills (up to level 3), and leads
assign training after a bad week (so naive before/after credits regression to the mean).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recommender.dataset import Dataset

SKILLS = ["s_calm", "s_tools", "s_sales"]
ITEMS = [
    # code, kind, minutes, skills, prereqs, delivery, active, mandatory, recert
    ("calm_sim", "simulation", 60, ["s_calm"], [], "online", True, False, None),
    ("tools_course", "course", 90, ["s_tools"], [], "online", True, False, None),
    ("sales_micro", "microlearning", 15, ["s_sales"], [], "online", True, False, None),
    ("sales_adv", "course", 120, ["s_sales"], ["sales_micro"], "in_person", True, False, None),
    ("old_item", "course", 30, ["s_calm"], [], "online", False, False, None),
    ("gdpr", "course", 30, [], [], "online", True, True, 12),
]


def item_effect(levels: np.ndarray, skills: list[str]) -> float:
    if not skills:
        return 0.0
    gaps = [max(0.0, 3.0 - levels[SKILLS.index(s)]) for s in skills]
    return 0.25 * float(np.mean(gaps))


def tiny_dataset(n_agents: int = 40, weeks: int = 40, seed: int = 0) -> tuple[Dataset,
                                                                             pd.DataFrame]:
    """A Dataset and its truth frame (employee_id, item_code, true_gain)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-01-06")
    as_of = start + pd.Timedelta(weeks=weeks - 1)
    ids = [f"a{n:03d}" for n in range(n_agents)]
    levels = rng.integers(1, 5, size=(n_agents, len(SKILLS))).astype(float)
    base = rng.normal(0, 0.5, n_agents)
    lift = np.zeros(n_agents)
    perf, comps, assess = [], [], []
    items = [it for it in ITEMS if it[6] and not it[7]]
    bad = np.zeros(n_agents, bool)
    for w in range(weeks):
        day = start + pd.Timedelta(weeks=w)
        for a, eid in enumerate(ids):
            if w % 13 == 0:
                for k, s in enumerate(SKILLS):
                    assess.append((eid, s, day, int(levels[a, k]), "lead"))
            p = base[a] + lift[a] + rng.normal(0, 0.6)
            bad[a] = p < base[a] - 0.6
            perf.append((eid, day, "csat", 4.0 + 0.3 * p + rng.normal(0, 0.1)))
            perf.append((eid, day, "aht_seconds", 300 - 20 * p + rng.normal(0, 5)))
            campaign = rng.random() < 0.05
            if campaign or rng.random() < (0.4 if bad[a] else 0.08):
                code, _, _, sk, pre, *_ = items[rng.integers(len(items))]
                done = {c[1] for c in comps if c[0] == eid}
                if all(q in done for q in pre):
                    lift[a] += item_effect(levels[a], sk)
                    comps.append((eid, code, day + pd.Timedelta(days=2), 80.0,
                                  "campaign" if campaign else "lead"))
                    for s in sk:
                        levels[a, SKILLS.index(s)] = min(5.0, levels[a, SKILLS.index(s)] + 0.5)
        if w == 2:
            comps.extend((eid, "gdpr", day, 90.0, "system") for eid in ids[: n_agents // 2])
    truth = pd.DataFrame(
        [(eid, it[0], item_effect(levels[a], it[3])) for a, eid in enumerate(ids)
         for it in ITEMS], columns=["employee_id", "item_code", "true_gain"])
    ds = Dataset(
        as_of=as_of,
        skills=pd.DataFrame({"skill_code": SKILLS, "name": ["De-escalation", "Tools",
                                                             "Sales"],
                             "category": "x", "description": ""}),
        roles=pd.DataFrame({"role_code": ["agent", "senior", "lead"],
                            "name": ["Agent", "Senior Agent", "Team lead"],
                            "family": ["frontline", "frontline", "leadership"],
                            "level": [1, 2, 3]}),
        role_requirements=pd.DataFrame({"role_code": ["agent", "senior", "senior", "senior"],
                                        "skill_code": ["s_calm", "s_calm", "s_tools",
                                                       "s_sales"],
                                        "min_level": [2, 3, 3, 3]}),
        career_paths=pd.DataFrame({"path_code": ["p", "p"], "name": "Frontline",
                                   "step": [1, 2], "role_code": ["agent", "senior"]}),
        learning_items=pd.DataFrame({
            "item_code": [i[0] for i in ITEMS], "title": [i[0].replace("_", " ").title()
                                                          for i in ITEMS],
            "kind": [i[1] for i in ITEMS], "duration_minutes": [i[2] for i in ITEMS],
            "cost": 0.0, "skill_codes": [i[3] for i in ITEMS], "description": "",
            "prerequisite_codes": [i[4] for i in ITEMS], "xapi_activity_id": None,
            "delivery": [i[5] for i in ITEMS], "active": [i[6] for i in ITEMS],
            "mandatory": [i[7] for i in ITEMS], "recertify_months": [i[8] for i in ITEMS]}),
        metrics=pd.DataFrame({"metric_code": ["csat", "aht_seconds"], "name": ["CSAT", "AHT"],
                              "unit": ["", "s"], "higher_is_better": [True, False],
                              "weight": [1.0, 1.0]}),
        teams=pd.DataFrame({"team_code": ["t1"], "name": "Team 1", "site": "x",
                            "lead_employee_id": ["lead1"]}),
        agents=pd.DataFrame({
            "employee_id": [*ids, "lead1", "future1"], "name": "n", "email": "e",
            "team_code": "t1",
            "role_code": ["agent"] * n_agents + ["lead", "agent"],
            "hire_date": [start - pd.Timedelta(weeks=int(rng.integers(0, 200)))
                          for _ in ids] + [start, as_of + pd.Timedelta(days=30)],
            "work_arrangement": ["remote" if n % 3 == 0 else "onsite"
                                 for n in range(n_agents + 2)],
            "employment_type": "full_time", "goal_role_code": "senior", "hourly_cost": 20.0}),
        separations=pd.DataFrame({"employee_id": [ids[-1]],
                                  "separation_date": [as_of - pd.Timedelta(days=10)],
                                  "reason": ["voluntary"]}),
        performance=pd.DataFrame(perf, columns=["employee_id", "period_start", "metric_code",
                                                "value"]),
        skill_assessments=pd.DataFrame(assess, columns=["employee_id", "skill_code",
                                                        "assessed_at", "level", "source"]),
        completions=pd.DataFrame(comps, columns=["employee_id", "item_code", "completed_at",
                                                 "score", "assigned_by"]),
    )
    return ds, truth
