import datetime as dt

import factory
from django.utils import timezone

from calls.models import Call, CallNote, Campaign, CampaignLead
from leads.tests.factories import LeadFactory
from tenants.tests.factories import GymFactory, TenantFactory


class CampaignFactory(TenantFactory):
    class Meta:
        model = Campaign

    gym = factory.SubFactory(GymFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")


class CampaignLeadFactory(TenantFactory):
    class Meta:
        model = CampaignLead

    campaign = factory.SubFactory(CampaignFactory)
    gym = factory.SelfAttribute("campaign.gym")
    lead = factory.LazyAttribute(lambda o: LeadFactory(gym=o.gym))


class CallFactory(TenantFactory):
    """A completed outbound call, written directly (no lead effects: use the services for those)."""

    class Meta:
        model = Call

    gym = factory.SubFactory(GymFactory)
    lead = factory.LazyAttribute(lambda o: LeadFactory(gym=o.gym))
    branch = factory.SelfAttribute("lead.branch")
    direction = "outbound"
    status = "completed"
    start_time = factory.Sequence(lambda n: timezone.now() - dt.timedelta(hours=n + 1))
    duration = 120


class CallNoteFactory(TenantFactory):
    class Meta:
        model = CallNote

    call = factory.SubFactory(CallFactory)
    gym = factory.SelfAttribute("call.gym")
    content = factory.Sequence(lambda n: f"Note {n}")
