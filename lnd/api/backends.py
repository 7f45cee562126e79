"""Authentication backend that applies django-axes lock-outs."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Every web log-in (the login page, the token endpoint) passes its request and is
    checked. A call without one (the test client's login(), a shell) has no address to
    lock on, so it is left to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
