"""An erased person stays erased: the next HR export may still carry them."""

import pytest

from lnd.models import Employee, ErasureTombstone, WeeklyPerformance, XapiStatement
from lnd.services.importer import run_import
from lnd.services.xapi import ingest_statements

from . import builders as b

pytestmark = pytest.mark.django_db


def test_an_erased_person_is_not_recreated_and_their_rows_are_skipped(tmp_path):
    ErasureTombstone.objects.create(employee_id="A2")
    b.roster(tmp_path)
    b.write_csv(tmp_path, "performance.csv", [
        {"employee_id": "A2", "period_start": "2025-03-03", "metric_code": "aht_seconds",
         "value": "300"},
        {"employee_id": "A1", "period_start": "2025-03-03", "metric_code": "aht_seconds",
         "value": "310"}])
    result = run_import(tmp_path)
    assert result.ok, [f.errors for f in result.files]
    assert not Employee.objects.filter(employee_id="A2").exists()
    assert list(WeeklyPerformance.objects.values_list("employee__employee_id", flat=True)) \
        == ["A1"]
    warnings = [w for f in result.files for w in f.warnings]
    assert "agents.csv:4: employee_id: erased person, row skipped" in warnings
    assert any(w.startswith("performance.csv:2: employee_id: erased person") for w in warnings)


def test_an_erased_lead_is_left_empty_on_their_old_team(tmp_path):
    ErasureTombstone.objects.create(employee_id="L1")
    b.roster(tmp_path)
    result = run_import(tmp_path)
    assert result.ok
    from lnd.models import Team

    assert Team.objects.get(code="t1").lead is None


def test_an_erased_persons_xapi_statements_are_dropped_not_errors(tmp_path):
    b.roster(tmp_path)
    assert run_import(tmp_path).ok
    ErasureTombstone.objects.create(employee_id="A2")
    Employee.objects.filter(employee_id="A2").delete()
    erased = b.statement("completed", actor={"account": {"homePage": "https://lms.example.com",
                                                         "name": "A2"}})
    kept = b.statement("completed")
    result = ingest_statements([erased, kept], as_of=None)
    assert result.ok, result.messages
    assert (result.stored, result.skipped_erased) == (1, 1)
    assert XapiStatement.objects.count() == 1
