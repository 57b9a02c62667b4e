"""The demo gym's leads (seed_demo): a few hundred people at every stage of the pipeline, with
tags and a timeline, created over the last four months the way leads really arrive: more of them
recently, fewer at weekends, mostly in the evening."""

import datetime as dt

from django.utils import timezone

from tenants.models import Branch, Role, Tag, User

from .models import ActivityType, ActorType, Lead, LeadActivity, LeadSource, LeadStatus, LeadTag, stage_after

COUNT = 300
DAYS = 120
FIRST_NAMES = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas", "Mia",
               "Mateo", "Amelia", "Ethan", "Harper", "Aiden", "Evelyn", "Daniel", "Abigail", "Jackson", "Emily",
               "Sebastian", "Ella", "Jack", "Camila", "Owen", "Aaliyah", "Samuel", "Priya", "Wei", "Fatima", "Omar",
               "Yuki", "Carlos", "Zoe", "Malik", "Grace", "Diego", "Hana", "Jane"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
              "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
              "Lee", "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Kim",
              "Patel", "Nguyen", "Chen", "Cohen", "O'Brien", "Kowalski", "Rossi", "Haddad", "Doe"]
AREA_CODES = ["212", "646", "718", "917", "347", "201"]
INTERESTS = ["Personal training", "Group classes", "Yoga", "Swimming", "Boxing", "Pilates", "Weight loss",
             "Strength training", "Family plan", "Corporate membership", "Spin", "Senior fitness"]
NOTES = ["", "", "", "Prefers evening calls.", "Asked about the annual plan.", "Came in with a friend who is a member.",
         "Wants to start after the holidays.", "Price sensitive; mention the student discount.",
         "Recovering from a knee injury, ask about physio.", "Interested in the kids' club."]
LOST_REASONS = ["Too expensive", "Joined another gym", "Moved away", "No time right now", "Too far from home",
                "Not interested after the tour"]
SOURCES = {LeadSource.WEBSITE: 35, LeadSource.SOCIAL: 20, LeadSource.REFERRAL: 15, LeadSource.WALK_IN: 12,
           LeadSource.PHONE: 10, LeadSource.OTHER: 8}
# Older leads have had time to move along the pipeline.
STATUSES_BY_AGE = [
    (3, {LeadStatus.NEW: 80, LeadStatus.CONTACTED: 20}),
    (21, {LeadStatus.NEW: 30, LeadStatus.CONTACTED: 35, LeadStatus.QUALIFIED: 20, LeadStatus.CONVERTED: 8,
          LeadStatus.LOST: 7}),
    (float("inf"), {LeadStatus.NEW: 8, LeadStatus.CONTACTED: 22, LeadStatus.QUALIFIED: 18, LeadStatus.CONVERTED: 26,
            LeadStatus.LOST: 26}),
]
PIPELINE = [LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED]


def _pick(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _created_at(rng, now, tz):
    """Skewed to recent days (exponential ages), quieter weekends, evenings busiest."""
    while True:
        age = rng.expovariate(1 / 40)
        if age >= DAYS:
            continue
        day = (now - dt.timedelta(days=age)).astimezone(tz).date()
        if day.weekday() >= 5 and rng.random() < 0.4:
            continue
        hour = rng.triangular(7, 22, 18)
        moment = dt.datetime.combine(day, dt.time(int(hour), int(hour % 1 * 60)), tzinfo=tz)
        if moment < now:
            return moment


def _between(rng, start, end):
    return start + (end - start) * rng.uniform(0.1, 0.9)


def seed(*, gym, rng, stdout):
    now = timezone.now()
    tz = gym.tzinfo
    branches = list(Branch.objects.for_gym(gym).order_by("name"))
    active = [branch for branch in branches if branch.is_active]
    retired = [branch for branch in branches if not branch.is_active]
    agents = list(User.objects.for_gym(gym).filter(role=Role.AGENT, is_active=True).order_by("email"))
    staff = User.objects.for_gym(gym).filter(is_active=True).order_by("role", "email").first()
    tags = list(Tag.objects.for_gym(gym).order_by("name"))
    phones = set()
    leads, activities, links = [], [], []
    for index in range(COUNT):
        created = _created_at(rng, now, tz)
        age_days = (now - created).days
        status = _pick(rng, next(weights for limit, weights in STATUSES_BY_AGE if age_days < limit))
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        phone = None
        while phone is None or phone in phones:
            phone = f"+1{rng.choice(AREA_CODES)}555{rng.randrange(10000):04d}"
        phones.add(phone)
        branch = rng.choice(retired) if retired and age_days > 60 and rng.random() < 0.1 else rng.choice(active)
        score = None if rng.random() < 0.25 else round(rng.betavariate(4 if status == LeadStatus.CONVERTED else 2, 3), 2)
        lead = Lead(
            gym=gym, branch=branch, first_name=first, last_name=last, phone=phone, status=status,
            email="" if rng.random() < 0.15 else f"{first}.{last}{index}@example.com".lower().replace("'", ""),
            source=_pick(rng, SOURCES), interest=rng.choice(INTERESTS), notes=rng.choice(NOTES),
            interest_location=branch.name, score=score, do_not_call=rng.random() < 0.04,
            assigned_to=rng.choice(agents) if agents and rng.random() < 0.7 else None,
            lost_reason=rng.choice(LOST_REASONS) if status == LeadStatus.LOST and rng.random() < 0.9 else "",
        )
        lead.demo_created = created
        leads.append(lead)
        lead_tags = rng.sample(tags, k=min(len(tags), rng.choice([0, 0, 0, 1, 1, 2])))
        links += [LeadTag(gym=gym, lead=lead, tag=tag) for tag in lead_tags]
        activities += _history(rng, lead, created, now, lead_tags, staff=lead.assigned_to or staff)
    Lead.objects.for_gym(gym).bulk_create(leads)
    LeadTag.objects.for_gym(gym).bulk_create(links)
    LeadActivity.objects.for_gym(gym).bulk_create(activities)
    # auto_now_add stamped everything "now": put the history back in the past.
    for lead in leads:
        lead.created_at = lead.demo_created
        lead.updated_at = max([lead.demo_created, *lead.demo_changes])
    for activity in activities:
        activity.updated_at = activity.created_at = activity.demo_at
    Lead.objects.for_gym(gym).bulk_update(leads, ["created_at", "updated_at"])
    LeadActivity.objects.for_gym(gym).bulk_update(activities, ["created_at", "updated_at"])
    stdout.write(f"Leads: {len(leads)} with {len(links)} tags and {len(activities)} timeline entries.")


# Who creates a lead, by source: forms and ads arrive by themselves, the voice agent takes calls,
# staff type in walk-ins and referrals.
CREATORS = {LeadSource.WEBSITE: (ActorType.SYSTEM, "Website form"), LeadSource.SOCIAL: (ActorType.SYSTEM, "Social ads"),
            LeadSource.PHONE: (ActorType.VOICE_AGENT, "AI voice agent")}


def _history(rng, lead, created, now, tags, staff):
    """The timeline that led to the lead's current state, oldest first."""
    entries = []

    def add(kind, at, description, data, creator=None):
        user = None if creator else staff
        actor_type, name = creator or (ActorType.USER, user.full_name)
        entry = LeadActivity(gym=lead.gym, lead=lead, type=kind, description=description, data=data,
                             actor_type=actor_type, actor_user=user, actor_name=name)
        entry.demo_at = at
        entries.append(entry)
        return at

    moment = add(ActivityType.LEAD_CREATED, created, "Lead created", {"status": LeadStatus.NEW, "source": lead.source},
                 creator=CREATORS.get(lead.source))
    if lead.assigned_to:
        moment = add(ActivityType.ASSIGNED, _between(rng, moment, min(now, moment + dt.timedelta(hours=6))),
                     f"Assigned to {lead.assigned_to.full_name}", {"from": None, "to": str(lead.assigned_to.pk)})
    for tag in tags:
        moment = add(ActivityType.TAG_ADDED, _between(rng, moment, now), f'Tag "{tag.name}" added',
                     {"tag_id": str(tag.pk), "name": tag.name})
    if lead.status in PIPELINE:
        steps = PIPELINE[1:PIPELINE.index(lead.status) + 1]
    else:  # converted or lost, after being contacted (and often qualified)
        steps = [*PIPELINE[1:rng.choice([2, 3])], lead.status]
    previous = LeadStatus.NEW
    for status in steps:
        moment = _between(rng, moment, now)
        reason = f" (reason: {lead.lost_reason})" if status == LeadStatus.LOST and lead.lost_reason else ""
        add(ActivityType.STATUS_CHANGED, moment,
            f"Status changed from {LeadStatus(previous).label} to {LeadStatus(status).label}{reason}",
            {"from": previous, "to": status, "lost_reason": lead.lost_reason if status == LeadStatus.LOST else ""})
        lead.stage_reached = stage_after(lead.stage_reached, status)
        previous = status
    if lead.do_not_call:
        add(ActivityType.DO_NOT_CALL_SET, _between(rng, moment, now), "Marked do-not-call", {"value": True})
    lead.demo_changes = [entry.demo_at for entry in entries]
    return entries
