"""The project's routes plus two views that fail, for the error-body audit."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from reps_dashboard.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401

# What a careless error page would spill: SQL, a file path, model, class and module names.
SECRET_FAILURE = 'SELECT "leads_lead"."phone" FROM "leads_lead" WHERE gym_id = 7 in /srv/app/leads/models.py (LeadSerializer)'


class FailingApiView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        raise RuntimeError(SECRET_FAILURE)


def failing_django_view(request):
    raise KeyError(SECRET_FAILURE)


urlpatterns = [
    path("api/failing-api-view", FailingApiView.as_view()),
    path("api/failing-django-view", failing_django_view),
    *urlpatterns,
]
