"""The demo gym's calls (seed_demo): six weeks of AI and staff calls over the demo leads, with
transcripts, outcomes, sentiments and notes, and two campaigns.

Every call goes through the call services, so each lead's call count, last call, summary, status
and timeline are exactly what a real gym would see; the rows are then dated to when the call
happened (services stamp them with the time of the seeding).
"""

import datetime as dt

from django.utils import timezone

from leads.activity import Actor
from leads.models import Lead, LeadActivity, LeadStatus
from tenants.models import Role, User

from . import services
from .models import Call, CallNote, CallOutcome, CallStatus, Campaign, CampaignLead, CampaignStatus

# (weight, status, outcome, sentiment, seconds (min, max), summary, transcript lines). {name} is the
# lead's first name, {gym} the gym's name.
SCENARIOS = {
    "booked": (
        CallStatus.COMPLETED, CallOutcome.APPOINTMENT_BOOKED, "positive", (180, 420),
        "{name} wants to get back into training; booked a free tour and fitness assessment for Thursday at 6pm.",
        ["Agent: Hi {name}, this is Riley from {gym}. You asked about a membership on our website. Is now a good time?",
         "User: Yes, perfect. I'm trying to get back into the gym after a long break.",
         "Agent: Great to hear! Would a free tour and fitness assessment help you get started?",
         "User: That would be nice. Do you have anything in the evening?",
         "Agent: We have Thursday at 6pm with one of our trainers.",
         "User: Thursday at 6 works.",
         "Agent: You're booked for Thursday at 6pm. You'll get a text reminder the day before. See you then!"],
    ),
    "pricing": (
        CallStatus.COMPLETED, CallOutcome.INFORMATION_PROVIDED, "neutral", (120, 300),
        "Asked about prices; explained Basic ($39), Premium ($69) and the annual plan. Will visit next week.",
        ["Agent: Hello {name}, it's Riley from {gym}. You were looking at our memberships?",
         "User: Yes, how much is it per month?",
         "Agent: Basic is $39 a month, Premium with unlimited classes is $69, and the annual plan is $599.",
         "User: Is there a joining fee?",
         "Agent: A one-time $25 fee, waived if you join during your tour.",
         "User: OK, I'll come by next week and have a look."],
    ),
    "callback": (
        CallStatus.COMPLETED, CallOutcome.CALLBACK_REQUESTED, "neutral", (40, 90),
        "{name} was at work and asked for a call back tomorrow after 5pm.",
        ["Agent: Hi {name}, this is Riley from {gym}, following up on your enquiry.",
         "User: Sorry, I'm at work right now. Could you call me back tomorrow after five?",
         "Agent: Of course, I'll call you tomorrow after 5pm. Have a good day!"],
    ),
    "undecided": (
        CallStatus.COMPLETED, CallOutcome.UNDECIDED, "neutral", (150, 360),
        "Compared us with a gym closer to home; likes the pool and classes but has not decided yet.",
        ["Agent: Hi {name}, it's Riley from {gym}. Did you have any questions about joining?",
         "User: I'm comparing a couple of gyms. The other one is closer to my place.",
         "Agent: Understandable. Our Downtown branch has a heated pool and over forty classes a week.",
         "User: The pool is a big plus.",
         "User: I need to think about it and check my schedule.",
         "Agent: No problem. I'll send you the class timetable by text."],
    ),
    "not_interested": (
        CallStatus.COMPLETED, CallOutcome.NOT_INTERESTED, "negative", (30, 80),
        "{name} joined another gym and asked not to be contacted about memberships.",
        ["Agent: Hello {name}, this is Riley from {gym}.",
         "User: Hi. I actually signed up somewhere else already, so I'm not interested.",
         "Agent: Thanks for letting me know, and good luck with your training!"],
    ),
    "voicemail": (
        CallStatus.VOICEMAIL, CallOutcome.LEFT_MESSAGE, None, (20, 45), "",
        ["System: Voicemail greeting detected.",
         "Agent: Hi {name}, this is Riley from {gym} returning your enquiry. Call us back any time "
         "or reply to our text to book a free tour. Talk soon!"],
    ),
    "no_answer": (CallStatus.MISSED, CallOutcome.NO_ANSWER, None, None, "", []),
    "wrong_number": (
        CallStatus.COMPLETED, CallOutcome.WRONG_NUMBER, "negative", (10, 25),
        "Wrong number: the person who answered does not know {name}.",
        ["Agent: Hi, is this {name}?", "User: No, you have the wrong number."],
    ),
}
# The last call of a lead, by the lead's status; earlier attempts are misses and voicemails.
FINAL_BY_STATUS = {
    LeadStatus.CONTACTED: ["pricing", "callback", "undecided", "pricing"],
    LeadStatus.QUALIFIED: ["booked", "pricing", "undecided"],
    LeadStatus.CONVERTED: ["booked"],
    LeadStatus.LOST: ["not_interested", "wrong_number", "not_interested"],
    LeadStatus.NEW: ["no_answer", "voicemail"],
}
STAFF_NOTES = [
    "Prefers calls in the evening, after 6pm.",
    "Asked for the family plan price sheet; emailed it.",
    "Interested in the beginners' strength class.",
    "Knee injury last year: suggest a session with a trainer first.",
    "Student: mention the 20% discount next time.",
    "Wants to bring a friend to the tour.",
]
INBOUND_QUESTIONS = [
    ("Asked whether the Downtown pool is open on Sundays; it is, 8am to 6pm.",
     ["Agent: Thanks for calling {gym}, this is Riley. How can I help?",
      "User: Hi, is the pool open on Sundays?",
      "Agent: Yes, the Downtown pool is open on Sundays from 8am to 6pm.",
      "User: Great, thanks!"]),
    ("Asked about a day pass; explained it is $15 and includes classes that day.",
     ["Agent: {gym}, Riley speaking. How can I help you today?",
      "User: How much is a day pass?",
      "Agent: A day pass is $15 and includes any group class that day.",
      "User: Perfect, I'll come in on Saturday."]),
]
LOOKBACK_DAYS = 42


def seed(*, gym, rng, stdout):
    leads = list(Lead.objects.for_gym(gym).select_related("branch").order_by("created_at", "id"))
    if not leads:
        stdout.write("Calls: no leads to call, skipped.")
        return
    staff = list(User.objects.for_gym(gym).filter(is_active=True, role__in=[Role.MANAGER, Role.AGENT]))
    now = timezone.now()
    tz = gym.tzinfo
    reactivation, follow_up = _campaigns(gym, now.astimezone(tz).date())
    callable_leads = [lead for lead in leads if not lead.do_not_call]
    services.campaign_add_leads(campaign=reactivation, leads=[
        lead for lead in callable_leads if lead.status in (LeadStatus.CONTACTED, LeadStatus.QUALIFIED)
        and rng.random() < 0.6])
    services.campaign_add_leads(campaign=follow_up, leads=[
        lead for lead in callable_leads if lead.status == LeadStatus.NEW])
    in_campaign = {reactivation.pk: _members(reactivation), follow_up.pk: _members(follow_up)}

    calls = notes = 0
    for lead in leads:
        final = FINAL_BY_STATUS.get(lead.status, FINAL_BY_STATUS[LeadStatus.CONTACTED])
        plan = ["no_answer", "voicemail"][: rng.choice([0, 0, 1, 2])] + [rng.choice(final)]
        if lead.status == LeadStatus.NEW and rng.random() < 0.5:
            plan = []  # not reached yet
        if lead.do_not_call:
            plan = []  # never called out; they may still call in
        moment = max(lead.created_at, now - dt.timedelta(days=LOOKBACK_DAYS)) + dt.timedelta(minutes=rng.randint(5, 240))
        campaign = next((c for c in (reactivation, follow_up) if lead.pk in in_campaign[c.pk]), None)
        for scenario in plan:
            moment = _in_call_hours(moment, tz, rng)
            if moment >= now - dt.timedelta(minutes=30):
                break
            call = _log(gym=gym, lead=lead, scenario=scenario, start=moment, rng=rng, campaign=campaign,
                        staff=staff if staff and rng.random() < 0.25 else None)
            calls += 1
            if staff and call.status == CallStatus.COMPLETED and rng.random() < 0.3:
                _note(call, rng.choice(staff), rng.choice(STAFF_NOTES), call.end_time + dt.timedelta(minutes=3))
                notes += 1
            moment += dt.timedelta(days=rng.randint(1, 6), minutes=rng.randint(-120, 120))
        if rng.random() < 0.15 and lead.status in (LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.CONVERTED):
            question, lines = rng.choice(INBOUND_QUESTIONS)
            start = _in_call_hours(now - dt.timedelta(days=rng.randint(1, 10)), tz, rng)
            if start > lead.created_at:
                _log_inbound(gym=gym, lead=lead, start=start, summary=question, lines=lines, rng=rng)
                calls += 1
    queued = _queue_follow_ups(gym=gym, leads=callable_leads, campaign=follow_up, now=now, tz=tz, rng=rng)
    campaigns = Campaign.objects.for_gym(gym).count()
    stdout.write(f"Calls: {calls} logged, {queued} queued, {notes} notes, {campaigns} campaigns.")


def _campaigns(gym, today):
    reactivation = services.campaign_create(
        gym=gym, name="Spring reactivation", status=CampaignStatus.ACTIVE,
        description="Call back leads who talked to us but have not joined yet, with the spring offer.",
        start_date=today - dt.timedelta(days=LOOKBACK_DAYS), end_date=today + dt.timedelta(days=30),
        max_calls_per_day=60, retry_attempts=2, retry_gap_days=3)
    follow_up = services.campaign_create(
        gym=gym, name="New lead follow-up", status=CampaignStatus.ACTIVE,
        description="Reach every new web enquiry within a day and offer a free tour.",
        start_date=today - dt.timedelta(days=LOOKBACK_DAYS), max_calls_per_day=120, retry_attempts=3,
        retry_gap_days=1)
    services.campaign_create(gym=gym, name="Summer bootcamp launch", status=CampaignStatus.DRAFT,
                             description="Invite former members to the summer bootcamp (starts in June).")
    return reactivation, follow_up


def _members(campaign):
    return set(CampaignLead.all_gyms.filter(campaign=campaign).values_list("lead_id", flat=True))


def _in_call_hours(moment, tz, rng):
    """``moment`` moved into 9:00-19:00 local time, at a plausible minute."""
    local = moment.astimezone(tz)
    if not 9 <= local.hour < 19:
        day = local.date() + dt.timedelta(days=1 if local.hour >= 19 else 0)
        local = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.randint(0, 59)), tzinfo=tz)
    return local


def _turns(lines, *, name, gym, seconds):
    if not lines:
        return None
    turns = []
    for position, line in enumerate(lines):
        speaker, text = line.split(": ", 1)
        turns.append({"speaker": {"Agent": "agent", "User": "customer", "System": "system"}[speaker],
                      "text": text.format(name=name, gym=gym), "timestamp": round(seconds * position / len(lines), 1)})
    return turns


def _log(*, gym, lead, scenario, start, rng, campaign, staff):
    status, outcome, sentiment, seconds, summary, lines = SCENARIOS[scenario]
    duration = rng.randint(*seconds) if seconds else None
    by_staff = staff is not None
    fields = {
        "direction": "outbound",
        "status": status,
        "outcome": outcome,
        "sentiment": sentiment,
        "start_time": start,
        "end_time": start + dt.timedelta(seconds=duration) if duration else None,
        "duration": duration,
        "summary": summary.format(name=lead.first_name, gym=gym.name),
        "transcript": _turns(lines, name=lead.first_name, gym=gym.name, seconds=duration or 0),
        "campaign": None if by_staff else campaign,
    }
    if status == CallStatus.COMPLETED and not by_staff:
        fields["recording_url"] = f"https://recordings.example.com/demo/{rng.getrandbits(64):016x}.mp3"
        fields["metrics"] = {"latency_ms_p50": rng.randint(600, 1100), "interruptions": rng.randint(0, 4),
                             "cost_usd": round((duration or 0) / 60 * 0.11, 3)}
        fields["external_call_id"] = f"call_{rng.getrandbits(96):024x}"
    actor = Actor.for_user(rng.choice(staff)) if by_staff else Actor.voice_agent()
    since = timezone.now()
    call = services.call_create(gym=gym, actor=actor, lead=lead, **fields)
    _backdate(call, lead, since, fields["end_time"] or start)
    return call


def _log_inbound(*, gym, lead, start, summary, lines, rng):
    duration = rng.randint(60, 180)
    since = timezone.now()
    call = services.call_create(
        gym=gym, actor=Actor.voice_agent(), lead=lead, direction="inbound", status=CallStatus.COMPLETED,
        outcome=CallOutcome.INFORMATION_PROVIDED, sentiment="positive", start_time=start,
        end_time=start + dt.timedelta(seconds=duration), summary=summary,
        transcript=_turns(lines, name=lead.first_name, gym=gym.name, seconds=duration))
    _backdate(call, lead, since, call.end_time)


def _queue_follow_ups(*, gym, leads, campaign, now, tz, rng):
    """Tomorrow's queued outbound calls for a few uncalled or undecided leads."""
    tomorrow = (now.astimezone(tz) + dt.timedelta(days=1)).date()
    candidates = [lead for lead in leads if lead.status in (LeadStatus.NEW, LeadStatus.CONTACTED)]
    chosen = rng.sample(candidates, k=min(len(candidates), max(1, len(candidates) // 10)))
    members = _members(campaign)
    for lead in chosen:
        at = dt.datetime.combine(tomorrow, dt.time(rng.randint(9, 17), rng.choice([0, 15, 30, 45])), tzinfo=tz)
        services.call_create(gym=gym, actor=Actor.voice_agent(), lead=lead, scheduled_at=at,
                             campaign=campaign if lead.pk in members else None)
    return len(chosen)


def _note(call, author, content, moment):
    since = timezone.now()
    note = services.call_note_add(call=call, author=author, content=content)
    CallNote.all_gyms.filter(pk=note.pk).update(created_at=moment, updated_at=moment)
    LeadActivity.all_gyms.filter(lead_id=call.lead_id, created_at__gte=since).update(created_at=moment)


def _backdate(call, lead, since, moment):
    """Date the call and the timeline entries its service just wrote to when the call happened."""
    Call.all_gyms.filter(pk=call.pk).update(created_at=moment, updated_at=moment)
    LeadActivity.all_gyms.filter(lead=lead, created_at__gte=since).update(created_at=moment)
