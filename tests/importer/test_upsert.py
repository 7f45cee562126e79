"""Upsert on natural keys, one transaction per file, dependency order, dry runs."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lnd import models as m
from lnd.services.importer import run_import

from .builders import AGENTS, ITEMS, SKILLS, TEAMS, agent, full_centre, roster, write_csv

pytestmark = pytest.mark.django_db


def only(result, name):
    return next(f for f in result.files if f.file_name == name)


def snapshot():
    return {model.__name__: sorted(model.objects.values_list(*[
        f.attname for f in model._meta.concrete_fields if f.attname != "stored_at"]))
        for model in (m.Skill, m.Role, m.RoleRequirement, m.CareerPath, m.CareerPathStep,
                      m.LearningItem, m.Metric, m.Site, m.Team, m.Employee, m.RoleHistory,
                      m.Separation, m.WeeklyPerformance, m.QAEvaluation, m.Interaction,
                      m.PulseSurvey, m.SkillAssessment, m.Completion, m.XapiStatement,
                      m.CoachingSession)}


def test_every_contract_file_imports_with_counts(tmp_path):
    result = run_import(full_centre(tmp_path))
    assert result.ok, [f.errors for f in result.files]
    assert [f.file_name for f in result.files] == [  # dependency order
        "skills.csv", "roles.csv", "role_requirements.csv", "career_paths.csv",
        "learning_items.csv", "metrics.csv", "teams.csv", "agents.csv", "role_history.csv",
        "separations.csv", "performance.csv", "qa_evaluations.csv", "interactions.csv",
        "weekly_performance (derived from interactions)", "pulse_surveys.csv",
        "skill_assessments.csv", "completions.csv", "xapi_statements.jsonl",
        "coaching_sessions.csv"]
    assert all(f.status == "imported" and f.created == f.rows for f in result.files
               if not f.file_name.startswith("weekly"))
    assert m.Site.objects.get().name == "Lisbon"
    assert m.CareerPathStep.objects.count() == 2
    qa = m.QAEvaluation.objects.get()
    assert qa.evaluated_on == date(2025, 3, 4)
    assert qa.evaluated_at.isoformat() == "2025-03-04T07:00:00+00:00"
    assert m.CoachingSession.objects.get().held_at is None


def test_importing_the_same_folder_twice_changes_nothing(tmp_path):
    full_centre(tmp_path)
    run_import(tmp_path)
    before = snapshot()
    again = run_import(tmp_path)
    assert again.ok
    assert all(f.created == 0 and f.updated == 0 and f.unchanged == f.rows
               for f in again.files), again.files
    assert snapshot() == before


def test_a_corrected_row_updates_and_only_it_counts_as_updated(tmp_path):
    roster(tmp_path)
    run_import(tmp_path)
    write_csv(tmp_path, "agents.csv", [AGENTS[0], agent("A1", hourly_cost="25.50"), AGENTS[2]])
    report = only(run_import(tmp_path), "agents.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert m.Employee.objects.get(employee_id="A1").hourly_cost == Decimal("25.50")


def test_a_column_absent_from_the_file_leaves_stored_values_alone(tmp_path):
    roster(tmp_path)
    run_import(tmp_path)
    write_csv(tmp_path, "agents.csv", [
        {k: v for k, v in a.items() if k != "hourly_cost"} for a in AGENTS])
    assert only(run_import(tmp_path), "agents.csv").unchanged == 3
    assert m.Employee.objects.get(employee_id="A1").hourly_cost == Decimal("20.00")


def test_a_rejected_reimport_leaves_the_database_exactly_as_before(tmp_path):
    roster(tmp_path)
    run_import(tmp_path)
    before = snapshot()
    write_csv(tmp_path, "agents.csv", [agent("A1", name="Renamed"), agent("NEW"),
                                       agent("A2", hire_date="someday")])
    report = only(run_import(tmp_path), "agents.csv")
    assert report.status == "rejected"
    assert report.errors == ["agents.csv:4: hire_date: 'someday' is not an ISO date like "
                             "2025-03-31"]
    assert snapshot() == before


def test_a_team_lead_may_be_an_agent_of_the_same_import(tmp_path):
    roster(tmp_path)
    result = run_import(tmp_path)
    assert result.ok
    team = m.Team.objects.get()
    assert team.lead.employee_id == "L1"
    assert m.Employee.objects.get(employee_id="A1").team == team
    assert only(run_import(tmp_path), "teams.csv").unchanged == 1


def test_a_lead_known_nowhere_is_a_bad_row(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "teams.csv", [dict(TEAMS[0], lead_employee_id="GHOST")])
    report = only(run_import(tmp_path), "teams.csv")
    assert report.errors == ["teams.csv:2: lead_employee_id: unknown employee 'GHOST' (not "
                             "in the database nor in an accepted agents.csv)"]


def test_a_lead_in_a_rejected_agents_file_rejects_the_team_too(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "agents.csv", [agent("L1", hire_date="bad"), agent("A1")])
    result = run_import(tmp_path)
    assert only(result, "agents.csv").status == "rejected"
    teams = only(result, "teams.csv")
    assert teams.status == "rejected"
    assert "agents.csv was rejected" in teams.errors[0]
    assert m.Team.objects.count() == 0 and m.Site.objects.count() == 0


def test_dry_run_validates_everything_and_writes_nothing(tmp_path):
    full_centre(tmp_path)
    result = run_import(tmp_path, dry_run=True)
    assert result.ok, [f.errors for f in result.files]
    assert {f.status for f in result.files} == {"dry_run"}
    assert only(result, "agents.csv").created == 3
    assert only(result, "performance.csv").created == 2  # agents of the same import count
    assert all(not rows for rows in snapshot().values())


def test_dry_run_reports_bad_rows_like_a_real_run(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "skills.csv", [SKILLS[0], dict(SKILLS[1], name="")])
    result = run_import(tmp_path, dry_run=True)
    assert only(result, "skills.csv").status == "rejected"
    assert not result.ok
    assert m.Role.objects.count() == 0


def test_learning_item_links_are_upserted_and_count_as_updates(tmp_path):
    write_csv(tmp_path, "skills.csv", SKILLS)
    write_csv(tmp_path, "learning_items.csv", ITEMS)
    run_import(tmp_path)
    c2 = m.LearningItem.objects.get(code="c2")
    assert set(c2.skills.values_list("code", flat=True)) == {"billing", "empathy"}
    assert list(c2.prerequisites.values_list("code", flat=True)) == ["c1"]
    write_csv(tmp_path, "learning_items.csv", [ITEMS[0], dict(ITEMS[1], skill_codes="billing")])
    report = only(run_import(tmp_path), "learning_items.csv")
    assert (report.updated, report.unchanged) == (1, 1)
    assert list(c2.skills.values_list("code", flat=True)) == ["billing"]


def test_a_prerequisite_may_be_defined_later_in_the_same_file(tmp_path):
    write_csv(tmp_path, "skills.csv", SKILLS)
    write_csv(tmp_path, "learning_items.csv", [ITEMS[1], ITEMS[0]])
    assert run_import(tmp_path).ok


def test_two_items_with_one_xapi_activity_id_are_bad_rows(tmp_path):
    write_csv(tmp_path, "skills.csv", SKILLS)
    write_csv(tmp_path, "learning_items.csv", [
        ITEMS[0], dict(ITEMS[1], xapi_activity_id=ITEMS[0]["xapi_activity_id"])])
    report = only(run_import(tmp_path), "learning_items.csv")
    assert report.errors == ["learning_items.csv:3: xapi_activity_id: also on line 2"]


def test_career_path_rename_counts_as_update(tmp_path):
    write_csv(tmp_path, "roles.csv", [{"role_code": "agent", "name": "A", "family": "frontline",
                                       "level": "1"}])
    rows = [{"path_code": "p", "name": "Path", "step": "1", "role_code": "agent"}]
    write_csv(tmp_path, "career_paths.csv", rows)
    run_import(tmp_path)
    write_csv(tmp_path, "career_paths.csv", [dict(rows[0], name="Better")])
    report = only(run_import(tmp_path), "career_paths.csv")
    assert (report.created, report.updated) == (0, 1)
    assert m.CareerPath.objects.get().name == "Better"


@pytest.mark.parametrize(("files", "status"), [
    ({"separations.csv": [{"employee_id": "A1", "separation_date": "2025-01-31",
                           "reason": "voluntary"}]}, "left"),
    ({"separations.csv": [{"employee_id": "A1", "separation_date": "2025-01-31",
                           "reason": "voluntary"}],
      "role_history.csv": [{"employee_id": "A1", "from_date": "2024-01-08"}]}, "left"),
    ({"separations.csv": [{"employee_id": "A1", "separation_date": "2024-06-28",
                           "reason": "voluntary"}],
      "role_history.csv": [{"employee_id": "A1", "from_date": "2024-01-08"},
                           {"employee_id": "A1", "from_date": "2024-09-02"}]}, "active"),
    ({"role_history.csv": [{"employee_id": "A1", "from_date": "2024-01-08"}]}, "active"),
])
def test_employee_status_follows_latest_separation_and_rehire(tmp_path, files, status):
    roster(tmp_path)
    for name, rows in files.items():
        write_csv(tmp_path, name, rows)
    assert run_import(tmp_path).ok
    assert m.Employee.objects.get(employee_id="A1").status == status


def test_a_later_rehire_file_flips_a_leaver_back_to_active(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "separations.csv", [{"employee_id": "A1",
                                             "separation_date": "2024-06-28",
                                             "reason": "involuntary"}])
    run_import(tmp_path)
    assert m.Employee.objects.get(employee_id="A1").status == "left"
    (tmp_path / "separations.csv").unlink()
    write_csv(tmp_path, "role_history.csv", [{"employee_id": "A1", "from_date": "2024-10-07",
                                              "role_code": "agent"}])
    run_import(tmp_path)
    assert m.Employee.objects.get(employee_id="A1").status == "active"


def test_performance_import_uses_a_fixed_number_of_queries(tmp_path):
    roster(tmp_path)
    run_import(tmp_path)
    for name in ("skills.csv", "roles.csv", "learning_items.csv", "metrics.csv", "teams.csv",
                 "agents.csv"):
        (tmp_path / name).unlink()

    def queries(n_agents):
        write_csv(tmp_path, "performance.csv", [
            {"employee_id": a["employee_id"], "period_start": "2025-03-03",
             "metric_code": metric, "value": "1"}
            for a in AGENTS[:n_agents] for metric in ("qa_score", "csat")])
        with CaptureQueriesContext(connection) as ctx:
            assert run_import(tmp_path).ok
        return len(ctx)

    assert queries(1) == queries(3)


def test_an_unexpected_failure_rejects_the_file_cleanly(tmp_path, monkeypatch):
    from lnd.services.importer import writers

    def boom(*args, **kwargs):
        raise ValueError("simulated bug")

    roster(tmp_path)
    monkeypatch.setattr(writers, "recompute_status", boom)
    result = run_import(tmp_path)
    report = only(result, "agents.csv")
    assert report.status == "rejected"
    assert report.errors == ["agents.csv:1: file: internal error, the file was not imported "
                             "(ValueError: simulated bug)"]
    assert m.Employee.objects.count() == 0
    assert not result.ok
