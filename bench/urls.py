from django.urls import path

from bench.baseline import leads_baseline
from reps_dashboard.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("bench/leads", leads_baseline), *project_urlpatterns]
