"""Demo log-ins on the imported data: agent, lead (that agent's team lead), ld, admin."""

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q

from lnd.models import Employee, Team, User


class Command(BaseCommand):
    help = "Create or reset the demo users agent, lead, ld and admin."

    def handle(self, *args, **options):
        password = _demo_password()
        team = (Team.objects.filter(lead__isnull=False)
                .annotate(n=Count("members", filter=Q(members__status="active")))
                .order_by("-n", "code").first())
        if team is None:
            raise CommandError("No team with a lead: import data first (make demo does).")
        agent = (Employee.objects.filter(team=team, status="active").exclude(pk=team.lead_id)
                 .order_by("employee_id").first())
        if agent is None:
            raise CommandError(f"Team {team.code} has no active agent.")
        with transaction.atomic():
            User.objects.filter(employee__in=[agent, team.lead]).exclude(
                username__in=["agent", "lead"]).update(employee=None, is_active=False)
            _upsert("agent", password, role=User.Role.AGENT, employee=agent)
            _upsert("lead", password, role=User.Role.TEAM_LEAD, employee=team.lead)
            _upsert("ld", password, role=User.Role.LD_SPECIALIST)
            _upsert("admin", password, role=User.Role.ADMIN, is_staff=True, is_superuser=True)
        self.stdout.write(
            f"Demo users: agent ({agent.name}, team {team.name}), lead ({team.lead.name}), "
            f"ld, admin. Password: {password}")


def _demo_password() -> str:
    """DEMO_PASSWORD if set; otherwise a random one, kept in var/ so reruns agree."""
    import os

    if os.environ.get("DEMO_PASSWORD"):
        return os.environ["DEMO_PASSWORD"]
    stored = settings.VAR_DIR / "demo_password"
    if not stored.exists():
        stored.write_text(secrets.token_urlsafe(9))
        stored.chmod(0o600)
    return stored.read_text().strip()


def _upsert(username: str, password: str, **fields) -> User:
    user, _ = User.objects.update_or_create(username=username, defaults=fields)
    user.set_password(password)
    user.save()
    return user
