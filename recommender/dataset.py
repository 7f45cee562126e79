"""The one shape of data that crosses from the database into the ML code.

Every frame has exactly the columns of the matching file in `shared/data-contract.md`
(after import: codes instead of database ids, dates as `datetime64[ns]` normalised to the
day, booleans as bool). `completions` already includes completions that arrived as xAPI
statements (voided ones removed). Frames may be empty but always have their columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

COLUMNS: dict[str, list[str]] = {
    "skills": ["skill_code", "name", "category", "description"],
    "roles": ["role_code", "name", "family", "level"],
    "role_requirements": ["role_code", "skill_code", "min_level"],
    "career_paths": ["path_code", "name", "step", "role_code"],
    "learning_items": [
        "item_code", "title", "kind", "duration_minutes", "cost", "skill_codes",
        "description", "prerequisite_codes", "xapi_activity_id", "delivery", "active",
        "mandatory", "recertify_months",
    ],
    "metrics": ["metric_code", "name", "unit", "higher_is_better", "weight"],
    "teams": ["team_code", "name", "site", "lead_employee_id"],
    "agents": [
        "employee_id", "name", "email", "team_code", "role_code", "hire_date",
        "work_arrangement", "employment_type", "goal_role_code", "hourly_cost",
    ],
    "role_history": ["employee_id", "from_date", "role_code"],
    "separations": ["employee_id", "separation_date", "reason"],
    "performance": ["employee_id", "period_start", "metric_code", "value"],
    "qa_evaluations": [
        "evaluation_id", "skill_code", "employee_id", "evaluated_at",
        "evaluator_employee_id", "score",
    ],
    "interactions": [
        "interaction_id", "employee_id", "started_at", "channel", "topic",
        "customer_sentiment", "handle_seconds", "resolved", "csat",
    ],
    "pulse_surveys": ["employee_id", "answered_at", "engagement", "wellbeing", "enps"],
    "skill_assessments": ["employee_id", "skill_code", "assessed_at", "level", "source"],
    "completions": ["employee_id", "item_code", "completed_at", "score", "assigned_by"],
    "coaching_sessions": [
        "session_id", "employee_id", "coach_employee_id", "held_at", "item_code",
    ],
    # Not a contract file: the product's own log of impressions and agents' actions on
    # recommendations (action: shown | accepted | dismissed | rated). Empty for a data set
    # that arrives by import; filled by the database for the next training run.
    "recommendation_feedback": [
        "employee_id", "item_code", "action", "at", "rank", "propensity", "reason", "rating",
    ],
}
# `skill_codes` and `prerequisite_codes` in learning_items are Python lists of codes.
# `interactions` carries no transcript: sentiment was already computed at import.
# `pulse_surveys` carries no comment: free text never reaches a model.


def empty_frame(name: str) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS[name]})


@dataclass
class Dataset:
    """Contract-shaped frames plus the as-of date every recent window counts back from."""

    as_of: pd.Timestamp
    skills: pd.DataFrame = field(default_factory=lambda: empty_frame("skills"))
    roles: pd.DataFrame = field(default_factory=lambda: empty_frame("roles"))
    role_requirements: pd.DataFrame = field(
        default_factory=lambda: empty_frame("role_requirements"))
    career_paths: pd.DataFrame = field(default_factory=lambda: empty_frame("career_paths"))
    learning_items: pd.DataFrame = field(default_factory=lambda: empty_frame("learning_items"))
    metrics: pd.DataFrame = field(default_factory=lambda: empty_frame("metrics"))
    teams: pd.DataFrame = field(default_factory=lambda: empty_frame("teams"))
    agents: pd.DataFrame = field(default_factory=lambda: empty_frame("agents"))
    role_history: pd.DataFrame = field(default_factory=lambda: empty_frame("role_history"))
    separations: pd.DataFrame = field(default_factory=lambda: empty_frame("separations"))
    performance: pd.DataFrame = field(default_factory=lambda: empty_frame("performance"))
    qa_evaluations: pd.DataFrame = field(default_factory=lambda: empty_frame("qa_evaluations"))
    interactions: pd.DataFrame = field(default_factory=lambda: empty_frame("interactions"))
    pulse_surveys: pd.DataFrame = field(default_factory=lambda: empty_frame("pulse_surveys"))
    skill_assessments: pd.DataFrame = field(
        default_factory=lambda: empty_frame("skill_assessments"))
    completions: pd.DataFrame = field(default_factory=lambda: empty_frame("completions"))
    coaching_sessions: pd.DataFrame = field(
        default_factory=lambda: empty_frame("coaching_sessions"))
    recommendation_feedback: pd.DataFrame = field(
        default_factory=lambda: empty_frame("recommendation_feedback"))

    def __post_init__(self) -> None:
        self.as_of = pd.Timestamp(self.as_of).normalize()
        for f in fields(self):
            if f.name == "as_of":
                continue
            frame = getattr(self, f.name)
            missing = set(COLUMNS[f.name]) - set(frame.columns)
            if missing:
                raise ValueError(f"Dataset.{f.name} lacks columns {sorted(missing)}")
