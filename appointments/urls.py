# Viewsets register on reps_dashboard.api.routers.router; hand-written routes go here.
urlpatterns = []
