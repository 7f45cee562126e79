"""Background work. The database row, not the broker, is the source of truth."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Job(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import"
        TRAIN = "train"
        RECOMMEND = "recommend"
        TRAIN_RISK = "train_risk", "Train attrition risk"
        SCORE_RISK = "score_risk", "Score attrition risk"
        REPORT = "report"

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    progress = models.FloatField(default=0)
    message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "state"], name="job_kind_state")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=1),
                                   name="job_progress_0_1"),
            # Two "train now" clicks (or two L&D specialists) never train twice at once.
            models.UniqueConstraint(fields=["kind"],
                                    condition=Q(kind__in=["train", "train_risk"],
                                              state__in=["queued", "running"]),
                                    name="one_live_training_job"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class ImportFileReport(models.Model):
    """What happened to one file of one import; rejected rows listed in full."""

    class Status(models.TextChoices):
        IMPORTED = "imported"
        REJECTED = "rejected"
        DRY_RUN = "dry_run", "Checked (dry run)"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="file_reports")
    file_name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["job", "pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
