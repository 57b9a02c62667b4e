import datetime as dt

import pytest
from django.urls import reverse

from calls.models import Campaign, CampaignLead
from leads.tests.factories import LeadFactory
from tenants.tests.factories import BranchFactory

from .factories import CallFactory, CampaignFactory, CampaignLeadFactory

pytestmark = pytest.mark.django_db

LIST = "/api/settings/campaigns"
FIELDS = {"id", "name", "description", "branch_id", "status", "start_date", "end_date", "call_days",
          "call_hours_start", "call_hours_end", "max_calls_per_day", "retry_attempts", "retry_gap_days",
          "total_leads", "completed_calls", "successful_calls", "created_at", "updated_at"}


def detail(campaign_id):
    return f"{LIST}/{campaign_id}"


def leads_url(campaign_id):
    return f"{LIST}/{campaign_id}/leads"


def send_ids(client, method, url, ids):
    return getattr(client, method)(url, [str(i) for i in ids], format="json")


class TestCrud:
    def test_manager_creates_with_the_gyms_call_settings_as_defaults(self, manager_client, gym):
        gym.call_days = ["mon", "wed"]
        gym.call_hours_start, gym.call_hours_end = dt.time(10), dt.time(18, 30)
        gym.save()
        response = manager_client.post(LIST, {"name": "  Spring reactivation "}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == FIELDS
        assert (body["name"], body["status"], body["call_days"], body["call_hours_start"], body["call_hours_end"]) == (
            "Spring reactivation", "draft", ["mon", "wed"], "10:00", "18:30")
        assert (body["total_leads"], body["completed_calls"], body["successful_calls"]) == (0, 0, 0)
        assert (body["max_calls_per_day"], body["retry_attempts"], body["retry_gap_days"]) == (100, 2, 1)

    def test_full_create_then_put_and_patch(self, admin_client, gym, branch):
        body = {"name": "Summer", "description": "Bootcamp", "branch_id": str(branch.id), "status": "active",
                "start_date": "2026-06-01", "end_date": "2026-06-30", "call_days": ["sat", "mon"],
                "call_hours_start": "09:30", "call_hours_end": "17:00", "max_calls_per_day": 20,
                "retry_attempts": 0, "retry_gap_days": 0}
        created = admin_client.post(LIST, body, format="json").json()
        assert created["call_days"] == ["mon", "sat"] and created["branch_id"] == str(branch.id)
        response = admin_client.put(detail(created["id"]), {**body, "name": "Summer 2026", "branch_id": None},
                                    format="json")
        assert response.status_code == 200 and (response.json()["name"], response.json()["branch_id"]) == (
            "Summer 2026", None)
        response = admin_client.patch(detail(created["id"]), {"status": "paused"}, format="json")
        assert response.json()["status"] == "paused" and response.json()["name"] == "Summer 2026"

    @pytest.mark.parametrize("change,field", [
        ({"name": "   "}, "name"),
        ({"status": "running"}, "status"),
        ({"start_date": "2026-06-02", "end_date": "2026-06-01"}, "end_date"),
        ({"call_hours_start": "18:00", "call_hours_end": "09:00"}, "call_hours_end"),
        ({"call_hours_start": "25:00"}, "call_hours_start"),
        ({"call_days": ["mon", "mon"]}, "call_days"),
        ({"call_days": ["funday"]}, "call_days"),
        ({"call_days": []}, "call_days"),
        ({"max_calls_per_day": 0}, "max_calls_per_day"),
        ({"retry_attempts": -1}, "retry_attempts"),
        ({"retry_gap_days": -1}, "retry_gap_days"),
        ({"branch_id": "00000000-0000-4000-8000-000000000000"}, "branch_id"),
    ])
    def test_bad_input_is_400_naming_the_field(self, manager_client, change, field):
        response = manager_client.post(LIST, {"name": "x", **change}, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()
        assert not Campaign.all_gyms.exists()

    def test_patch_checks_dates_against_the_stored_ones(self, manager_client, gym):
        campaign = CampaignFactory(gym=gym, start_date=dt.date(2026, 6, 10))
        response = manager_client.patch(detail(campaign.id), {"end_date": "2026-06-01"}, format="json")
        assert response.status_code == 400 and "end_date" in response.json()

    def test_another_gyms_branch_is_rejected_like_an_unknown_one(self, manager_client, other_gym):
        foreign = manager_client.post(LIST, {"name": "x", "branch_id": str(BranchFactory(gym=other_gym).id)},
                                      format="json")
        unknown = manager_client.post(LIST, {"name": "x", "branch_id": "00000000-0000-4000-8000-000000000000"},
                                      format="json")
        assert foreign.status_code == 400 and foreign.json() == unknown.json()

    def test_agents_read_but_do_not_write(self, agent_client, gym):
        campaign = CampaignFactory(gym=gym)
        lead = LeadFactory(gym=gym)
        assert agent_client.get(LIST).status_code == 200
        assert agent_client.get(detail(campaign.id)).status_code == 200
        assert agent_client.post(LIST, {"name": "x"}, format="json").status_code == 403
        assert agent_client.patch(detail(campaign.id), {"name": "y"}, format="json").status_code == 403
        assert agent_client.delete(detail(campaign.id)).status_code == 403
        assert send_ids(agent_client, "post", leads_url(campaign.id), [lead.id]).status_code == 403
        assert send_ids(agent_client, "delete", leads_url(campaign.id), [lead.id]).status_code == 403

    def test_delete_without_calls_then_404(self, manager_client, gym):
        campaign = CampaignFactory(gym=gym)
        CampaignLeadFactory(gym=gym, campaign=campaign)
        assert manager_client.delete(detail(campaign.id)).status_code == 204
        assert manager_client.delete(detail(campaign.id)).status_code == 404
        assert not CampaignLead.all_gyms.exists()

    def test_campaign_with_calls_is_409(self, manager_client, gym):
        campaign = CampaignFactory(gym=gym)
        CallFactory(gym=gym, campaign=campaign)
        response = manager_client.delete(detail(campaign.id))
        assert response.status_code == 409 and "canceled" in response.json()["detail"]

    def test_list_filters_by_status_and_sorts(self, agent_client, gym):
        b = CampaignFactory(gym=gym, name="B", status="active")
        a = CampaignFactory(gym=gym, name="A", status="draft")
        c = CampaignFactory(gym=gym, name="C", status="paused")
        names = [row["name"] for row in agent_client.get(LIST, {"sort_by": "name", "sort_order": "asc"}).json()["data"]]
        assert names == ["A", "B", "C"]
        assert [row["id"] for row in agent_client.get(LIST).json()["data"]] == [str(c.id), str(a.id), str(b.id)]
        response = agent_client.get(LIST, {"status": "active,paused", "sort_by": "name", "sort_order": "desc"})
        assert [row["name"] for row in response.json()["data"]] == ["C", "B"]
        assert agent_client.get(LIST, {"status": "running"}).status_code == 400


class TestLeads:
    def test_add_and_remove_leads_return_the_campaign(self, manager_client, gym):
        campaign = CampaignFactory(gym=gym)
        leads = LeadFactory.create_batch(3, gym=gym)
        response = send_ids(manager_client, "post", leads_url(campaign.id), [lead.id for lead in leads])
        assert response.status_code == 200 and set(response.json()) == FIELDS
        assert response.json()["total_leads"] == 3
        response = send_ids(manager_client, "post", leads_url(campaign.id), [leads[0].id])  # already in: no change
        assert response.json()["total_leads"] == 3
        response = send_ids(manager_client, "delete", f"{leads_url(campaign.id)}/", [leads[0].id, leads[1].id])
        assert response.status_code == 200 and response.json()["total_leads"] == 1

    @pytest.mark.parametrize("body", [[], {"lead_ids": []}, "x", [1], ["not-a-uuid"],
                                      ["00000000-0000-4000-8000-000000000000"]])
    def test_bad_bodies_are_400_and_change_nothing(self, manager_client, gym, body):
        campaign = CampaignFactory(gym=gym)
        lead = LeadFactory(gym=gym)
        payload = body + [str(lead.id)] if isinstance(body, list) and body else body
        response = manager_client.post(leads_url(campaign.id), payload, format="json")
        assert response.status_code == 400 and "lead_ids" in response.json()
        assert not CampaignLead.all_gyms.exists()

    def test_another_gyms_lead_refuses_all_like_an_unknown_one(self, manager_client, gym, other_gym):
        campaign = CampaignFactory(gym=gym)
        mine = LeadFactory(gym=gym)
        foreign = send_ids(manager_client, "post", leads_url(campaign.id), [mine.id, LeadFactory(gym=other_gym).id])
        unknown = send_ids(manager_client, "post", leads_url(campaign.id),
                           [mine.id, "00000000-0000-4000-8000-000000000000"])
        assert foreign.status_code == 400 and foreign.json() == unknown.json()
        assert not CampaignLead.all_gyms.exists()

    def test_another_gyms_campaign_is_404(self, manager_client, gym, other_gym):
        response = send_ids(manager_client, "post", leads_url(CampaignFactory(gym=other_gym).id),
                            [LeadFactory(gym=gym).id])
        assert response.status_code == 404

    def test_route_name(self):
        assert reverse("campaign-leads", args=["00000000-0000-4000-8000-000000000000"]) == (
            f"{LIST}/00000000-0000-4000-8000-000000000000/leads")


class TestStatistics:
    def test_statistics_move_with_leads_and_calls(self, agent_client, admin_client, gym):
        campaign = CampaignFactory(gym=gym)
        other = CampaignFactory(gym=gym)
        leads = LeadFactory.create_batch(2, gym=gym)
        send_ids(admin_client, "post", leads_url(campaign.id), [lead.id for lead in leads])
        CallFactory(gym=gym, campaign=campaign, status="completed", outcome="appointment_booked")
        CallFactory(gym=gym, campaign=campaign, status="completed", outcome="not_interested")
        CallFactory(gym=gym, campaign=campaign, status="voicemail", outcome="left_message")
        CallFactory(gym=gym, campaign=other, status="completed", outcome="appointment_booked")
        CallFactory(gym=gym, status="completed", outcome="appointment_booked")  # no campaign
        body = agent_client.get(detail(campaign.id)).json()
        assert (body["total_leads"], body["completed_calls"], body["successful_calls"]) == (2, 2, 1)
        call_id = admin_client.post("/api/calls", {"lead_id": str(leads[0].id), "campaign_id": str(campaign.id)},
                                    format="json").json()["id"]
        admin_client.patch(f"/api/calls/{call_id}", {"status": "completed"}, format="json")
        admin_client.put(f"/api/calls/{call_id}/outcome", {"outcome": "appointment_booked"}, format="json")
        body = agent_client.get(detail(campaign.id)).json()
        assert (body["total_leads"], body["completed_calls"], body["successful_calls"]) == (2, 3, 2)

    @pytest.mark.parametrize("campaigns", [1, 30])
    def test_list_statistics_cost_no_query_per_campaign(self, agent_client, gym, campaigns, data_queries):
        for campaign in CampaignFactory.create_batch(campaigns, gym=gym):
            CampaignLeadFactory(gym=gym, campaign=campaign)
            CallFactory(gym=gym, campaign=campaign, outcome="appointment_booked")
        for limit in (1, 50):
            with data_queries(3):  # user, count, page with its statistics
                response = agent_client.get(LIST, {"limit": limit})
            rows = response.json()["data"]
            assert len(rows) == min(campaigns, limit)
            assert all((r["total_leads"], r["completed_calls"], r["successful_calls"]) == (1, 1, 1) for r in rows)
