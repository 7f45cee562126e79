"""Getting files out of folders and zips; bytes the importer must refuse politely."""

import zipfile

import pytest
from django.test import override_settings

from lnd.models import Skill
from lnd.services.importer import run_import

from .builders import SKILLS, catalogue, write_csv, zip_folder

pytestmark = pytest.mark.django_db


def test_folder_with_any_subset_imports(tmp_path):
    write_csv(tmp_path, "skills.csv", SKILLS)
    result = run_import(tmp_path)
    assert result.ok
    assert [f.file_name for f in result.files] == ["skills.csv"]
    assert Skill.objects.count() == 2


def test_zip_with_files_at_root_imports(tmp_path):
    archive = zip_folder(catalogue(tmp_path / "c"), tmp_path / "c.zip")
    result = run_import(archive)
    assert result.ok, result
    assert Skill.objects.count() == 2


def test_zip_with_one_top_level_folder_imports(tmp_path):
    archive = zip_folder(catalogue(tmp_path / "c"), tmp_path / "c.zip", prefix="export/")
    assert run_import(archive).ok
    assert Skill.objects.count() == 2


def test_zip_nested_deeper_is_a_clear_error(tmp_path):
    archive = zip_folder(catalogue(tmp_path / "c"), tmp_path / "c.zip", prefix="a/b/")
    result = run_import(archive)
    assert not result.ok
    assert "nested too deep" in result.errors[0]
    assert Skill.objects.count() == 0


def test_zip_with_two_folders_of_contract_files_is_a_clear_error(tmp_path):
    folder = catalogue(tmp_path / "c")
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(folder / "skills.csv", "one/skills.csv")
        zf.write(folder / "roles.csv", "two/roles.csv")
    result = run_import(archive)
    assert not result.ok
    assert "more than one place" in result.errors[0]
    assert result.files == []


@pytest.mark.parametrize("name", ["../skills.csv", "/etc/skills.csv", "a/../../skills.csv"])
def test_zip_slip_and_absolute_paths_are_refused(tmp_path, name):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("roles.csv", "role_code,name,family,level\nx,X,frontline,1\n")
        zf.writestr(zipfile.ZipInfo(name), "skill_code,name\nx,X\n")
    result = run_import(archive)
    assert not result.ok
    assert "unsafe path" in result.errors[0]
    assert Skill.objects.count() == 0


def test_unreadable_zip_is_an_error_not_a_traceback(tmp_path):
    bad = tmp_path / "data.zip"
    bad.write_bytes(b"this is not a zip")
    result = run_import(bad)
    assert not result.ok
    assert "not a folder or a readable .zip" in result.errors[0]


def test_import_without_contract_files_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = run_import(tmp_path)
    assert not result.ok
    assert "no file of the data contract" in result.errors[0]
    assert "notes.txt" in result.warnings[0]


def test_unknown_files_are_warned_about_and_ignored(tmp_path):
    write_csv(tmp_path, "skills.csv", SKILLS)
    (tmp_path / "readme.md").write_text("x")
    result = run_import(tmp_path)
    assert result.ok
    assert result.warnings == ["readme.md: not a file of the data contract; ignored"]


@override_settings(LND_IMPORT_MAX_FILE_BYTES=100)
def test_file_over_the_size_limit_is_rejected_without_reading_it(tmp_path, monkeypatch):
    write_csv(tmp_path, "skills.csv", SKILLS * 1 + [
        {"skill_code": f"s{i}", "name": "x" * 20, "category": "", "description": ""}
        for i in range(20)])
    archive = zip_folder(tmp_path, tmp_path.parent / "big.zip")
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda *a, **k: opened.append(a) or pytest.fail("read"))
    result = run_import(archive)
    (report,) = result.files
    assert report.status == "rejected"
    assert "over the import limit" in report.errors[0]
    assert "LND_IMPORT_MAX_FILE_BYTES" in report.errors[0]
    assert opened == []


@override_settings(LND_IMPORT_MAX_FILE_BYTES=100)
def test_file_over_the_size_limit_in_a_folder_is_rejected(tmp_path):
    write_csv(tmp_path, "skills.csv", [
        {"skill_code": f"s{i}", "name": "x" * 20, "category": "", "description": ""}
        for i in range(20)])
    report = run_import(tmp_path).files[0]
    assert report.status == "rejected"
    assert report.errors[0].startswith("skills.csv:1: file:")


def test_utf8_bom_is_accepted(tmp_path):
    (tmp_path / "skills.csv").write_bytes(
        b"\xef\xbb\xbfskill_code,name\r\nempathy,Empathy\r\n")
    result = run_import(tmp_path)
    assert result.ok, result
    assert Skill.objects.get().code == "empathy"


def test_non_utf8_bytes_are_reported_with_their_line(tmp_path):
    (tmp_path / "skills.csv").write_bytes(
        b"skill_code,name\nempathy,Empathy\nbilling,Factura\xe7\xe3o\nx,\xffY\n")
    report = run_import(tmp_path).files[0]
    assert report.status == "rejected"
    assert [e.split(":")[1] for e in report.errors] == ["3", "4"]
    assert "not valid UTF-8" in report.errors[0]


def test_zero_byte_file_is_a_clear_error(tmp_path):
    (tmp_path / "skills.csv").write_bytes(b"")
    report = run_import(tmp_path).files[0]
    assert report.status == "rejected"
    assert report.errors == ["skills.csv:1: file: the file is empty (0 bytes); "
                             "a CSV needs at least a header row"]


def test_header_only_file_is_fine_and_imports_nothing(tmp_path):
    (tmp_path / "skills.csv").write_text("skill_code,name,category,description\n")
    report = run_import(tmp_path).files[0]
    assert report.status == "imported"
    assert report.rows == 0


def test_multiline_quoted_field_keeps_line_numbers_right(tmp_path):
    (tmp_path / "skills.csv").write_text(
        'skill_code,name,description\na,A,"two\nlines"\nb,,x\n')
    report = run_import(tmp_path).files[0]
    assert report.errors == ["skills.csv:4: name: a value is required"]


def test_progress_is_reported_between_files(tmp_path):
    catalogue(tmp_path)
    calls = []
    run_import(tmp_path, progress=lambda fraction, message: calls.append((fraction, message)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert any("skills.csv" in m for _, m in calls)


def test_progress_is_reported_every_so_many_rows_inside_a_big_file(tmp_path, monkeypatch):
    from lnd.services.importer import runner

    monkeypatch.setattr(runner, "TICK_ROWS", 4)
    write_csv(tmp_path, "skills.csv", [{"skill_code": f"s{i}", "name": "S"} for i in range(12)])
    messages = []
    run_import(tmp_path, progress=lambda fraction, message: messages.append(message))
    assert "skills.csv: 4 of 12 rows" in messages
    assert "skills.csv: 8 of 12 rows" in messages
