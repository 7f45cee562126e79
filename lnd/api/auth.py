"""Token log-in for API clients (throttled; lock-outs apply through the auth backend)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.throttling import ScopedRateThrottle

from lnd.api import serializers as s


@extend_schema(tags=["auth"], request=s.TokenIn, responses={200: s.TokenOut})
class TokenView(ObtainAuthToken):
    permission_classes = [AllowAny]
    # ObtainAuthToken turns throttling off; guessing passwords here must be slow.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
