import pytest
from django.urls import reverse

from knowledge.models import KnowledgeEntry, KnowledgeSource
from tenants.tests.factories import BranchFactory

from .factories import KnowledgeEntryFactory, KnowledgeSourceFactory

LIST = "/api/knowledge"


def detail(entry_id):
    return f"/api/knowledge/{entry_id}"


VALID = {"question": "Do you have a pool?", "answer": "Yes, a 25 metre heated pool downtown.", "category": "facilities"}


@pytest.mark.django_db
class TestEntryCrud:
    def test_manager_creates_entry_with_defaults(self, manager_client, gym):
        response = manager_client.post(LIST, VALID, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["priority"] == 0 and body["branch_id"] is None and body["source"] is None
        assert set(body) == {"id", "question", "answer", "category", "priority", "branch_id", "source",
                             "created_at", "updated_at"}
        assert KnowledgeEntry.objects.for_gym(gym).get().question_key == "do you have a pool"

    def test_admin_creates_branch_entry(self, admin_client, branch):
        response = admin_client.post(LIST, {**VALID, "branch_id": str(branch.id), "priority": 10}, format="json")
        assert response.status_code == 201
        assert response.json()["branch_id"] == str(branch.id)

    def test_agent_reads_but_cannot_write(self, agent_client, gym):
        entry = KnowledgeEntryFactory(gym=gym)
        assert agent_client.get(LIST).status_code == 200
        assert agent_client.get(detail(entry.id)).status_code == 200
        assert agent_client.post(LIST, VALID, format="json").status_code == 403
        assert agent_client.patch(detail(entry.id), {"priority": 3}, format="json").status_code == 403
        assert agent_client.delete(detail(entry.id)).status_code == 403

    @pytest.mark.parametrize("change,field", [
        ({"question": "Pool"}, "question"),
        ({"answer": "Yes."}, "answer"),
        ({"priority": 11}, "priority"),
        ({"priority": -1}, "priority"),
        ({"category": "sauna"}, "category"),
        ({"branch_id": "00000000-0000-4000-8000-000000000000"}, "branch_id"),
    ])
    def test_invalid_entry_is_400(self, manager_client, change, field):
        response = manager_client.post(LIST, {**VALID, **change}, format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_other_gyms_branch_is_rejected_like_a_missing_one(self, manager_client, other_gym):
        foreign = BranchFactory(gym=other_gym)
        response = manager_client.post(LIST, {**VALID, "branch_id": str(foreign.id)}, format="json")
        assert response.status_code == 400 and "no such object" in response.json()["branch_id"][0]

    def test_update_and_patch_show_new_values(self, manager_client, gym):
        entry = KnowledgeEntryFactory(gym=gym)
        response = manager_client.put(detail(entry.id), {**VALID, "priority": 7}, format="json")
        assert response.status_code == 200 and response.json()["priority"] == 7
        response = manager_client.patch(detail(entry.id), {"question": "Is there a sauna?"}, format="json")
        assert response.json()["question"] == "Is there a sauna?"
        entry.refresh_from_db()
        assert entry.question_key == "is there a sauna"

    def test_delete_then_404(self, manager_client, gym):
        entry = KnowledgeEntryFactory(gym=gym)
        assert manager_client.delete(detail(entry.id)).status_code == 204
        assert manager_client.delete(detail(entry.id)).status_code == 404

    def test_malformed_id_is_404(self, agent_client):
        assert agent_client.get(detail("not-a-uuid")).status_code == 404

    def test_list_answers_with_and_without_trailing_slash(self, agent_client, gym):
        KnowledgeEntryFactory(gym=gym)
        assert agent_client.get(LIST).json()["pagination"]["total"] == 1
        assert agent_client.get(LIST + "/").json()["pagination"]["total"] == 1


@pytest.mark.django_db
class TestEntryFilters:
    def test_filters(self, agent_client, gym, branch):
        source = KnowledgeSourceFactory(gym=gym)
        a = KnowledgeEntryFactory(gym=gym, category="pricing", question="How much is a day pass?", source=source)
        b = KnowledgeEntryFactory(gym=gym, category="facilities", question="Is there a sauna?", branch=branch)
        c = KnowledgeEntryFactory(gym=gym, category="facilities", answer="Towels are free at the desk.")

        def ids(**query):
            response = agent_client.get(LIST, query)
            assert response.status_code == 200, response.content
            return {row["id"] for row in response.json()["data"]}

        assert ids(category="facilities") == {str(b.id), str(c.id)}
        assert ids(source_id=str(source.id)) == {str(a.id)}
        assert ids(branch_id=str(branch.id)) == {str(b.id)}
        assert ids(search="sauna") == {str(b.id)}
        assert ids(search="towels") == {str(c.id)}
        assert ids(search="day PASS") == {str(a.id)}

    def test_bad_filters_are_400(self, agent_client):
        assert agent_client.get(LIST, {"category": "nope"}).status_code == 400
        assert agent_client.get(LIST, {"source_id": "00000000-0000-4000-8000-000000000000"}).status_code == 400
        assert agent_client.get(LIST, {"sort_by": "answer"}).status_code == 400
        assert agent_client.get(LIST, {"limit": 0}).status_code == 400

    def test_sort_by_priority(self, agent_client, gym):
        low = KnowledgeEntryFactory(gym=gym, priority=1)
        high = KnowledgeEntryFactory(gym=gym, priority=9)
        data = agent_client.get(LIST, {"sort_by": "priority", "sort_order": "desc"}).json()["data"]
        assert [row["id"] for row in data] == [str(high.id), str(low.id)]

    @pytest.mark.parametrize("rows", [1, 30])
    def test_list_costs_the_same_queries_for_any_size(self, agent_client, gym, rows, data_queries):
        source = KnowledgeSourceFactory(gym=gym)
        KnowledgeEntryFactory.create_batch(rows, gym=gym, source=source)
        with data_queries(3):
            response = agent_client.get(LIST, {"limit": 50})
        assert len(response.json()["data"]) == rows
        assert response.json()["data"][0]["source"]["id"] == str(source.id)


@pytest.mark.django_db
class TestStats:
    def test_stats(self, agent_client, gym):
        KnowledgeEntryFactory.create_batch(2, gym=gym, category="pricing")
        KnowledgeEntryFactory(gym=gym, category="classes")
        KnowledgeSourceFactory(gym=gym)
        body = agent_client.get("/api/knowledge/stats").json()
        assert body["total_entries"] == 3 and body["sources"] == 1 and body["last_updated"]
        assert body["categories"][0] == {"category": "pricing", "count": 2}
        assert {"category": "trainers", "count": 0} in body["categories"]
        assert len(body["categories"]) == 8

    def test_empty_stats(self, agent_client):
        body = agent_client.get("/api/knowledge/stats/").json()
        assert body["total_entries"] == 0 and body["last_updated"] is None


@pytest.mark.django_db
class TestSources:
    URL = "/api/knowledge/sources"

    def test_create_and_list_with_entry_counts(self, manager_client, gym):
        response = manager_client.post(self.URL, {"name": "Front desk binder", "type": "manual",
                                                  "category": "policy", "description": "Typed in"}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "completed" and body["entry_count"] == 0
        KnowledgeEntryFactory.create_batch(3, gym=gym, source_id=body["id"])
        rows = manager_client.get(self.URL).json()["data"]
        assert rows[0]["entry_count"] == 3
        assert manager_client.get(f"{self.URL}/{body['id']}").json()["entry_count"] == 3

    def test_invalid_source_is_400(self, manager_client):
        response = manager_client.post(self.URL, {"name": "X", "type": "video"}, format="json")
        assert response.status_code == 400 and "type" in response.json()

    def test_agent_cannot_create_or_delete(self, agent_client, gym):
        source = KnowledgeSourceFactory(gym=gym)
        assert agent_client.post(self.URL, {"name": "X"}, format="json").status_code == 403
        assert agent_client.delete(f"{self.URL}/{source.id}").status_code == 403

    def test_delete_detaches_entries_by_default(self, manager_client, gym):
        source = KnowledgeSourceFactory(gym=gym)
        entry = KnowledgeEntryFactory(gym=gym, source=source)
        assert manager_client.delete(f"{self.URL}/{source.id}").status_code == 204
        entry.refresh_from_db()
        assert entry.source_id is None
        assert not KnowledgeSource.objects.for_gym(gym).exists()

    def test_delete_with_entries(self, manager_client, gym):
        source = KnowledgeSourceFactory(gym=gym)
        KnowledgeEntryFactory.create_batch(2, gym=gym, source=source)
        keep = KnowledgeEntryFactory(gym=gym)
        assert manager_client.delete(f"{self.URL}/{source.id}?delete_entries=true").status_code == 204
        assert list(KnowledgeEntry.objects.for_gym(gym)) == [keep]

    def test_delete_with_a_bad_flag_is_400(self, manager_client, gym):
        source = KnowledgeSourceFactory(gym=gym)
        assert manager_client.delete(f"{self.URL}/{source.id}?delete_entries=perhaps").status_code == 400
        assert KnowledgeSource.objects.for_gym(gym).exists()

    @pytest.mark.parametrize("rows", [1, 20])
    def test_source_list_query_budget(self, agent_client, gym, rows, data_queries):
        for source in KnowledgeSourceFactory.create_batch(rows, gym=gym):
            KnowledgeEntryFactory(gym=gym, source=source)
        with data_queries(3):
            response = agent_client.get(self.URL, {"limit": 50})
        assert len(response.json()["data"]) == rows


def test_routes_are_named():
    assert reverse("knowledge-entry-search") == "/api/knowledge/search"
    assert reverse("knowledge-import-file") == "/api/knowledge/import/file"
