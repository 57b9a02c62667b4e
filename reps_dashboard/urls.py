from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from reps_dashboard.api.routers import path_both, router
from reps_dashboard.project_apps import app_modules

# Each project app (INSTALLED_APPS) registers its viewsets on the shared router in its urls.py and
# may add hand-written routes there.
app_urlpatterns = [pattern for module in app_modules("urls") for pattern in getattr(module, "urlpatterns", [])]

urlpatterns = [
    path_both("api/schema", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from a URL: no inline script for the CSP to allow.
    path_both("api/docs", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path_both("api/redoc", SpectacularRedocView.as_view(url_name="schema", template_name="docs/redoc.html"),
              name="redoc"),
    *app_urlpatterns,
    path("", include(router.urls)),
    path("admin/", admin.site.urls),
]

handler400 = "reps_dashboard.api.errors.json_bad_request"
handler403 = "reps_dashboard.api.errors.json_permission_denied"
handler404 = "reps_dashboard.api.errors.json_not_found"
handler500 = "reps_dashboard.api.errors.json_server_error"
