"""Serializer fields shared by the API."""

from rest_framework import serializers


class CodeField(serializers.SlugRelatedField):
    """A reference by natural key (skill_code, item_code…). A NUL character is refused as
    a field error before any query: PostgreSQL cannot even compare such a string."""

    default_error_messages = {
        **serializers.SlugRelatedField.default_error_messages,
        "null_characters": "Null characters are not allowed.",
    }

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("null_characters")
        return super().to_internal_value(data)
