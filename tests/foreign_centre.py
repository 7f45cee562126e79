"""A simulated centre rewritten as another vendor would export it, still within the data
contract: none of the simulator's codes, metrics the product has no name for, files
missing, and the CSV habits of other tools. The hold-out centre the product is judged on
was written by others; this keeps the pipeline from depending on our simulator's ways."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

# Columns holding each kind of code, per file (truth files included: evaluate reads them).
CODE_COLUMNS = {
    "employee": ("employee_id", "lead_employee_id", "coach_employee_id",
                 "evaluator_employee_id"),
    "skill": ("skill_code",),
    "role": ("role_code", "goal_role_code"),
    "team": ("team_code",),
    "item": ("item_code",),
    "path": ("path_code",),
}
LIST_COLUMNS = {"skill_codes": "skill", "prerequisite_codes": "item"}
RENAME = {
    "employee": lambda c: f"acme-{c.lower()}.x",
    "skill": lambda c: f"SK {c.upper()}",
    "role": lambda c: f"role:{c}",
    "team": lambda c: f"t-{c.lower()}",
    "item": lambda c: f"lms/{c.lower()}",
    "path": lambda c: f"P{c}",
}
DROPPED_METRICS = ("customer_sentiment", "adherence_rate")
MINIMAL_FILES = ("agents.csv", "teams.csv", "metrics.csv", "performance.csv", "skills.csv",
                 "roles.csv", "role_requirements.csv", "learning_items.csv",
                 "completions.csv", "interactions.csv", "separations.csv")


def foreign_copy(source: Path, target: Path, *, minimal: bool = False,
                 seed: int = 0) -> Path:
    """Copy `source` (a contract folder with truth/) to `target`, rewritten. `minimal`
    keeps only the files a centre without QA, pulse, assessment, coaching, path or LMS
    statement exports would have."""
    rng = np.random.default_rng(seed)
    target.mkdir(parents=True)
    for path in sorted(source.rglob("*.csv")):
        relative = path.relative_to(source)
        if minimal and relative.parent == Path(".") and relative.name not in MINIMAL_FILES:
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = _renamed(frame)
        if relative.name in ("metrics.csv", "performance.csv"):
            frame = _other_metrics(frame, relative.name, rng)
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        if relative.parent == Path("."):
            _write_like_another_tool(frame, out)
        else:
            frame.to_csv(out, index=False)
    shutil.copy(source / "truth" / "facts.json", target / "truth" / "facts.json")
    if not minimal:
        _rename_xapi(source / "xapi_statements.jsonl", target / "xapi_statements.jsonl")
    return target


def _renamed(frame: pd.DataFrame) -> pd.DataFrame:
    for kind, columns in CODE_COLUMNS.items():
        for column in columns:
            if column in frame:
                frame[column] = frame[column].map(lambda v, k=kind: RENAME[k](v) if v else v)
    for column, kind in LIST_COLUMNS.items():
        if column in frame:
            frame[column] = frame[column].map(
                lambda v, k=kind: ";".join(RENAME[k](c) for c in v.split(";")) if v else v)
    return frame


def _other_metrics(frame: pd.DataFrame, name: str, rng) -> pd.DataFrame:
    """Two standard metrics gone, one the product has never heard of; CSAT left to be
    derived from the contacts for every other week."""
    frame = frame[~frame["metric_code"].isin(DROPPED_METRICS)]
    if name == "metrics.csv":
        extra = pd.DataFrame([{"metric_code": "transfer_rate", "name": "Transfer rate",
                               "unit": "share", "higher_is_better": "false",
                               "weight": "0.2"}])
        return pd.concat([frame, extra], ignore_index=True)
    weeks = sorted(frame["period_start"].unique())
    every_other = set(weeks[::2])
    frame = frame[~((frame["metric_code"] == "csat") & frame["period_start"].isin(every_other))]
    keys = frame[["employee_id", "period_start"]].drop_duplicates()
    transfers = keys.assign(metric_code="transfer_rate",
                            value=np.round(rng.beta(2, 12, len(keys)), 3).astype(str))
    return pd.concat([frame, transfers], ignore_index=True)


def _write_like_another_tool(frame: pd.DataFrame, out: Path) -> None:
    """Columns in another order, a column we do not read, a BOM and CRLF line ends."""
    frame = frame[list(reversed(frame.columns))].assign(exported_by="AcmeWFM 9.2")
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        frame.to_csv(handle, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def _rename_xapi(source: Path, target: Path) -> None:
    with source.open() as lines, target.open("w") as out:
        for line in lines:
            statement = json.loads(line)
            account = statement.get("actor", {}).get("account")
            if account and account.get("name"):
                account["name"] = RENAME["employee"](account["name"])
            out.write(json.dumps(statement) + "\n")
