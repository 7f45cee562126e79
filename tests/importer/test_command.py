"""manage.py import_data: summary on stdout, errors on stderr, non-zero exit on rejection."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lnd.models import Skill

from .builders import SKILLS, roster, write_csv

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_data", *map(str, args), stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc.returncode
    return out.getvalue(), err.getvalue(), 0


def test_prints_a_summary_per_file_and_exits_zero(tmp_path):
    write_csv(tmp_path, "skills.csv", SKILLS)
    out, err, code = run(tmp_path)
    assert code == 0 and err == ""
    assert "skills.csv: imported: 2 rows, 2 created, 0 updated, 0 unchanged" in out


def test_prints_every_error_on_stderr_and_exits_non_zero(tmp_path):
    write_csv(tmp_path, "skills.csv", [dict(SKILLS[0], name=""), dict(SKILLS[1], name="")])
    out, err, code = run(tmp_path)
    assert code == 1
    assert "skills.csv: rejected" in out
    assert err.splitlines() == ["skills.csv:2: name: a value is required",
                                "skills.csv:3: name: a value is required"]


def test_dry_run_writes_nothing(tmp_path):
    write_csv(tmp_path, "skills.csv", SKILLS)
    out, _, code = run(tmp_path, "--dry-run")
    assert code == 0
    assert "skills.csv: dry_run: 2 rows, 2 created" in out
    assert Skill.objects.count() == 0


def test_as_of_rejects_rows_after_it(tmp_path):
    roster(tmp_path)
    write_csv(tmp_path, "separations.csv", [{"employee_id": "A1",
                                             "separation_date": "2025-02-03",
                                             "reason": "voluntary"}])
    _, err, code = run(tmp_path, "--as-of", "2025-01-31")
    assert code == 1
    assert err.strip() == ("separations.csv:2: separation_date: 2025-02-03 is in the future "
                           "(after 2025-01-31)")


def test_a_bad_as_of_date_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="--as-of: 'soon' is not an ISO date"):
        call_command("import_data", str(tmp_path), "--as-of", "soon")


def test_an_unreadable_path_is_an_error_not_a_traceback(tmp_path):
    _, err, code = run(tmp_path / "missing.zip")
    assert code == 1
    assert "no such file or folder" in err
