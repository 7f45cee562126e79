"""xAPI 1.0.3 statements from the LMS (integration client only)."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lnd.api.permissions import R, roles
from lnd.services import xapi

VERSION_HEADER = "X-Experience-API-Version"
_VERSION = re.compile(r"^1\.0(\.\d+)?$")


@extend_schema(tags=["integration"])
class StatementsView(APIView):
    """POST one statement or a list; stored idempotently by statement id; the batch is
    all-or-nothing. Answers 200 with the statement ids, as the xAPI spec does."""

    permission_classes = [roles(R.INTEGRATION)]
    parser_classes = [JSONParser]
    throttle_scope = "xapi"

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: {"type": "array", "items": {"type": "string", "format": "uuid"}},
                   400: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter(VERSION_HEADER, str, OpenApiParameter.HEADER,
                                     required=True, description="1.0.x")])
    def post(self, request):
        version = request.headers.get(VERSION_HEADER, "")
        if not _VERSION.match(version):
            return _bad({VERSION_HEADER: [f"Send {VERSION_HEADER}: 1.0.3 (any 1.0.x)."]})
        body = request.data
        statements = [body] if isinstance(body, dict) else body
        if not isinstance(statements, list) or not statements or \
                not all(isinstance(x, dict) for x in statements):
            return _bad({"statements": ["Send a statement object or a non-empty list of them."]})
        result = xapi.ingest_statements(statements)
        if not result.ok:
            return _bad({"statements": result.messages})
        return Response([str(x["id"]) for x in statements], headers={VERSION_HEADER: "1.0.3"})


def _bad(detail: dict) -> Response:
    return Response(detail, status=status.HTTP_400_BAD_REQUEST,
                    headers={VERSION_HEADER: "1.0.3"})
