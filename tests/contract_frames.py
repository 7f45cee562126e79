"""Test- and bench-only reader: a data-contract folder straight into a `Dataset`.

No Django and no validation: it trusts the folder (the real importer checks every row).
It applies the import rules the ML code relies on:

* dates and timestamps become the date in the timestamp's own offset (`datetime64[ns]`);
* booleans become bool, `skill_codes` / `prerequisite_codes` become lists;
* completions = completions.csv plus xAPI `completed`/`passed` statements mapped to items
  through `xapi_activity_id`, minus voided statements; xAPI carries no `assigned_by`, so
  those rows have it missing (None); a statement duplicating a CSV row's key is dropped;
* an interaction with only a transcript gets its sentiment from VADER's compound score;
* a week's `aht_seconds`, `fcr_rate`, `csat` or `customer_sentiment` missing from
  performance.csv is derived from that week's interactions (mean handle_seconds, share
  resolved, mean csat, mean sentiment);
* as_of = the latest period_start in performance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.dataset import COLUMNS, Dataset, empty_frame

DATE_COLUMNS = {
    "agents": ["hire_date"], "role_history": ["from_date"],
    "separations": ["separation_date"], "performance": ["period_start"],
    "qa_evaluations": ["evaluated_at"], "interactions": ["started_at"],
    "pulse_surveys": ["answered_at"], "skill_assessments": ["assessed_at"],
    "completions": ["completed_at"], "coaching_sessions": ["held_at"],
}
NUMBER_COLUMNS = {
    "roles": ["level"], "role_requirements": ["min_level"], "career_paths": ["step"],
    "learning_items": ["duration_minutes", "cost", "recertify_months"],
    "metrics": ["weight"], "agents": ["hourly_cost"], "performance": ["value"],
    "qa_evaluations": ["score"],
    "interactions": ["customer_sentiment", "handle_seconds", "csat"],
    "pulse_surveys": ["engagement", "wellbeing", "enps"],
    "skill_assessments": ["level"], "completions": ["score"],
}
INT_COLUMNS = {"level", "min_level", "step", "duration_minutes"}
BOOL_COLUMNS = {
    "metrics": {"higher_is_better": True},
    "learning_items": {"active": True, "mandatory": False},
    "interactions": {"resolved": None},
}
VERBS = "http://adlnet.gov/expapi/verbs/"
DERIVED = {"aht_seconds": "handle_seconds", "fcr_rate": "resolved", "csat": "csat",
           "customer_sentiment": "customer_sentiment"}


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.csv"
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS[name] + (
            ["transcript"] if name == "interactions" else []))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame.replace("", None)


def _day(values: pd.Series) -> pd.Series:
    """The date in the value's own offset: the first ten characters of the ISO string."""
    return pd.to_datetime(values.astype("string").str.slice(0, 10), format="%Y-%m-%d")


def _convert(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in DATE_COLUMNS.get(name, []):
        frame[column] = _day(frame[column])
    for column in NUMBER_COLUMNS.get(name, []):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column])
            if column not in INT_COLUMNS:  # optional numbers: float, so missing is NaN
                frame[column] = frame[column].astype(float)
    for column, default in BOOL_COLUMNS.get(name, {}).items():
        if column in frame:
            lowered = frame[column].astype("string").str.lower()
            frame[column] = lowered.map({"true": True, "false": False}).astype(object)
            if default is not None:
                frame[column] = frame[column].where(frame[column].notna(), default).astype(bool)
    return frame


def _codes(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [code for code in str(value).split(";") if code]


def _sentiment_from_transcripts(interactions: pd.DataFrame) -> pd.Series:
    sentiment = interactions["customer_sentiment"].astype(float)
    missing = sentiment.isna() & interactions.get("transcript", pd.Series(dtype=object)
                                                  ).reindex(interactions.index).notna()
    if missing.any():
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        analyser = SentimentIntensityAnalyzer()
        texts = interactions.loc[missing, "transcript"]
        # Simulated transcripts repeat a lot; scoring each distinct text once is much faster.
        scores = {text: analyser.polarity_scores(text)["compound"] for text in set(texts)}
        sentiment.loc[missing] = texts.map(scores).to_numpy()
    return sentiment


def _derive_performance(performance: pd.DataFrame, interactions: pd.DataFrame
                        ) -> pd.DataFrame:
    if interactions.empty:
        return performance
    week = interactions["started_at"] - pd.to_timedelta(
        interactions["started_at"].dt.weekday, unit="D")
    source = pd.DataFrame({
        "employee_id": interactions["employee_id"], "period_start": week,
        "handle_seconds": interactions["handle_seconds"],
        "resolved": interactions["resolved"].map({True: 1.0, False: 0.0}),
        "csat": interactions["csat"], "customer_sentiment": interactions["customer_sentiment"],
    })
    means = source.groupby(["employee_id", "period_start"]).mean()
    derived = []
    for metric, column in DERIVED.items():
        values = means[column].dropna().rename("value").reset_index()
        values["metric_code"] = metric
        derived.append(values)
    derived = pd.concat(derived, ignore_index=True)
    key = ["employee_id", "period_start", "metric_code"]
    present = performance.set_index(key).index
    derived = derived[~derived.set_index(key).index.isin(present)]
    merged = pd.concat([performance, derived[COLUMNS["performance"]]], ignore_index=True)
    return merged.sort_values(key, kind="stable").reset_index(drop=True)


def _xapi_completions(folder: Path, items: pd.DataFrame, agents: pd.DataFrame
                      ) -> pd.DataFrame:
    path = folder / "xapi_statements.jsonl"
    if not path.exists():
        return empty_frame("completions")
    statements = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
    voided = {s["object"]["id"] for s in statements
              if s["verb"]["id"] == VERBS + "voided"}
    item_of = dict(zip(items["xapi_activity_id"], items["item_code"], strict=True))
    by_email = dict(zip(agents["email"].str.lower(), agents["employee_id"], strict=True))
    rows = []
    for s in statements:
        if s["verb"]["id"] not in (VERBS + "completed", VERBS + "passed"):
            continue
        if s["id"] in voided or s["object"].get("id") not in item_of:
            continue
        actor = s["actor"]
        if "account" in actor:
            employee = actor["account"]["name"]
        else:
            employee = by_email.get(actor.get("mbox", "").removeprefix("mailto:").lower())
        scaled = s.get("result", {}).get("score", {}).get("scaled")
        rows.append({"employee_id": employee, "item_code": item_of[s["object"]["id"]],
                     "completed_at": s["timestamp"],
                     "score": None if scaled is None else round(100 * scaled, 6),
                     "assigned_by": None})
    if not rows:
        return empty_frame("completions")
    frame = pd.DataFrame(rows).dropna(subset=["employee_id"])  # unknown learners
    frame["completed_at"] = _day(frame["completed_at"])
    frame["score"] = pd.to_numeric(frame["score"])
    return frame


def load_frames(folder: Path | str) -> Dataset:
    folder = Path(folder)
    frames = {name: _convert(name, _read(folder, name)) for name in COLUMNS}
    items = frames["learning_items"]
    for column in ("skill_codes", "prerequisite_codes"):
        items[column] = items[column].map(_codes) if column in items else [[]] * len(items)
    inter = frames["interactions"]
    inter["customer_sentiment"] = _sentiment_from_transcripts(inter)
    if inter["resolved"].notna().all():
        inter["resolved"] = inter["resolved"].astype(bool)
    frames["performance"] = _derive_performance(frames["performance"], inter)
    xapi = _xapi_completions(folder, items.dropna(subset=["xapi_activity_id"]),
                             frames["agents"])
    parts = [part for part in (frames["completions"], xapi) if len(part)]
    completions = pd.concat(parts, ignore_index=True) if parts else frames["completions"]
    frames["completions"] = completions.drop_duplicates(
        ["employee_id", "item_code", "completed_at"], keep="first").reset_index(drop=True)
    cleaned = {}
    for name, frame in frames.items():
        for column in COLUMNS[name]:
            if column not in frame:
                frame[column] = None
        cleaned[name] = frame[COLUMNS[name]].reset_index(drop=True)
    as_of = cleaned["performance"]["period_start"].max()
    return Dataset(as_of=as_of, **cleaned)
