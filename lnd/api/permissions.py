"""Who may call what. Deny by default: DenyAll is the project default, and every view
names the roles it admits. Object-level scoping is lnd.selectors.scope (another person's
object is a 404)."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from lnd.models import User

R = User.Role
PEOPLE = frozenset({R.AGENT, R.TEAM_LEAD, R.LD_SPECIALIST, R.ADMIN})
STAFF = frozenset({R.LD_SPECIALIST, R.ADMIN})
# Attrition risk: a lead for their own team and L&D; never agents, not admin (docs/api.md).
RISK_READERS = frozenset({R.TEAM_LEAD, R.LD_SPECIALIST})
# Individual performance, recommendations, development records (docs/api.md).
DEVELOPMENT_READERS = frozenset({R.AGENT, R.TEAM_LEAD, R.LD_SPECIALIST})


class DenyAll(BasePermission):
    def has_permission(self, request, view) -> bool:
        return False


def _role(request) -> str | None:
    user = request.user
    if not (user and user.is_authenticated and user.is_active):
        return None
    return user.role


def roles(*allowed: str, write: frozenset | set | None = None) -> type[BasePermission]:
    """A permission admitting `allowed` roles; unsafe methods need a role in `write`
    when given."""
    read_roles = frozenset(allowed)
    write_roles = read_roles if write is None else frozenset(write)

    class RolePermission(BasePermission):
        def has_permission(self, request, view) -> bool:
            role = _role(request)
            if request.method in SAFE_METHODS:
                return role in read_roles
            return role in write_roles

    RolePermission.__name__ = f"Roles_{'_'.join(sorted(read_roles))}"
    return RolePermission
