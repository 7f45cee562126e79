import pytest
from django.urls import reverse

from lnd.models import ModelVersion, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_models_page_shows_each_models_held_out_scores(client):
    ModelVersion.objects.create(
        kind="gain", status="active", as_of="2025-09-29", artifact_path="/x",
        artifact_sha256="0" * 64, metrics={"heldout_item_corr_model": 0.5554,
                                           "heldout_item_corr_popularity": -0.4338,
                                           "heldout_item_corr_skill_gap": 0.1234})
    ModelVersion.objects.create(
        kind="risk", status="active", as_of="2025-09-29", artifact_path="/y",
        artifact_sha256="0" * 64, metrics={"roc_auc": 0.6125, "brier": 0.0712})
    client.force_login(f.user(User.Role.LD_SPECIALIST))
    html = client.get(reverse("models")).content.decode()
    for shown in ("model: 0.5554", "popularity: -0.4338", "skill gap: 0.1234",
                  "roc auc: 0.6125", "brier: 0.0712"):
        assert shown in html
