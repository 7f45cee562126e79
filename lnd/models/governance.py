"""Privacy and accountability: who looked at whom, who changed what, who was erased."""

from django.conf import settings
from django.db import models


class AccessLog(models.Model):
    """A read of an individual's performance, sentiment or risk by someone else.
    Records who, whose, what and when, never the values."""

    class What(models.TextChoices):
        PERFORMANCE = "performance"
        SENTIMENT = "sentiment"
        RISK = "risk"
        RECOMMENDATIONS = "recommendations"
        PROFILE = "profile"
        EXPORT = "export"

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    subject = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="access_log")
    what = models.CharField(max_length=20, choices=What.choices)
    via = models.CharField(max_length=200, blank=True, help_text="Page or endpoint")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject", "-at"], name="accesslog_subject_at")]

    def __str__(self) -> str:
        return f"{self.viewer_id} read {self.what} of {self.subject_id}"


class ChangeLog(models.Model):
    """History of who changed what in the catalogue and settings."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+")
    model = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["model", "object_pk"], name="changelog_object")]

    def __str__(self) -> str:
        return f"{self.action} {self.model} {self.object_pk}"


class ErasureTombstone(models.Model):
    """An erased leaver: the next HR import must not bring the person back."""

    employee_id = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(auto_now_add=True)
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, related_name="+")

    def __str__(self) -> str:
        return f"erased {self.employee_id}"
