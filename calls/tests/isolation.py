"""Calls' part of the isolation world (see reps_dashboard/tests/isolation_world.py)."""

from calls.models import Call, Campaign
from leads.models import Lead
from leads.tests.factories import LeadFactory
from tenants.models import Branch

from .factories import CallFactory, CallNoteFactory, CampaignFactory, CampaignLeadFactory

# "leads": the bare JSON array of ids of POST/DELETE /api/settings/campaigns/{id}/leads.
ID_PARAMS = {"lead_id": Lead, "leads": Lead, "call_id": Call, "campaign_id": Campaign}


def populate(side):
    m = side.marker
    branch = side.get(Branch)
    # The leads app adds its own marked leads once merged; until then calls bring one.
    lead = side.get(Lead) if Lead in side.objects else side.add(LeadFactory(
        gym=side.gym, branch=branch, first_name=m, last_name=f"{m} lead", email=f"{m.lower()}@example.com"))
    campaign = side.add(CampaignFactory(gym=side.gym, branch=branch, name=f"{m} campaign",
                                        description=f"{m} campaign description"))
    side.add(CampaignLeadFactory(gym=side.gym, campaign=campaign, lead=lead))
    call = side.add(CallFactory(
        gym=side.gym, lead=lead, branch=branch, campaign=campaign, summary=f"{m} summary", notes=f"{m} notes",
        outcome="appointment_booked", external_call_id=f"{m}-external", recording_url=f"https://{m.lower()}.example.com/r.mp3",
        transcript=[{"speaker": "agent", "text": f"{m} hello", "timestamp": 0}], metrics={"marker": m}))
    side.add(CallNoteFactory(gym=side.gym, call=call, author=side.admin, content=f"{m} note"))
