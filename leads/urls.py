from reps_dashboard.api.routers import path_both, router

from . import views

router.register("api/leads", views.LeadViewSet, basename="lead")

urlpatterns = [path_both("api/intake/leads", views.IntakeLeadView.as_view(), name="intake-leads")]
