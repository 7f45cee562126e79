"""Development history and plans: assignments, completions, xAPI, coaching."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class AssignedBy(models.TextChoices):
    SYSTEM = "system"
    LEAD = "lead"
    SELF = "self"
    CAMPAIGN = "campaign", "Campaign (randomised)"


class Assignment(models.Model):
    class Status(models.TextChoices):
        ASSIGNED = "assigned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed"
        CANCELLED = "cancelled"

    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="assignments")
    item = models.ForeignKey("LearningItem", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    assigned_by = models.CharField(max_length=10, choices=AssignedBy.choices)
    assigned_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                         null=True, blank=True, related_name="+")
    campaign = models.BooleanField(default=False, help_text="Part of a randomised pilot")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["employee", "status"], name="assignment_employee_status")]
        constraints = [
            # One open assignment per agent and item: double clicks never duplicate.
            models.UniqueConstraint(
                fields=["employee", "item"], condition=Q(status__in=["assigned", "in_progress"]),
                name="assignment_one_open_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} for {self.employee_id} ({self.status})"


class XapiStatement(models.Model):
    """Every statement received, kept raw; the key is the statement id."""

    statement_id = models.UUIDField(unique=True)
    verb = models.CharField(max_length=300)
    employee = models.ForeignKey("Employee", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    activity_id = models.CharField(max_length=500, blank=True)
    item = models.ForeignKey("LearningItem", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    timestamp = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    voided_statement_id = models.UUIDField(null=True, blank=True)
    voided = models.BooleanField(default=False)
    raw = models.JSONField()
    stored_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.statement_id)


class Completion(models.Model):
    class Source(models.TextChoices):
        CSV = "csv", "completions.csv"
        XAPI = "xapi", "xAPI statement"
        PORTAL = "portal"

    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="completions")
    item = models.ForeignKey("LearningItem", on_delete=models.PROTECT, related_name="+")
    completed_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    assigned_by = models.CharField(max_length=10, choices=AssignedBy.choices,
                                   default=AssignedBy.SELF)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CSV)
    xapi_statement = models.ForeignKey(XapiStatement, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "item", "completed_on"],
                                    name="completion_natural_key"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100) | Q(score=None),
                                   name="completion_score_0_100"),
        ]
        indexes = [models.Index(fields=["completed_on"], name="completion_date")]

    def __str__(self) -> str:
        return f"{self.employee_id} completed {self.item_id} on {self.completed_on}"


class CoachingSession(models.Model):
    session_id = models.CharField(max_length=64, unique=True)
    employee = models.ForeignKey("Employee", on_delete=models.CASCADE,
                                 related_name="coaching_sessions")
    coach = models.ForeignKey("Employee", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="sessions_coached")
    held_on = models.DateField()
    held_at = models.DateTimeField(null=True, blank=True)
    item = models.ForeignKey("LearningItem", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", help_text="The coaching topic")
    focus_skill = models.ForeignKey("Skill", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    target_metric = models.ForeignKey("Metric", on_delete=models.SET_NULL, null=True,
                                      blank=True, related_name="+")
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    agreed_actions = models.TextField(blank=True)
    follow_up_date = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["employee", "held_on"], name="coaching_employee_date")]

    def __str__(self) -> str:
        return self.session_id
