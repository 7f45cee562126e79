"""Error bodies: services raise Django's ValidationError; the API answers 400 with the
same field-level shape DRF uses ({"field": ["message", …]})."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler


def handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {
            "non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return exception_handler(exc, context)
