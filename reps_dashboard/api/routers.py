from django.urls import re_path
from rest_framework.routers import SimpleRouter


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
