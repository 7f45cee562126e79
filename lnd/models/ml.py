"""Model registry and recommendation runs.

A run's recommendations become visible only when the run is switched to current, in one
UPDATE inside a transaction, so readers never see a half-written run.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ModelVersion(models.Model):
    class Kind(models.TextChoices):
        GAIN = "gain", "Recommender (expected gain)"
        RISK = "risk", "Attrition risk"

    class Status(models.TextChoices):
        CANDIDATE = "candidate"
        ACTIVE = "active"
        REJECTED = "rejected"
        RETIRED = "retired"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey("Job", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    data_start = models.DateField(null=True, blank=True)
    data_end = models.DateField(null=True, blank=True)
    as_of = models.DateField()
    seed = models.IntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    library_versions = models.JSONField(default=dict, blank=True)
    feature_names = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    metric_weights = models.JSONField(default=dict, blank=True,
                                      help_text="Metric weights the model was trained with")
    artifact_path = models.CharField(max_length=500)
    artifact_sha256 = models.CharField(max_length=64)
    decision = models.TextField(blank=True, help_text="Why it was promoted or rejected")
    stale = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(status="active"),
                                    name="one_active_model_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.pk} ({self.status})"


class RecommendationRun(models.Model):
    class Status(models.TextChoices):
        BUILDING = "building"
        COMPLETE = "complete"
        FAILED = "failed"

    model_version = models.ForeignKey(ModelVersion, on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="runs")
    job = models.ForeignKey("Job", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    as_of = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILDING)
    is_current = models.BooleanField(default=False)
    fallback = models.BooleanField(default=False, help_text="Skill-gap rule, no active model")
    config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True),
                                    name="one_current_recommendation_run"),
        ]

    def __str__(self) -> str:
        return f"run {self.pk} as of {self.as_of} ({self.status})"


class Recommendation(models.Model):
    # No index of its own: both unique constraints below start with the run, and batch
    # scoring writes 10,000s of rows per chunk through every index.
    run = models.ForeignKey(RecommendationRun, on_delete=models.CASCADE,
                            related_name="recommendations", db_index=False)
    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("LearningItem", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    # Empty when ranked by the skill-gap fallback: without a model there is no estimate.
    expected_gain = models.FloatField(null=True, blank=True)
    gain_low = models.FloatField(null=True, blank=True)
    gain_high = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list)
    on_path = models.BooleanField(default=False)
    path_note = models.CharField(max_length=300, blank=True)
    propensity = models.FloatField(default=1.0)
    explored = models.BooleanField(default=False)
    plan_week = models.PositiveSmallIntegerField(
        default=1, help_text="Week of the learning plan (1 = this week) within the budget")

    class Meta:
        ordering = ["run", "employee", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run", "employee", "rank"], name="rec_run_rank"),
            models.UniqueConstraint(fields=["run", "employee", "item"], name="rec_run_item"),
            models.CheckConstraint(condition=Q(propensity__gt=0, propensity__lte=1),
                                   name="rec_propensity_0_1"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.item_id} for {self.employee_id}"


class RecommendationFeedback(models.Model):
    class Action(models.TextChoices):
        SHOWN = "shown"  # the impression log: rank and propensity when shown
        ACCEPTED = "accepted"
        DISMISSED = "dismissed"
        RATED = "rated"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="feedback")
    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("LearningItem", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    propensity = models.FloatField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["employee", "action"], name="feedback_employee_action")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5) | Q(rating=None),
                                   name="feedback_rating_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.item_id} by {self.employee_id}"


class ScoringChunk(models.Model):
    """A slice of a scoring run (whole teams, so team comparisons stay right) that any
    worker can claim with a conditional update."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"

    run = models.ForeignKey(RecommendationRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    employee_ids = models.JSONField(help_text="employee_id codes scored by this chunk")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="chunk_run_index"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} chunk {self.index} ({self.state})"
