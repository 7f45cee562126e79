"""Small, explicit builders for test rows (no magic: every default is visible here)."""

from __future__ import annotations

from datetime import date
from itertools import count

from lnd.models import Employee, LearningItem, Team, User

_seq = count(1)


def team(code: str | None = None, lead: Employee | None = None) -> Team:
    n = next(_seq)
    return Team.objects.create(code=code or f"T{n}", name=f"Team {n}", lead=lead)


def employee(team: Team | None = None, **fields) -> Employee:
    n = next(_seq)
    defaults = dict(employee_id=f"E{n}", name=f"Person {n}", email=f"p{n}@example.com",
                    hire_date=date(2024, 1, 8), work_arrangement="remote",
                    employment_type="full_time", team=team)
    return Employee.objects.create(**{**defaults, **fields})


def item(**fields) -> LearningItem:
    n = next(_seq)
    defaults = dict(code=f"I{n}", title=f"Item {n}", kind="course", duration_minutes=30)
    return LearningItem.objects.create(**{**defaults, **fields})


def user(role: str, employee: Employee | None = None, username: str | None = None) -> User:
    return User.objects.create_user(username=username or f"u{next(_seq)}", password="pw-test-1",
                                    role=role, employee=employee)


def team_with_lead_and_agents(n_agents: int = 2):
    lead = employee()
    t = team(lead=lead)
    lead.team = t
    lead.save()
    agents = [employee(team=t) for _ in range(n_agents)]
    return t, lead, agents
