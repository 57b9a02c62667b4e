from reps_dashboard.api.routers import router

from . import views

router.register("api/analytics", views.AnalyticsViewSet, basename="analytics")

urlpatterns = []
