"""Small fixture builders: write contract files into a folder (tmp_path)."""

from __future__ import annotations

import csv
import json
import uuid
import zipfile
from pathlib import Path


def write_csv(folder: Path, name: str, rows: list[dict], header: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    header = header or (list(rows[0]) if rows else [])
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(folder: Path, name: str, statements: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(s) + "\n" for s in statements), encoding="utf-8")
    return path


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, prefix + file.name)
    return target


SKILLS = [
    {"skill_code": "empathy", "name": "Empathy", "category": "soft", "description": ""},
    {"skill_code": "billing", "name": "Billing", "category": "product", "description": ""},
]
ROLES = [
    {"role_code": "agent", "name": "Agent", "family": "frontline", "level": "1"},
    {"role_code": "lead", "name": "Team lead", "family": "leadership", "level": "3"},
]
METRICS = [
    {"metric_code": "aht_seconds", "name": "AHT", "unit": "s", "higher_is_better": "false",
     "weight": "1"},
    {"metric_code": "fcr_rate", "name": "FCR", "unit": "", "higher_is_better": "true",
     "weight": "1"},
    {"metric_code": "csat", "name": "CSAT", "unit": "", "higher_is_better": "true",
     "weight": "1"},
    {"metric_code": "customer_sentiment", "name": "Sentiment", "unit": "",
     "higher_is_better": "true", "weight": "0.5"},
    {"metric_code": "qa_score", "name": "QA", "unit": "", "higher_is_better": "true",
     "weight": "1"},
]
ITEMS = [
    {"item_code": "c1", "title": "Empathy basics", "kind": "course", "duration_minutes": "60",
     "cost": "100", "skill_codes": "empathy", "description": "", "prerequisite_codes": "",
     "xapi_activity_id": "https://lms.example.com/c1", "delivery": "online",
     "active": "true", "mandatory": "false", "recertify_months": ""},
    {"item_code": "c2", "title": "Billing deep dive", "kind": "course",
     "duration_minutes": "90", "cost": "0", "skill_codes": "billing;empathy",
     "description": "", "prerequisite_codes": "c1",
     "xapi_activity_id": "https://lms.example.com/c2", "delivery": "", "active": "true",
     "mandatory": "true", "recertify_months": "12"},
]
TEAMS = [{"team_code": "t1", "name": "Team One", "site": "Lisbon", "lead_employee_id": "L1"}]


def agent(employee_id: str, **over) -> dict:
    row = {"employee_id": employee_id, "name": f"Agent {employee_id}",
           "email": f"{employee_id.lower()}@example.com", "team_code": "t1",
           "role_code": "agent", "hire_date": "2024-01-08", "work_arrangement": "onsite",
           "employment_type": "full_time", "goal_role_code": "", "hourly_cost": "20"}
    row.update(over)
    return row


AGENTS = [agent("L1", role_code="lead"), agent("A1"), agent("A2")]


def catalogue(folder: Path) -> Path:
    write_csv(folder, "skills.csv", SKILLS)
    write_csv(folder, "roles.csv", ROLES)
    write_csv(folder, "learning_items.csv", ITEMS)
    write_csv(folder, "metrics.csv", METRICS)
    return folder


def roster(folder: Path) -> Path:
    catalogue(folder)
    write_csv(folder, "teams.csv", TEAMS)
    write_csv(folder, "agents.csv", AGENTS)
    return folder


def statement(verb: str, *, actor: dict | None = None, object_id: str = "https://lms.example.com/c1",
              timestamp: str = "2025-03-03T10:00:00+01:00", scaled: float | None = 0.8,
              statement_id: str | None = None, object_type: str = "Activity") -> dict:
    data = {"id": statement_id or str(uuid.uuid4()),
            "actor": actor or {"account": {"homePage": "https://lms.example.com", "name": "A1"}},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
            "object": {"objectType": object_type, "id": object_id},
            "timestamp": timestamp}
    if scaled is not None:
        data["result"] = {"score": {"scaled": scaled}}
    return data


def full_centre(folder: Path) -> Path:
    """Every contract file, small and consistent."""
    roster(folder)
    write_csv(folder, "role_requirements.csv",
              [{"role_code": "lead", "skill_code": "empathy", "min_level": "4"}])
    write_csv(folder, "career_paths.csv", [
        {"path_code": "p1", "name": "To lead", "step": "1", "role_code": "agent"},
        {"path_code": "p1", "name": "To lead", "step": "2", "role_code": "lead"}])
    write_csv(folder, "role_history.csv", [
        {"employee_id": "A1", "from_date": "2024-01-08", "role_code": "agent"}])
    write_csv(folder, "separations.csv", [
        {"employee_id": "A2", "separation_date": "2025-02-28", "reason": "voluntary"}])
    write_csv(folder, "performance.csv", [
        {"employee_id": "A1", "period_start": "2025-03-03", "metric_code": "aht_seconds",
         "value": "300"},
        {"employee_id": "A1", "period_start": "2025-03-03", "metric_code": "qa_score",
         "value": "-1.5"}])
    write_csv(folder, "qa_evaluations.csv", [
        {"evaluation_id": "e1", "skill_code": "empathy", "employee_id": "A1",
         "evaluated_at": "2025-03-04T09:00:00+02:00", "evaluator_employee_id": "L1",
         "score": "85"}])
    write_csv(folder, "interactions.csv", [
        {"interaction_id": "i1", "employee_id": "A1", "started_at": "2025-03-04T10:00:00+00:00",
         "channel": "voice", "topic": "billing", "customer_sentiment": "0.5",
         "transcript": "", "handle_seconds": "200", "resolved": "true", "csat": "5"},
        {"interaction_id": "i2", "employee_id": "A1", "started_at": "2025-03-05T10:00:00+00:00",
         "channel": "chat", "topic": "=HYPERLINK(\"x\")", "customer_sentiment": "",
         "transcript": "Thank you, this was great and very helpful!",
         "handle_seconds": "400", "resolved": "false", "csat": "3"}])
    write_csv(folder, "pulse_surveys.csv", [
        {"employee_id": "A1", "answered_at": "2025-03-01", "engagement": "4",
         "wellbeing": "3", "enps": "8", "comment": "fine"}])
    write_csv(folder, "skill_assessments.csv", [
        {"employee_id": "A1", "skill_code": "empathy", "assessed_at": "2025-03-01",
         "level": "3", "source": "lead"}])
    write_csv(folder, "completions.csv", [
        {"employee_id": "A1", "item_code": "c2", "completed_at": "2025-03-02",
         "score": "90", "assigned_by": "lead"}])
    write_jsonl(folder, "xapi_statements.jsonl", [
        statement("completed", statement_id="11111111-1111-4111-8111-111111111111")])
    write_csv(folder, "coaching_sessions.csv", [
        {"session_id": "s1", "employee_id": "A1", "coach_employee_id": "L1",
         "held_at": "2025-03-05", "item_code": "c1", "notes": "good"}])
    return folder
