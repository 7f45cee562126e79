"""The model registry: record every training run, promote only models that beat the
baselines and the active model on the same held-out period, roll back to any earlier one.

A model's artifact is a file whose sha256 is stored; loading checks it. Each process
keeps a loaded model per version, not per request.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from lnd.models import Metric, ModelVersion


class ArtifactMismatch(Exception):
    pass


def current_metric_weights() -> dict[str, float]:
    return {code: float(weight) for code, weight in
            Metric.objects.order_by("code").values_list("code", "weight")}


def model_record(*, kind: str, as_of, seed: int, params: dict, feature_names: list[str],
                 metrics: dict, library_versions: dict, artifact_path: Path,
                 artifact_sha256: str, data_start=None, data_end=None, job=None
                 ) -> ModelVersion:
    return ModelVersion.objects.create(
        kind=kind, as_of=as_of, seed=seed, params=params, feature_names=feature_names,
        metrics=metrics, library_versions=library_versions, artifact_path=str(artifact_path),
        artifact_sha256=artifact_sha256, data_start=data_start, data_end=data_end, job=job,
        metric_weights=current_metric_weights())


def active_model(kind: str) -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=kind, status=ModelVersion.Status.ACTIVE).first()


def model_gate(*, candidate: ModelVersion, candidate_score: float,
               baseline_scores: dict[str, float], active_score: float | None,
               extra_failures: list[str] | None = None) -> ModelVersion:
    """Promote the candidate if it beats every baseline and the active model on the
    candidate's held-out period (higher is better); otherwise keep it as rejected."""
    losers = [f"{name} ({score:.4f})" for name, score in baseline_scores.items()
              if not candidate_score > score]
    if active_score is not None and not candidate_score > active_score:
        losers.append(f"the active model ({active_score:.4f})")
    if losers or extra_failures:
        candidate.status = ModelVersion.Status.REJECTED
        reasons = []
        if losers:
            reasons.append(f"held-out score {candidate_score:.4f} does not beat "
                           + ", ".join(losers))
        reasons.extend(extra_failures or [])
        candidate.decision = "Rejected: " + "; ".join(reasons) + "."
        candidate.save(update_fields=["status", "decision"])
        return candidate
    beaten = ", ".join(f"{n} {s:.4f}" for n, s in baseline_scores.items())
    if active_score is not None:
        beaten += f", active model {active_score:.4f}"
    return model_activate(version=candidate,
                          decision=f"Promoted: held-out score {candidate_score:.4f} beats "
                                   f"{beaten}.")


def model_activate(*, version: ModelVersion, decision: str) -> ModelVersion:
    """Make `version` the one active model of its kind (also used for rollback)."""
    with transaction.atomic():
        ModelVersion.objects.select_for_update().filter(kind=version.kind).exists()
        ModelVersion.objects.filter(kind=version.kind, status=ModelVersion.Status.ACTIVE) \
            .exclude(pk=version.pk).update(status=ModelVersion.Status.RETIRED)
        version.status = ModelVersion.Status.ACTIVE
        version.decision = decision
        version.stale = version.metric_weights != current_metric_weights()
        version.save(update_fields=["status", "decision", "stale"])
    return version


def model_rollback(*, to_version: ModelVersion, by: str = "") -> ModelVersion:
    when = timezone.now().strftime("%Y-%m-%d %H:%M")
    return model_activate(version=to_version,
                          decision=f"Rolled back to this model{' by ' + by if by else ''} "
                                   f"at {when} UTC.")


def models_mark_stale() -> int:
    """Metric weights define the composite a gain model predicts; changing them makes
    every gain model trained with other weights stale (retrain to refresh)."""
    weights = current_metric_weights()
    stale_ids = [v.pk for v in ModelVersion.objects.filter(kind=ModelVersion.Kind.GAIN)
                 if v.metric_weights != weights]
    ModelVersion.objects.filter(pk__in=stale_ids).update(stale=True)
    ModelVersion.objects.filter(kind=ModelVersion.Kind.GAIN).exclude(
        pk__in=stale_ids).update(stale=False)
    return len(stale_ids)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=8)
def _load_verified(path: str, sha256: str, loader):
    if sha256_of(Path(path)) != sha256:
        raise ArtifactMismatch(f"{path} does not match its recorded sha256")
    return loader(Path(path))


def load_model(version: ModelVersion, loader):
    """Loaded once per process per version (the cache key includes the hash)."""
    return _load_verified(version.artifact_path, version.artifact_sha256, loader)
