"""Appointment writes: booking, updates, the status lifecycle and rescheduling.

Every write that can make an active appointment overlap another checks the rule first (a clear
409 naming the appointment in the way) and, on PostgreSQL, the exclusion constraints catch the
race between two requests that both passed the check: the loser's IntegrityError becomes the
same 409. Each change is written on the lead's timeline in the same transaction.
"""

import datetime as dt

from django.db import IntegrityError, OperationalError, transaction

from leads.activity import Actor, activity_record
from leads.models import ActivityType, ActorType
from reps_dashboard.errors import NO_SUCH_OBJECT, BusinessRuleViolation, Conflict, InvalidTransition

from .localtime import normalise
from .models import (
    BOOKABLE_STATUSES,
    DURATION_MAX,
    DURATION_MIN,
    Appointment,
    AppointmentStatus,
    AppointmentType,
)
from .selectors import appointment_conflict
from .showrate.recovery import rebooking_link_new, rebooking_link_no_show
from .showrate.withdraw import appointment_calls_withdraw

S = AppointmentStatus
DEADLOCK_DETECTED = "40P01"
TRANSITIONS = {
    S.SCHEDULED: {S.CONFIRMED, S.COMPLETED, S.CANCELED, S.NO_SHOW, S.RESCHEDULED},
    S.CONFIRMED: {S.COMPLETED, S.CANCELED, S.NO_SHOW, S.RESCHEDULED},
}


# --- checks ---------------------------------------------------------------------------------


def _belongs(gym, obj, field):
    if obj is not None and obj.gym_id != gym.pk:
        raise BusinessRuleViolation(NO_SUCH_OBJECT.format(pk_value=obj.pk), field=field)


def _check_related(*, gym, lead, branch, staff):
    _belongs(gym, lead, "lead_id")
    _belongs(gym, branch, "branch_id")
    _belongs(gym, staff, "staff_id")
    if not branch.is_active:
        raise BusinessRuleViolation("This branch is inactive; book at an active branch.", field="branch_id")
    if staff is not None and not staff.is_active:
        raise BusinessRuleViolation("This staff member is inactive.", field="staff_id")


def _check_type(type):
    if type not in AppointmentType.values:
        raise BusinessRuleViolation(f"Must be one of: {', '.join(AppointmentType.values)}.", field="type")


def _check_duration(duration):
    if not isinstance(duration, int) or not DURATION_MIN <= duration <= DURATION_MAX:
        raise BusinessRuleViolation(f"Must be between {DURATION_MIN} and {DURATION_MAX} minutes.", field="duration")


def _when(appointment):
    return f"{appointment.local_start:%Y-%m-%d %H:%M %Z}"


def _conflict_error(existing: Appointment, *, lead, staff) -> Conflict:
    when = f"from {_when(existing)} to {existing.local_end:%H:%M %Z}"
    what = f"an appointment ({existing.get_type_display().lower()}) {when}"
    if staff is not None and existing.staff_id == staff.pk:
        detail = f"{staff.full_name or staff.email} already has {what} with {existing.lead.full_name}."
    else:
        detail = f"{existing.lead.full_name} already has {what}."
    return Conflict(f"Double booking: {detail}", existing_id=existing.pk)


def _check_free(*, gym, lead, staff, start, duration, exclude_ids=()):
    existing = appointment_conflict(gym=gym, start=start, end=start + dt.timedelta(minutes=duration),
                                    lead=lead, staff=staff, exclude_ids=exclude_ids)
    if existing is not None:
        raise _conflict_error(existing, lead=lead, staff=staff)


def _lost_race(exc) -> bool:
    """An exclusion-constraint violation, or the deadlock two inserters can meet when each waits
    for the other's uncommitted row (PostgreSQL then aborts one of them)."""
    return isinstance(exc, IntegrityError) or getattr(exc.__cause__, "pgcode", None) == DEADLOCK_DETECTED


def _save_guarded(appointment: Appointment, *, exclude_ids=()):
    """Save; losing the race to a concurrent booking is the 409 the check above would have
    given, had it run a moment later (it names the winner once that one has committed)."""
    try:
        with transaction.atomic():
            appointment.save()
    except (IntegrityError, OperationalError) as exc:
        if not _lost_race(exc):
            raise
        if appointment.is_active:
            _check_free(gym=appointment.gym, lead=appointment.lead, staff=appointment.staff,
                        start=appointment.date, duration=appointment.duration, exclude_ids=exclude_ids)
        raise Conflict("The appointment conflicts with another one that was just booked; try again.")


def _created_by(actor: Actor):
    return actor.user if actor.type == ActorType.USER else None


def _record_booked(appointment: Appointment, actor: Actor, *, rescheduled_from=None):
    when = _when(appointment)
    description = f"{appointment.get_type_display()} booked for {when} at {appointment.branch.name}"
    data = {"appointment_id": str(appointment.pk), "type": appointment.type, "date": appointment.date.isoformat(),
            "duration": appointment.duration, "status": appointment.status, "branch_id": str(appointment.branch_id),
            "staff_id": str(appointment.staff_id) if appointment.staff_id else None}
    if rescheduled_from is not None:
        description = f"{description} (rescheduled from {_when(rescheduled_from)})"
        data["rescheduled_from"] = str(rescheduled_from.pk)
    activity_record(lead=appointment.lead, type=ActivityType.APPOINTMENT_BOOKED, actor=actor,
                    description=description, data=data)


def _record_status(appointment: Appointment, actor: Actor, old: str, reason: str = ""):
    new = appointment.status
    data = {"appointment_id": str(appointment.pk), "from": old, "to": new}
    description = (f"{appointment.get_type_display()} of {_when(appointment)}: "
                   f"{S(old).label.lower()} → {S(new).label.lower()}")
    if reason:
        data["reason"] = reason
        description = f"{description} ({reason})"
    activity_record(lead=appointment.lead, type=ActivityType.APPOINTMENT_STATUS_CHANGED, actor=actor,
                    description=description, data=data)


def _locked(appointment: Appointment) -> Appointment:
    """The row again, locked for this transaction: concurrent transitions of one appointment
    apply one after the other, each seeing the status the other left."""
    return (Appointment.all_gyms.select_for_update(of=("self",))
            .select_related("gym", "lead", "branch", "staff", "created_by").get(pk=appointment.pk))


def _check_transition(appointment: Appointment, status: str):
    if status not in TRANSITIONS.get(appointment.status, ()):
        allowed = ", ".join(sorted(TRANSITIONS.get(appointment.status, ()))) or "none (it is final)"
        raise InvalidTransition(f'An appointment that is "{appointment.status}" cannot become "{status}". '
                       f"Allowed: {allowed}.")


def _after_change(appointment: Appointment, actor: Actor, *, old_status: str, moved=False):
    """The show-rate ladder follows: a new no-show may already be rebooked, and queued calls about
    the appointment that no longer apply are canceled (appointments/showrate)."""
    if appointment.status == S.NO_SHOW and old_status != S.NO_SHOW:
        rebooking_link_no_show(appointment)
    if moved or appointment.status != old_status:
        appointment_calls_withdraw(appointment=appointment, actor=actor, moved=moved)


# --- services ------------------------------------------------------------------------------


@transaction.atomic
def appointment_book(*, gym, actor: Actor, lead, type, start: dt.datetime, duration: int, branch=None, staff=None,
                     status=S.SCHEDULED, notes="") -> Appointment:
    """Book ``lead`` at ``branch`` (default: the lead's). ``start`` is aware; a past start is
    allowed (a walk-in logged afterwards). 409 when it overlaps an active appointment of the
    lead or of the staff member."""
    branch = branch if branch is not None else lead.branch
    if branch is None:
        raise BusinessRuleViolation("The lead has no branch; choose one.", field="branch_id")
    _check_related(gym=gym, lead=lead, branch=branch, staff=staff)
    _check_type(type)
    _check_duration(duration)
    if status not in BOOKABLE_STATUSES:
        raise BusinessRuleViolation(f"A new appointment is one of: {', '.join(BOOKABLE_STATUSES)}.", field="status")
    appointment = Appointment(gym=gym, lead=lead, branch=branch, staff=staff, type=type, date=normalise(start),
                              duration=duration, status=status, notes=notes, created_by=_created_by(actor))
    if appointment.is_active:
        _check_free(gym=gym, lead=lead, staff=staff, start=appointment.date, duration=duration)
    _save_guarded(appointment)
    _record_booked(appointment, actor)
    rebooking_link_new(appointment)
    return appointment


@transaction.atomic
def appointment_set_status(*, appointment: Appointment, status: str, actor: Actor, reason: str = "") -> Appointment:
    """One step of the lifecycle (contract): 409 for any other. ``reason`` (why, e.g. the lead's
    words when canceling) goes on the timeline entry."""
    appointment = _locked(appointment)
    _check_transition(appointment, status)
    old = appointment.status
    appointment.status = status
    appointment.save(update_fields=["status", "updated_at"])
    _record_status(appointment, actor, old, reason)
    _after_change(appointment, actor, old_status=old)
    return appointment


@transaction.atomic
def appointment_update(*, appointment: Appointment, actor: Actor, **changes) -> Appointment:
    """Change ``type, date, duration, branch, staff, notes`` and/or ``status`` (``date`` aware).
    A status equal to the current one is no change; another must be a lifecycle step. Moving an
    active appointment is checked for overlaps like a booking; a new time clears
    ``reminder_sent`` (the reminder was for the old time)."""
    appointment = _locked(appointment)
    gym = appointment.gym
    status = changes.pop("status", appointment.status)
    if "date" in changes:
        changes["date"] = normalise(changes["date"])
    if "duration" in changes:
        _check_duration(changes["duration"])
    if "type" in changes:
        _check_type(changes["type"])
    moved = any(name in changes and changes[name] != getattr(appointment, name)
                for name in ("date", "duration", "branch", "staff"))
    if changes.get("date", appointment.date) != appointment.date:
        appointment.reminder_sent = False
    for name, value in changes.items():
        setattr(appointment, name, value)
    if moved:
        _check_related(gym=gym, lead=appointment.lead, branch=appointment.branch, staff=appointment.staff)
    old = appointment.status
    if status != old:
        _check_transition(appointment, status)
        appointment.status = status
    if moved and appointment.is_active:
        _check_free(gym=gym, lead=appointment.lead, staff=appointment.staff, start=appointment.date,
                    duration=appointment.duration, exclude_ids=[appointment.pk])
    _save_guarded(appointment, exclude_ids=[appointment.pk])
    if status != old:
        _record_status(appointment, actor, old)
    _after_change(appointment, actor, old_status=old, moved=moved)
    return appointment


@transaction.atomic
def appointment_reschedule(*, appointment: Appointment, start: dt.datetime, duration=None,
                           actor: Actor) -> Appointment:
    """Mark ``appointment`` rescheduled and book its replacement at ``start`` (same lead, branch,
    staff, type and notes; ``scheduled`` again, since the new time is not confirmed yet), in one
    transaction. The old appointment does not block the new time."""
    old = _locked(appointment)
    if not old.is_active:
        raise InvalidTransition(f'Only scheduled or confirmed appointments can be rescheduled; this one is "{old.status}".')
    duration = old.duration if duration is None else duration
    _check_duration(duration)
    _check_related(gym=old.gym, lead=old.lead, branch=old.branch, staff=old.staff)
    new = Appointment(gym=old.gym, lead=old.lead, branch=old.branch, staff=old.staff, type=old.type,
                      date=normalise(start), duration=duration, notes=old.notes, created_by=_created_by(actor),
                      rescheduled_from=old)
    _check_free(gym=old.gym, lead=old.lead, staff=old.staff, start=new.date, duration=duration,
                exclude_ids=[old.pk])
    previous = old.status
    old.status = S.RESCHEDULED
    old.save(update_fields=["status", "updated_at"])
    _save_guarded(new, exclude_ids=[old.pk])
    _record_status(old, actor, previous)
    _record_booked(new, actor, rescheduled_from=old)
    _after_change(old, actor, old_status=previous)
    rebooking_link_new(new)
    return new


def appointment_delete(*, appointment: Appointment) -> None:
    """Removes the row (managers and admins; the timeline keeps its booking entry). A
    replacement booked by rescheduling it loses its ``rescheduled_from`` link."""
    appointment.delete()
