"""xAPI statements: validated, stored once by id, completions created and withdrawn."""

from datetime import date

import pytest

from lnd.models import Completion, XapiStatement
from lnd.services.importer import run_import
from lnd.services.xapi import ingest_statements

from .builders import roster, statement, write_csv, write_jsonl

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 6, 30)
SID = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def centre(tmp_path):
    return run_import(roster(tmp_path))


def test_completed_and_passed_create_one_completion_each(centre):
    result = ingest_statements([
        statement("completed", statement_id=SID, scaled=0.85),
        statement("passed", object_id="https://lms.example.com/c2", scaled=None,
                  actor={"mbox": "mailto:A1@Example.com"})], as_of=AS_OF)
    assert result.ok, result.messages
    assert (result.stored, result.completions_created) == (2, 2)
    c1 = Completion.objects.get(item__code="c1")
    assert (c1.employee.employee_id, c1.completed_on, c1.score, c1.source) == (
        "A1", date(2025, 3, 3), 85.0, "xapi")
    assert c1.xapi_statement.statement_id.hex == SID.replace("-", "")


def test_failed_and_attempted_are_kept_as_activity_only(centre):
    result = ingest_statements([statement("failed"), statement("attempted")], as_of=AS_OF)
    assert result.stored == 2
    assert Completion.objects.count() == 0
    assert XapiStatement.objects.count() == 2


def test_the_same_statement_twice_is_stored_once(centre):
    s = statement("completed", statement_id=SID)
    ingest_statements([s], as_of=AS_OF)
    again = ingest_statements([dict(s, stored="2025-03-04T00:00:00Z")], as_of=AS_OF)
    assert again.ok
    assert (again.stored, again.unchanged, again.completions_created) == (0, 1, 0)
    assert XapiStatement.objects.count() == 1 and Completion.objects.count() == 1


def test_a_different_statement_with_a_stored_id_is_refused(centre):
    ingest_statements([statement("completed", statement_id=SID)], as_of=AS_OF)
    result = ingest_statements([statement("failed", statement_id=SID)], as_of=AS_OF)
    assert result.messages == [f"statement 1 ({SID}): id: already stored with different "
                               "content; statements are immutable (send a voiding statement "
                               "and a new statement instead)"]


def test_voiding_withdraws_the_completion_the_voided_statement_created(centre):
    ingest_statements([statement("completed", statement_id=SID)], as_of=AS_OF)
    result = ingest_statements([statement("voided", object_id=SID,
                                          object_type="StatementRef")], as_of=AS_OF)
    assert result.ok, result.messages
    assert result.completions_withdrawn == 1
    assert Completion.objects.count() == 0
    assert XapiStatement.objects.get(statement_id=SID).voided


def test_voiding_in_the_same_batch_works(centre):
    result = ingest_statements([
        statement("completed", statement_id=SID),
        statement("voided", object_id=SID, object_type="StatementRef")], as_of=AS_OF)
    assert result.ok and Completion.objects.count() == 0


def test_voiding_leaves_a_csv_completion_alone(centre, tmp_path):
    write_csv(tmp_path, "completions.csv", [{"employee_id": "A1", "item_code": "c1",
                                             "completed_at": "2025-03-03"}])
    run_import(tmp_path)
    ingest_statements([statement("completed", statement_id=SID)], as_of=AS_OF)
    ingest_statements([statement("voided", object_id=SID, object_type="StatementRef")],
                      as_of=AS_OF)
    assert Completion.objects.get().source == "csv"


def test_every_bad_statement_is_reported_and_nothing_is_stored(centre):
    result = ingest_statements([
        statement("completed"),
        {"id": "not-a-uuid", "actor": {"account": {"name": "NOBODY"}},
         "verb": {"id": "completed"}, "object": {"id": "https://lms.example.com/none"},
         "timestamp": "yesterday", "result": {"score": {"scaled": 1.5}}},
        statement("completed", actor={"mbox": "mailto:nobody@example.com"},
                  timestamp="2030-01-01T00:00:00Z"),
        statement("voided", object_id="22222222-2222-4222-8222-222222222222",
                  object_type="StatementRef"),
        "not an object",
    ], as_of=AS_OF)
    assert not result.ok
    assert [(e.index, e.field) for e in result.errors] == [
        (1, "id"), (1, "verb.id"), (1, "actor.account.name"), (1, "object.id"),
        (1, "result.score.scaled"), (1, "timestamp"), (2, "actor.mbox"), (2, "timestamp"),
        (3, "object.id"), (4, "statement")]
    assert "is in the future" in str(result.errors[7])
    assert XapiStatement.objects.count() == 0 and Completion.objects.count() == 0


def test_the_importer_reports_statement_errors_with_their_line(centre, tmp_path):
    path = write_jsonl(tmp_path, "xapi_statements.jsonl", [statement("completed")])
    with path.open("a") as fh:
        fh.write("\n{broken json\n")
    report = run_import(tmp_path).files[-1]
    assert report.file_name == "xapi_statements.jsonl"
    assert report.status == "rejected"
    assert report.errors[0].startswith("xapi_statements.jsonl:3: statement: not valid JSON")
    write_jsonl(tmp_path, "xapi_statements.jsonl", [
        statement("completed"), statement("completed", object_id="urn:x")])
    report = run_import(tmp_path).files[-1]
    assert report.errors == ["xapi_statements.jsonl:2: object.id: no learning item has "
                             "xapi_activity_id 'urn:x'"]


def test_the_importer_stores_statements_idempotently(centre, tmp_path):
    write_jsonl(tmp_path, "xapi_statements.jsonl", [statement("completed", statement_id=SID)])
    first = run_import(tmp_path).files[-1]
    second = run_import(tmp_path).files[-1]
    assert (first.created, second.created, second.unchanged) == (1, 0, 1)
