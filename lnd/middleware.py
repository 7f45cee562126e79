"""Request hygiene that must hold for every view, API or portal."""

from urllib.parse import unquote

from django.http import HttpResponseBadRequest


class RejectNullCharactersMiddleware:
    """A NUL in the path or query string is never meaningful here, and PostgreSQL refuses
    it in any query parameter: answer 400 instead of failing deep inside a lookup."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return HttpResponseBadRequest("Null characters are not allowed in the URL.")
        return self.get_response(request)
