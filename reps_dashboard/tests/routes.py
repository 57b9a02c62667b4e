"""Every route of the project, from the URL resolver: what the convention and isolation suites walk.

Nothing here names a resource, so a new route is covered the moment it is routed.
"""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

PARAM = re.compile(r"\{[^}]+\}")
ANY_ID = "00000000-0000-4000-8000-000000000000"


def normalise(path):
    """A path with its parameters as ``{}`` and no trailing slash: the resolver's and the schema's
    spellings of one route compare equal."""
    return PARAM.sub("{}", path).rstrip("/") or "/"


@dataclass(frozen=True)
class Route:
    path: str  # normalised, e.g. "/api/leads/{}/status"
    name: str | None
    callback: object

    @property
    def view_class(self):
        """The DRF view (or viewset) class behind the route, else None (a plain Django view)."""
        view = getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)
        return view if isinstance(view, type) and issubclass(view, APIView) else None

    @property
    def initkwargs(self):
        """What the route sets on the view instance (a viewset ``@action``'s own kwargs)."""
        return getattr(self.callback, "initkwargs", None) or {}

    @property
    def permission_classes(self):
        return list(self.initkwargs.get("permission_classes", self.view_class.permission_classes))

    @property
    def authentication_classes(self):
        return list(self.initkwargs.get("authentication_classes", self.view_class.authentication_classes))


def _walk(patterns, prefix):
    for entry in patterns:
        part = entry.pattern.regex.pattern.lstrip("^").replace("\\Z", "").rstrip("$").replace("/?", "/")
        part = re.sub(r"\(\?P<[^>]+>[^)]*\)", "{}", part)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern):
            yield Route(normalise("/" + prefix + part), entry.name, entry.callback)


def routes(prefix="/api/"):
    """Every routed URL pattern under ``prefix``, one per distinct (path, view)."""
    seen, found = set(), []
    for route in _walk(get_resolver().url_patterns, ""):
        key = (route.path, route.name)
        if (route.path + "/").startswith(prefix) and key not in seen:
            seen.add(key)
            found.append(route)
    return found


def view_class(path):
    """The view class serving a schema path such as ``/api/leads/{id}/``."""
    match = get_resolver().resolve(PARAM.sub(ANY_ID, path))
    return getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
