"""The admin site as the gym operator's console.

Every admin view runs in the gym's timezone; the header names the gym; the index opens with the
gym's day (``console.dashboard``); "View site" leads to ``ADMIN_SITE_URL`` (the dashboard app) or is
not offered when that is unset, rather than to the API's JSON 404 at ``/``.
"""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.template.response import SimpleTemplateResponse
from django.utils import timezone

from .dashboard import gym_day

TITLE = "Reps Dashboard"


def request_gym(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    return user.gym


class ConsoleAdminSite(admin.AdminSite):
    site_title = TITLE
    index_title = "Today"
    index_template = "console/index.html"
    # The index lists the models already; without the side bar a list's columns fit a laptop screen.
    enable_nav_sidebar = False

    def each_context(self, request):
        context = super().each_context(request)
        gym = request_gym(request)
        context["site_header"] = f"{gym.name} · {TITLE}" if gym is not None else TITLE
        context["site_url"] = getattr(settings, "ADMIN_SITE_URL", "") or None
        context["gym"] = gym
        return context

    def admin_view(self, view, cacheable=False):
        @wraps(view)
        def in_gym_timezone(request, *args, **kwargs):
            gym = request_gym(request)
            with timezone.override(gym.tzinfo if gym is not None else None):
                response = view(request, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse):
                    response.render()  # now, in the gym's timezone, rather than after the view returned
                return response

        return super().admin_view(in_gym_timezone, cacheable)

    def index(self, request, extra_context=None):
        gym = request_gym(request)
        extra_context = {**(extra_context or {}), "day": gym_day(gym=gym) if gym is not None else None}
        return super().index(request, extra_context)
