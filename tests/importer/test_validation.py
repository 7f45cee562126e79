"""Bad input of every kind: a clear `file:line: column: message`, never a traceback."""

from datetime import date

import pytest

from lnd.models import Interaction, LearningItem, Skill, Team, WeeklyPerformance
from lnd.services.importer import run_import

from .builders import ITEMS, SKILLS, agent, roster, write_csv

pytestmark = pytest.mark.django_db


def only(result, name):
    return next(f for f in result.files if f.file_name == name)


def test_missing_required_columns_rejects_the_file_with_one_message(tmp_path):
    write_csv(tmp_path, "skills.csv", [{"category": "x", "description": "y"}])
    report = run_import(tmp_path).files[0]
    assert report.status == "rejected"
    assert report.errors == ["skills.csv:1: header: missing required column(s): "
                             "skill_code, name"]


def test_unknown_columns_are_ignored_with_a_warning(tmp_path):
    write_csv(tmp_path, "skills.csv", [dict(SKILLS[0], colour="red")])
    report = run_import(tmp_path).files[0]
    assert report.status == "imported"
    assert report.warnings == ["skills.csv:1: colour: unknown column; ignored"]


def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path):
    rows = [dict(ITEMS[0], item_code=f"i{n}", xapi_activity_id="") for n in range(5)]
    rows[1]["duration_minutes"] = "ten"
    rows[3]["kind"] = "webinar"
    rows[3]["cost"] = "-5"
    rows[4]["active"] = "yes"
    write_csv(tmp_path, "skills.csv", SKILLS)
    write_csv(tmp_path, "learning_items.csv", rows)
    report = only(run_import(tmp_path), "learning_items.csv")
    assert report.status == "rejected"
    assert report.errors == [
        "learning_items.csv:3: duration_minutes: 'ten' is not a whole number",
        "learning_items.csv:5: kind: 'webinar' is not one of: course, microlearning, "
        "simulation, shadowing, coaching",
        "learning_items.csv:5: cost: -5 is out of range (must be ≥ 0)",
        "learning_items.csv:6: active: 'yes' is not true or false",
    ]
    assert report.created == 0
    assert LearningItem.objects.count() == 0
    assert Skill.objects.count() == 2  # the other file still imported


@pytest.mark.parametrize(("column", "value", "message"), [
    ("value", "abc", "'abc' is not a number"),
    ("value", "nan", "'nan' is not a finite number"),
    ("period_start", "2025-03-04", "2025-03-04 is a Tuesday; period_start must be the Monday "
                                   "of the ISO week (2025-03-03)"),
    ("period_start", "03/03/2025", "'03/03/2025' is not an ISO date like 2025-03-31"),
    ("period_start", "2099-01-05", "2099-01-05 is in the future"),
    ("metric_code", "nps", "unknown metric 'nps' (not in the database nor in an accepted "
                           "metrics.csv)"),
    ("employee_id", "x" * 65, "longer than 64 characters (65)"),
    ("employee_id", "ZZ", "unknown employee 'ZZ'"),
])
def test_performance_cell_errors_name_line_column_and_problem(tmp_path, column, value,
                                                              message):
    roster(tmp_path)
    row = {"employee_id": "A1", "period_start": "2025-03-03", "metric_code": "csat",
           "value": "4.5"}
    write_csv(tmp_path, "performance.csv", [row, dict(row, **{column: value})])
    report = only(run_import(tmp_path), "performance.csv")
    assert report.status == "rejected"
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"performance.csv:3: {column}: {message}")
    assert WeeklyPerformance.objects.count() == 0


@pytest.mark.parametrize(("file", "row", "error"), [
    ("pulse_surveys.csv", {"employee_id": "A1", "answered_at": "2025-03-01",
                           "engagement": "6", "wellbeing": "3", "enps": "8"},
     "engagement: 6 is out of range (must be 1–5)"),
    ("pulse_surveys.csv", {"employee_id": "A1", "answered_at": "2025-03-01",
                           "engagement": "4", "wellbeing": "3", "enps": "11"},
     "enps: 11 is out of range (must be 0–10)"),
    ("skill_assessments.csv", {"employee_id": "A1", "skill_code": "empathy",
                               "assessed_at": "2025-03-01", "level": "0", "source": "lead"},
     "level: 0 is out of range (must be 1–5)"),
    ("skill_assessments.csv", {"employee_id": "A1", "skill_code": "empathy",
                               "assessed_at": "2025-03-01", "level": "2", "source": "boss"},
     "source: 'boss' is not one of: qa, lead, self, test"),
    ("qa_evaluations.csv", {"evaluation_id": "e", "skill_code": "empathy",
                            "employee_id": "A1", "evaluated_at": "2025-03-01",
                            "score": "101"},
     "score: 101 is out of range (must be 0–100)"),
    ("interactions.csv", {"interaction_id": "i", "employee_id": "A1",
                          "started_at": "2025-03-01T10:00:00Z", "channel": "voice",
                          "customer_sentiment": "1.5"},
     "customer_sentiment: 1.5 is out of range (must be -1–1)"),
    ("interactions.csv", {"interaction_id": "i", "employee_id": "A1",
                          "started_at": "2025-03-01T10:00:00Z", "channel": "voice",
                          "csat": "0"},
     "csat: 0 is out of range (must be 1–5)"),
    ("interactions.csv", {"interaction_id": "i", "employee_id": "A1",
                          "started_at": "2025-03-01", "channel": "voice"},
     "started_at: '2025-03-01' is not a timestamp"),
    ("metrics.csv", {"metric_code": "m", "name": "M", "weight": "-1"},
     "weight: -1 is out of range (must be ≥ 0)"),
    ("metrics.csv", {"metric_code": "m", "name": "M", "higher_is_better": "1"},
     "higher_is_better: '1' is not true or false"),
    ("role_requirements.csv", {"role_code": "agent", "skill_code": "empathy",
                               "min_level": "9"},
     "min_level: 9 is out of range (must be 1–5)"),
    ("completions.csv", {"employee_id": "A1", "item_code": "c1",
                         "completed_at": "2025-13-01"},
     "completed_at: '2025-13-01' is not an ISO date or timestamp"),
    ("agents.csv", {"employee_id": "B", "name": "B", "hire_date": "2024-01-01",
                    "work_arrangement": "onsite", "employment_type": "full_time",
                    "team_code": "nope"},
     "team_code: unknown team 'nope'"),
    ("agents.csv", {"employee_id": "B", "name": "B", "hire_date": "2024-01-01",
                    "work_arrangement": "office", "employment_type": "full_time"},
     "work_arrangement: 'office' is not one of: onsite, remote, hybrid"),
    ("agents.csv", {"employee_id": "B", "name": "B", "hire_date": "2024-01-01",
                    "work_arrangement": "onsite", "employment_type": "full_time",
                    "email": "not-an-email"},
     "email: 'not-an-email' is not an email address"),
    ("separations.csv", {"employee_id": "A1", "separation_date": "2025-01-01",
                         "reason": "retired"},
     "reason: 'retired' is not one of: voluntary, involuntary"),
])
def test_out_of_range_values_and_invalid_choices_are_bad_rows(tmp_path, file, row, error):
    roster(tmp_path)
    write_csv(tmp_path, file, [row])
    report = only(run_import(tmp_path), file)
    assert report.status == "rejected"
    assert report.errors[0].startswith(f"{file}:2: {error}"), report.errors


def test_dates_after_the_as_of_date_are_in_the_future(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "completions.csv", [
        {"employee_id": "A1", "item_code": "c1", "completed_at": "2025-03-02T23:30:00-05:00"},
        {"employee_id": "A1", "item_code": "c2", "completed_at": "2025-03-03"}])
    report = only(run_import(tmp_path, as_of=date(2025, 3, 2)), "completions.csv")
    # 23:30 at -05:00 is 3 March in UTC, but its own date (2 March) is what counts.
    assert report.errors == ["completions.csv:3: completed_at: 2025-03-03 is in the future "
                             "(after 2025-03-02)"]


def test_a_timestamps_own_offset_decides_its_date_and_week(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "interactions.csv", [
        {"interaction_id": "i1", "employee_id": "A1", "channel": "voice",
         "started_at": "2025-03-02T23:30:00-05:00"}])  # Sunday local, Monday in UTC
    assert run_import(tmp_path).ok
    assert Interaction.objects.get().period_start == date(2025, 2, 24)


def test_duplicate_keys_in_one_file_report_every_duplicate_row(tmp_path):
    write_csv(tmp_path, "skills.csv", [SKILLS[0], SKILLS[1], SKILLS[0], SKILLS[0]])
    report = run_import(tmp_path).files[0]
    assert report.status == "rejected"
    assert report.errors == [
        f"skills.csv:{n}: skill_code: duplicate key (the same key is on lines 2, 4, 5)"
        for n in (2, 4, 5)]


def test_text_that_a_spreadsheet_would_run_is_stored_inert(tmp_path):
    write_csv(tmp_path, "skills.csv", [
        {"skill_code": "a", "name": "=HYPERLINK(\"http://x\")", "description": "+1"},
        {"skill_code": "b", "name": "@SUM(A1)", "description": "-minus"},
        {"skill_code": "c", "name": "Plain", "description": "fine"}])
    assert run_import(tmp_path).ok
    names = dict(Skill.objects.values_list("code", "name"))
    assert names == {"a": "'=HYPERLINK(\"http://x\")", "b": "'@SUM(A1)", "c": "Plain"}
    assert Skill.objects.get(code="b").description == "'-minus"


def test_negative_numbers_in_numeric_fields_are_not_touched(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "performance.csv", [
        {"employee_id": "A1", "period_start": "2025-03-03", "metric_code": "qa_score",
         "value": "-1.5"}])
    assert run_import(tmp_path).ok
    assert WeeklyPerformance.objects.get().value == -1.5


def test_codes_a_spreadsheet_would_run_are_refused(tmp_path):
    write_csv(tmp_path, "skills.csv", [{"skill_code": "=cmd", "name": "x"}])
    report = run_import(tmp_path).files[0]
    assert report.errors == ["skills.csv:2: skill_code: '=cmd' may not start with = + - @ "
                             "or a tab"]


def test_row_with_wrong_number_of_values_is_a_bad_row(tmp_path):
    (tmp_path / "skills.csv").write_text("skill_code,name\na,A\nb,B,extra\n")
    report = run_import(tmp_path).files[0]
    assert report.errors == ["skills.csv:3: row: has 3 values but the header has 2 columns"]


def test_unknown_reference_in_a_list_column_is_a_bad_row(tmp_path):
    write_csv(tmp_path, "skills.csv", SKILLS)
    write_csv(tmp_path, "learning_items.csv", [
        dict(ITEMS[0], skill_codes="empathy;juggling", prerequisite_codes="nope")])
    report = only(run_import(tmp_path), "learning_items.csv")
    assert report.errors == [
        "learning_items.csv:2: skill_codes: unknown skill 'juggling' (not in the database "
        "nor in an accepted skills.csv)",
        "learning_items.csv:2: prerequisite_codes: unknown item 'nope'"]


def test_rejected_file_leaves_dependent_rows_bad_but_others_import(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "teams.csv", [{"team_code": "t1", "name": ""}])  # rejected
    write_csv(tmp_path, "agents.csv", [agent("A1"), agent("B1", team_code="")])
    result = run_import(tmp_path)
    assert only(result, "teams.csv").status == "rejected"
    agents = only(result, "agents.csv")
    assert agents.status == "rejected"
    assert agents.errors == ["agents.csv:2: team_code: unknown team 't1' (not in the "
                             "database nor in an accepted teams.csv)"]
    assert only(result, "skills.csv").status == "imported"
    assert not result.ok
    assert Team.objects.count() == 0
