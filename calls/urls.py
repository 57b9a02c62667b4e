from reps_dashboard.api.routers import router

from . import views

router.register("api/calls", views.CallViewSet, basename="call")
# Campaigns are gym settings in the contract; they live with the calls they drive.
router.register("api/settings/campaigns", views.CampaignViewSet, basename="campaign")

urlpatterns = []
