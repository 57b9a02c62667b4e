from reps_dashboard.api.routers import router

from . import views

# The fixed prefixes first; the entries' detail route only matches UUIDs anyway.
router.register("api/knowledge/sources", views.KnowledgeSourceViewSet, basename="knowledge-source")
router.register("api/knowledge/import", views.KnowledgeImportViewSet, basename="knowledge-import")
router.register("api/knowledge", views.KnowledgeEntryViewSet, basename="knowledge-entry")

urlpatterns = []
