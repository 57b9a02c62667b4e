from reps_dashboard.api.routers import router

from . import views

router.register("api/leads", views.LeadViewSet, basename="lead")

urlpatterns = []
