"""The database→Dataset bridge gives the same frames as the files it was imported from."""

import io
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from lnd.services.ml_io import dataset_from_db
from recommender.dataset import COLUMNS
from tests.contract_frames import load_frames

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def centre(simulated_centre) -> Path:
    return simulated_centre(40, 16, 2)


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        frame[column] = frame[column].map(_plain).astype(str)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _plain(value):
    """Compare values, not their Python types: 3 == 3.0, lists as sorted tuples, floats
    to 9 significant digits (derived means are summed in a different order)."""
    if isinstance(value, list):
        return tuple(sorted(value))
    if value is None or value != value:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return f"{float(value):.9g}"
    return value


# Differences that are the database's to make: xAPI completions have an assigned_by in the
# database ("self") where the file has none, and the importer stores derived weekly
# metrics that the CSV reader also derives.
SAME = ["skills", "roles", "role_requirements", "career_paths", "metrics", "teams",
        "agents", "role_history", "separations", "performance", "qa_evaluations",
        "pulse_surveys", "skill_assessments", "coaching_sessions"]


@pytest.mark.parametrize("name", SAME)
def test_frames_from_the_database_match_the_imported_files(centre, name):
    call_command("import_data", str(centre), stdout=io.StringIO(), stderr=io.StringIO())
    from_db, from_files = dataset_from_db(), load_frames(centre)
    columns = [c for c in COLUMNS[name] if c not in ("hourly_cost",)]
    a, b = _normalised(getattr(from_db, name)[columns]), _normalised(
        getattr(from_files, name)[columns])
    assert len(a) == len(b)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_metric_directions_survive_the_round_trip(centre):
    call_command("import_data", str(centre), stdout=io.StringIO(), stderr=io.StringIO())
    metrics = dataset_from_db().metrics.set_index("metric_code")["higher_is_better"]
    assert not metrics["aht_seconds"] and metrics["csat"]
    assert metrics.notna().all()
