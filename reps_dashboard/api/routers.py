from django.urls import re_path
from rest_framework.routers import SimpleRouter

# An id in a path (``lookup_value_regex``, hand-written routes): ``/api/leads/{id}`` must not
# swallow ``/api/leads/prioritized``, ``/import``, ``/branch/...``.
UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class ApiRouter(SimpleRouter):
    """Routes answer with and without the trailing slash, without a redirect."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


router = ApiRouter()


def path_both(route: str, view, name: str):
    """A hand-written route matching ``route`` with or without a trailing slash.

    ``route`` is a plain prefix such as ``api/auth/login``; regex groups are allowed.
    """
    return re_path(rf"^{route}/?$", view, name=name)
