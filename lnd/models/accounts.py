"""Users and what they may see. Each agent or lead user is linked to its employee record."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class User(AbstractUser):
    class Role(models.TextChoices):
        AGENT = "agent"
        TEAM_LEAD = "team_lead", "Team lead"
        LD_SPECIALIST = "ld_specialist", "L&D specialist"
        ADMIN = "admin"
        INTEGRATION = "integration", "Integration client (LMS/HR)"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    employee = models.OneToOneField("Employee", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="user")

    class Meta:
        constraints = [
            # Agents and leads only ever see data through their employee record.
            models.CheckConstraint(
                condition=~Q(role__in=["agent", "team_lead"]) | Q(employee__isnull=False)
                | Q(is_active=False),
                name="user_agent_or_lead_has_employee"),
        ]
