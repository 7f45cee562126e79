"""Attrition risk scores, randomised pilots and cached reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class RiskRun(models.Model):
    model_version = models.ForeignKey("ModelVersion", on_delete=models.SET_NULL, null=True,
                                      related_name="+")
    job = models.ForeignKey("Job", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")
    as_of = models.DateField()
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True),
                                    name="one_current_risk_run"),
        ]

    def __str__(self) -> str:
        return f"risk run {self.pk} as of {self.as_of}"


class RiskScore(models.Model):
    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="scores")
    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    risk_90d = models.FloatField()
    drivers = models.JSONField(default=list)
    suggested_action = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "employee"], name="risk_run_employee"),
            models.CheckConstraint(condition=Q(risk_90d__gte=0, risk_90d__lte=1),
                                   name="risk_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.risk_90d:.2f}"


class Pilot(models.Model):
    """A randomised pilot: the item is assigned to a random half of an eligible group."""

    class Status(models.TextChoices):
        RUNNING = "running"
        CLOSED = "closed"

    name = models.CharField(max_length=200)
    item = models.ForeignKey("LearningItem", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    criteria = models.JSONField(default=dict, blank=True, help_text="Who was eligible")
    seed = models.BigIntegerField()
    start_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class PilotMember(models.Model):
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="members")
    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    treated = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pilot", "employee"], name="pilot_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} ({'treated' if self.treated else 'control'})"


class ReportCache(models.Model):
    """A report computed by a task for one data version; pages only read these."""

    kind = models.CharField(max_length=50)
    data_version = models.CharField(max_length=64)
    params = models.JSONField(default=dict, blank=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "data_version"], name="report_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.data_version}"
