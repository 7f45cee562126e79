"""Who may open which portal page. Object-level scope is enforced by lnd.selectors.scope;
these decorators only gate pages by role. The integration client never gets portal pages."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from lnd.models import User

AGENT = User.Role.AGENT
LEAD = User.Role.TEAM_LEAD
LD = User.Role.LD_SPECIALIST
ADMIN = User.Role.ADMIN
PEOPLE = (AGENT, LEAD, LD, ADMIN)
STAFF = (LD, ADMIN)


def roles(*allowed: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.user.role not in allowed:
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """After a plain (non-htmx) form post, return to the page the form was on."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)
