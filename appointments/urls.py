from reps_dashboard.api.routers import router

from . import views

router.register("api/appointments", views.AppointmentViewSet, basename="appointment")

urlpatterns = []
