from reps_dashboard.api.routers import UUID_PATTERN, path_both, router

from . import ladder_tools, views

router.register("api/voice/leads", views.VoiceLeadViewSet, basename="voice-lead")
router.register("api/voice/calls/due", views.DueCallViewSet, basename="voice-due-call")

urlpatterns = [
    path_both(rf"api/voice/webhooks/retell/(?P<integration_id>{UUID_PATTERN})", views.RetellWebhookView.as_view(),
              name="voice-retell-webhook"),
    path_both("api/voice/leads/lookup", views.VoiceLookupView.as_view(), name="voice-lookup"),
    path_both("api/voice/leads/do-not-call", views.VoiceDoNotCallView.as_view(), name="voice-do-not-call"),
    path_both("api/voice/knowledge/search", views.VoiceKnowledgeSearchView.as_view(), name="voice-knowledge-search"),
    path_both("api/voice/availability", views.VoiceAvailabilityView.as_view(), name="voice-availability"),
    path_both("api/voice/appointments", views.VoiceAppointmentView.as_view(), name="voice-appointments"),
    path_both("api/voice/appointments/confirm", ladder_tools.VoiceConfirmView.as_view(), name="voice-confirm"),
    path_both("api/voice/appointments/cancel", ladder_tools.VoiceCancelView.as_view(), name="voice-cancel"),
    path_both("api/voice/appointments/reschedule", ladder_tools.VoiceRescheduleView.as_view(),
              name="voice-reschedule"),
    path_both("api/settings/integrations/retell", views.RetellIntegrationView.as_view(), name="settings-retell"),
    path_both(rf"api/settings/campaigns/(?P<campaign_id>{UUID_PATTERN})/schedule",
              views.CampaignScheduleView.as_view(), name="campaign-schedule"),
]
