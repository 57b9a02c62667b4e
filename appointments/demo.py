"""The demo gym's appointments (seed_demo): past and future, in every status, booked through the
services over the leads the leads demo made, so no two active ones overlap."""

import datetime as dt

from django.utils import timezone

from leads.activity import Actor
from leads.models import Lead
from reps_dashboard.errors import Conflict
from tenants.models import Branch, User

from . import services
from .availability import opening_window
from .models import AppointmentType
from .showrate import demo as ladder

COUNT = 80
DURATIONS = [30, 45, 60, 60, 90]
PAST_STATUSES = ["completed", "completed", "completed", "no_show", "canceled"]
FUTURE_STATUSES = ["scheduled", "scheduled", "confirmed", "confirmed", "canceled"]
NOTES = ["", "", "Interested in personal training.", "Wants to see the pool.", "Bringing a friend.",
         "Asked about the student discount.", "Knee injury last year; go easy."]


def _start(branch, day, duration, rng):
    """A time on the half hour within the branch's opening hours that day, or None when closed."""
    window = opening_window(branch, day)
    if window is None:
        return None
    opens, closes = (moment.astimezone(dt.UTC) for moment in window)
    slots = (closes - opens - dt.timedelta(minutes=duration)) // dt.timedelta(minutes=30)
    return opens + dt.timedelta(minutes=30 * rng.randint(0, slots)) if slots >= 0 else None


def seed(*, gym, rng, stdout):
    leads = list(Lead.objects.for_gym(gym).select_related("branch").order_by("created_at", "id"))
    branches = list(Branch.objects.for_gym(gym).filter(is_active=True).order_by("name"))
    if not leads or not branches:
        stdout.write("Appointments: no leads to book, skipped.")
        return
    staff = list(User.objects.for_gym(gym).filter(is_active=True).order_by("email"))
    actors = [Actor.for_user(user) for user in staff] or [Actor.system("Demo data")]
    today = timezone.localdate(timezone=gym.tzinfo)
    booked = []
    for n in range(COUNT * 3):  # some picks collide with earlier bookings and are skipped
        if len(booked) == COUNT:
            break
        lead = rng.choice(leads)
        branch = lead.branch if lead.branch is not None and lead.branch.is_active else rng.choice(branches)
        past = n % 2 == 0
        day = today + dt.timedelta(days=rng.randint(-45, -1) if past else rng.randint(1, 21))
        duration = rng.choice(DURATIONS)
        start = _start(branch, day, duration, rng)
        if start is None:
            continue
        actor = Actor.voice_agent() if rng.random() < 0.3 else rng.choice(actors)
        status = rng.choice(PAST_STATUSES if past else FUTURE_STATUSES)
        try:
            booked.append(services.appointment_book(
                gym=gym, actor=actor, lead=lead, type=rng.choice(AppointmentType.values), start=start,
                duration=duration, branch=branch, staff=rng.choice(staff + [None]), status=status,
                notes=rng.choice(NOTES)))
        except Conflict:
            continue
    rescheduled = 0
    for appointment in [a for a in booked if a.is_active][:6]:
        day = appointment.local_start.date() + dt.timedelta(days=2)
        start = _start(appointment.branch, day, appointment.duration, rng)
        if start is None:
            continue
        try:
            services.appointment_reschedule(appointment=appointment, start=start, actor=rng.choice(actors))
            rescheduled += 1
        except Conflict:
            continue
    stdout.write(f"Appointments: {len(booked) + rescheduled} booked, {rescheduled} of them rescheduled.")
    ladder.seed(gym=gym, booked=booked, rng=rng, stdout=stdout)
