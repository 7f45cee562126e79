"""A small simulated centre goes through the importer cleanly, and again unchanged."""

import pytest

from lnd.models import Employee, Interaction, WeeklyPerformance
from lnd.services.importer import run_import
from recommender import simulation


@pytest.mark.django_db
def test_a_simulated_centre_imports_without_errors_and_reimports_unchanged(tmp_path):
    simulation.simulate(tmp_path / "centre", n_agents=40, weeks=12, seed=7)
    first = run_import(tmp_path / "centre")
    assert first.ok, [e for f in first.files for e in f.errors][:20]
    assert not [w for f in first.files for w in f.warnings]
    assert Employee.objects.count() >= 40
    assert Interaction.objects.exclude(sentiment_source="none").exists()
    assert WeeklyPerformance.objects.exists()
    again = run_import(tmp_path / "centre")
    assert again.ok
    changed = [(f.file_name, f.created, f.updated) for f in again.files
               if f.created or f.updated]
    assert changed == []
