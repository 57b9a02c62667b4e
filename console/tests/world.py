"""A small gym as an operator sees it: two branches in different zones, staff of every role,
leads with tags, calls with transcripts and recordings, appointments today and upcoming, a campaign."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from calls.services import call_create, call_note_add
from calls.tests.factories import CampaignFactory, CampaignLeadFactory
from leads.activity import Actor
from leads.models import LeadTag
from leads.tests.factories import LeadFactory
from tenants.models import Role, Tag
from tenants.tests.factories import TEST_PASSWORD, BranchFactory, GymFactory, UserFactory

PASSWORD = TEST_PASSWORD
VOICE_AGENT = Actor.voice_agent()
TRANSCRIPT = [
    {"speaker": "agent", "text": "Hi Maya, this is Ava from Harbor Fitness. You asked about a trial pass?",
     "timestamp": 0.4},
    {"speaker": "customer", "text": "Yes! I'd like to try the morning classes.", "timestamp": 5.2},
    {"speaker": "agent", "text": "Great. Would Thursday at 7 am at Downtown work for a tour?", "timestamp": 9.8},
    {"speaker": "customer", "text": "Thursday at 7 works.", "timestamp": 15.1},
    {"speaker": "system", "text": "Appointment booked.", "timestamp": 16.0},
]
METRICS = {"latency_ms": 640, "interruptions": 1, "talk_ratio": 0.42}


@dataclass
class World:
    gym: object
    downtown: object
    west: object
    admin: object
    agent: object
    tag: object
    lead: object
    call: object
    appointment: object
    campaign: object


def build() -> World:
    now = timezone.now()
    gym = GymFactory(name="Harbor Fitness", timezone="America/New_York")
    downtown = BranchFactory(gym=gym, name="Downtown", timezone="America/New_York")
    west = BranchFactory(gym=gym, name="West Coast", timezone="America/Los_Angeles")
    admin = UserFactory(gym=gym, branch=downtown, role=Role.ADMIN, is_staff=True, email="dana@harbor.example",
                        first_name="Dana", last_name="Admin")
    agent = UserFactory(gym=gym, branch=downtown, role=Role.AGENT, is_staff=True, email="alex@harbor.example",
                        first_name="Alex", last_name="Agent")
    trial = Tag.all_gyms.create(gym=gym, name="trial pass", color="#1E88E5")
    lead = LeadFactory(gym=gym, branch=downtown, first_name="Maya", last_name="Lopez", phone="+12125550142",
                       status="contacted", source="website", assigned_to=agent)
    LeadTag.all_gyms.create(gym=gym, lead=lead, tag=trial)
    others = [LeadFactory(gym=gym, branch=branch, first_name=first, last_name="Rivera", status=status)
              for first, branch, status in (("Noah", downtown, "new"), ("Liam", west, "qualified"),
                                            ("Emma", west, "new"), ("Olivia", downtown, "lost"))]
    campaign = CampaignFactory(gym=gym, name="Trial pass follow-up", status="active", branch=downtown)
    for member in [lead, *others[:3]]:
        CampaignLeadFactory(gym=gym, campaign=campaign, lead=member)
    # Calls through the service, as the voice agent logs them: the leads' counters and timelines follow.
    start = now - dt.timedelta(hours=1)
    call = call_create(gym=gym, actor=VOICE_AGENT, lead=lead, campaign=campaign, status="completed",
                       outcome="appointment_booked", sentiment="positive", start_time=start,
                       end_time=start + dt.timedelta(seconds=95), transcript=TRANSCRIPT, metrics=METRICS,
                       summary="Booked a tour for Thursday 7 am.",
                       recording_url="https://recordings.example/harbor/call-1.wav")
    call_note_add(call=call, author=agent, content="She prefers text reminders.")
    for index, other in enumerate(others[:3]):
        call_create(gym=gym, actor=VOICE_AGENT, lead=other, campaign=campaign, status="completed",
                    outcome="no_answer", start_time=now - dt.timedelta(days=index + 1), duration=20)
    today_local = timezone.localtime(now, downtown.tzinfo).replace(hour=18, minute=30, second=0, microsecond=0)
    appointment = AppointmentFactory(gym=gym, branch=downtown, lead=lead, staff=admin, type="tour",
                                     date=today_local.astimezone(dt.UTC), duration=45)
    AppointmentFactory(gym=gym, branch=west, lead=others[1], type="consultation",
                       date=(now + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0), duration=30)
    return World(gym, downtown, west, admin, agent, trial, lead, call, appointment, campaign)
