"""REST API routes (owned by the API work; see docs/api.md)."""

urlpatterns: list = []
