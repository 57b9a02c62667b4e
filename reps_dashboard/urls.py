from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from reps_dashboard.api.routers import path_both, router

# Each domain app registers its viewsets on the shared router and may add hand-written routes.
app_urlpatterns = []
for app in ("tenants", "leads", "calls", "appointments", "knowledge", "analytics", "voice"):
    module = __import__(f"{app}.urls", fromlist=["urlpatterns"])
    app_urlpatterns += getattr(module, "urlpatterns", [])

urlpatterns = [
    path_both("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path_both("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path_both("api/redoc", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    *app_urlpatterns,
    path("", include(router.urls)),
    path("admin/", admin.site.urls),
]

handler400 = "reps_dashboard.api.errors.json_bad_request"
handler403 = "reps_dashboard.api.errors.json_permission_denied"
handler404 = "reps_dashboard.api.errors.json_not_found"
handler500 = "reps_dashboard.api.errors.json_server_error"
