"""Lead writes, for the API, the admin, imports and other apps (the voice agent, calls).

Every function takes the acting ``Actor`` and records the lead's timeline entries in the same
transaction as the change. Related rows (branch, assignee, tags) must belong to the lead's gym;
another gym's row is refused exactly like a missing one. A phone already used in the gym is a
``Conflict`` (409) carrying ``existing_id``, also when two requests race (the unique constraint
decides, inside a savepoint).
"""

import logging

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reps_dashboard.errors import INVALID_ID, Conflict
from tenants.models import Tag

from .activity import Actor, activity_record
from .models import ActivityType, Lead, LeadStage, LeadStatus, LeadTag, stage_after
from .phones import InvalidPhoneNumber, normalize_phone

logger = logging.getLogger(__name__)

# What callers may set. call_count, last_called and last_conversation_summary belong to the
# calls app, which updates them with the call row.
EDITABLE_FIELDS = frozenset({
    "first_name", "last_name", "phone", "email", "status", "source", "notes", "interest", "interest_location",
    "branch", "assigned_to", "score", "do_not_call", "lost_reason", "tags",
})
# Changes with a timeline entry of their own; lead_updated lists the other changed fields.
_OWN_ENTRY = frozenset({"status", "assigned_to", "do_not_call", "tags"})
DUPLICATE_PHONE = "A lead with this phone number already exists."


# --- create, update, delete -------------------------------------------------------------


def lead_create(*, gym, actor: Actor, **fields) -> Lead:
    """A new lead of ``gym``: ``first_name``, ``last_name`` and ``phone`` are required; ``tags``
    is a list of the gym's ``Tag`` rows. Without a ``branch`` (not even ``None``), a lead a staff
    member creates goes to that member's branch."""
    if "branch" not in fields and actor.user is not None:
        fields["branch"] = actor.user.branch
    _clean_input(fields)
    tags = _unique(fields.pop("tags", None) or [])
    _check_same_gym(gym.pk, fields, tags)
    fields["phone"] = _normalised_phone(gym, fields.get("phone", ""))
    if fields.get("status", LeadStatus.NEW) != LeadStatus.LOST:
        fields["lost_reason"] = ""
    lead = Lead(gym=gym, stage_reached=stage_after(LeadStage.NEW, fields.get("status", LeadStatus.NEW)), **fields)
    _validate(lead)
    with transaction.atomic():
        _refuse_duplicate(gym, lead)
        _save_guarding_phone(lead, force_insert=True)
        LeadTag.all_gyms.bulk_create([LeadTag(gym=gym, lead=lead, tag=tag) for tag in tags])
        activity_record(lead=lead, type=ActivityType.LEAD_CREATED, actor=actor, description="Lead created",
                        data={"status": lead.status, "source": lead.source,
                              "assigned_to_id": _id(lead.assigned_to_id), "tags": [tag.name for tag in tags]})
    return lead


def lead_update(*, lead: Lead, actor: Actor, **fields) -> Lead:
    """Changes the given fields (``tags`` replaces the set) and returns the updated lead.

    Timeline: ``status_changed`` (from, to), ``assigned``, ``do_not_call_set``, ``tag_added`` /
    ``tag_removed`` per tag, and one ``lead_updated`` naming the other fields that changed.
    Unchanged values record nothing. A status other than ``lost`` clears ``lost_reason``.
    """
    _clean_input(fields)
    gym = lead.gym
    tags = fields.pop("tags", None)
    if tags is not None:
        tags = _unique(tags)
    _check_same_gym(gym.pk, fields, tags or [])
    if "phone" in fields:
        fields["phone"] = _normalised_phone(gym, fields["phone"])
    with transaction.atomic():
        current = _locked(lead)
        before = {name: getattr(current, name) for name in fields}
        before_lost_reason = current.lost_reason
        for name, value in fields.items():
            setattr(current, name, value)
        if current.status != LeadStatus.LOST:
            current.lost_reason = ""
        changed = [name for name in fields if getattr(current, name) != before[name]]
        if current.lost_reason != before_lost_reason and "lost_reason" not in changed:
            changed.append("lost_reason")
        if changed:
            _validate(current)
            if "phone" in changed:
                _refuse_duplicate(gym, current)
            current.updated_at = timezone.now()
            saved = [*changed, "updated_at"]
            if "status" in changed:
                current.stage_reached = stage_after(current.stage_reached, current.status)
                saved.append("stage_reached")
            _save_guarding_phone(current, update_fields=saved)
            _record_changes(current, actor, before, changed)
        if tags is not None:
            _set_tags(current, tags, actor)
    return current


def lead_set_status(*, lead: Lead, status: str, actor: Actor, lost_reason: str = "") -> Lead:
    """``lost_reason`` is kept for ``lost`` only; other statuses clear it."""
    return lead_update(lead=lead, actor=actor, status=status, lost_reason=lost_reason)


def lead_set_do_not_call(*, lead: Lead, actor: Actor, value: bool = True) -> Lead:
    """The caller asked not to be called again (or staff lifted it): records ``do_not_call_set``."""
    return lead_update(lead=lead, actor=actor, do_not_call=value)


def lead_delete(*, lead: Lead, actor: Actor) -> None:
    """Deletes the lead with its timeline and tag links. The timeline goes with it, so the
    deletion is written to the application log instead."""
    lead_id, gym_id = lead.pk, lead.gym_id
    lead.delete()
    logger.info("lead %s of gym %s deleted by %s %s", lead_id, gym_id, actor.type,
                actor.user.pk if actor.user else actor.name)


# --- tags ---------------------------------------------------------------------------------


def lead_add_tags(*, lead: Lead, tags, actor: Actor) -> Lead:
    """Adds the gym's ``tags`` the lead does not carry yet (one ``tag_added`` each)."""
    tags = _unique(tags)
    _check_same_gym(lead.gym_id, {}, tags)
    with transaction.atomic():
        current = _locked(lead)
        present = set(LeadTag.all_gyms.filter(lead=current).values_list("tag_id", flat=True))
        _change_tags(current, add=[tag for tag in tags if tag.pk not in present], remove=[], actor=actor)
    return current


def lead_remove_tags(*, lead: Lead, tags, actor: Actor) -> Lead:
    """Removes the given tags from the lead (one ``tag_removed`` each); absent ones are ignored."""
    tags = _unique(tags)
    _check_same_gym(lead.gym_id, {}, tags)
    with transaction.atomic():
        current = _locked(lead)
        present = set(LeadTag.all_gyms.filter(lead=current).values_list("tag_id", flat=True))
        _change_tags(current, add=[], remove=[tag for tag in tags if tag.pk in present], actor=actor)
    return current


def _set_tags(lead, tags, actor):
    present = set(LeadTag.all_gyms.filter(lead=lead).values_list("tag_id", flat=True))
    wanted = {tag.pk for tag in tags}
    removed = list(Tag.all_gyms.filter(pk__in=present - wanted)) if present - wanted else []
    _change_tags(lead, add=[tag for tag in tags if tag.pk not in present], remove=removed, actor=actor)


def _change_tags(lead, *, add, remove, actor):
    if not add and not remove:
        return
    LeadTag.all_gyms.bulk_create([LeadTag(gym_id=lead.gym_id, lead=lead, tag=tag) for tag in add])
    if remove:
        LeadTag.all_gyms.filter(lead=lead, tag__in=remove).delete()
    for tag in add:
        activity_record(lead=lead, type=ActivityType.TAG_ADDED, actor=actor, description=f'Tag "{tag.name}" added',
                        data={"tag_id": str(tag.pk), "name": tag.name})
    for tag in remove:
        activity_record(lead=lead, type=ActivityType.TAG_REMOVED, actor=actor,
                        description=f'Tag "{tag.name}" removed', data={"tag_id": str(tag.pk), "name": tag.name})
    lead.updated_at = timezone.now()
    Lead.all_gyms.filter(pk=lead.pk).update(updated_at=lead.updated_at)


# --- timeline -----------------------------------------------------------------------------


def _record_changes(lead, actor, before, changed):
    if "status" in changed:
        old, new = before["status"], lead.status
        reason = f" (reason: {lead.lost_reason})" if lead.lost_reason else ""
        activity_record(lead=lead, type=ActivityType.STATUS_CHANGED, actor=actor,
                        description=f"Status changed from {LeadStatus(old).label} to {LeadStatus(new).label}{reason}",
                        data={"from": old, "to": new, "lost_reason": lead.lost_reason})
    if "assigned_to" in changed:
        old, new = before["assigned_to"], lead.assigned_to
        description = f"Assigned to {_person(new)}" if new else f"Unassigned (was {_person(old)})"
        activity_record(lead=lead, type=ActivityType.ASSIGNED, actor=actor, description=description,
                        data={"from": _id(old and old.pk), "to": _id(new and new.pk)})
    if "do_not_call" in changed:
        activity_record(lead=lead, type=ActivityType.DO_NOT_CALL_SET, actor=actor,
                        description="Marked do-not-call" if lead.do_not_call else "Do-not-call lifted",
                        data={"value": lead.do_not_call})
    others = [name for name in changed if name not in _OWN_ENTRY
              and not (name == "lost_reason" and "status" in changed)]
    if others:
        labels = ", ".join(Lead._meta.get_field(name).verbose_name for name in others)
        activity_record(lead=lead, type=ActivityType.LEAD_UPDATED, actor=actor, description=f"Updated {labels}",
                        data={"fields": others})


def _person(user):
    return user.full_name or user.email


# --- checks -------------------------------------------------------------------------------


def _clean_input(fields):
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable lead fields: {', '.join(sorted(unknown))}")
    for name in ("first_name", "last_name", "email", "interest", "interest_location", "lost_reason"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if fields.get("email"):
        fields["email"] = BaseUserManager.normalize_email(fields["email"])  # the domain is case-insensitive


def _check_same_gym(gym_id, fields, tags):
    """Services are called by more than the API (whose fields already look ids up in the gym)."""
    for name in ("branch", "assigned_to"):
        value = fields.get(name)
        if value is not None and value.gym_id != gym_id:
            raise ValidationError({f"{name}_id": [INVALID_ID]})
    if any(tag.gym_id != gym_id for tag in tags):
        raise ValidationError({"tags": [INVALID_ID]})


def _normalised_phone(gym, phone):
    try:
        return normalize_phone(phone, gym.country)
    except InvalidPhoneNumber as exc:
        raise ValidationError({"phone": [str(exc)]})


def _validate(lead):
    # Field rules (lengths, enums, email, score 0..1). Related rows were checked above; the
    # phone's uniqueness is the savepoint's job.
    lead.full_clean(exclude=["gym", "branch", "assigned_to"], validate_unique=False, validate_constraints=False)


def _refuse_duplicate(gym, lead):
    existing = Lead.objects.for_gym(gym).filter(phone=lead.phone).exclude(pk=lead.pk).values_list("id", flat=True)
    existing_id = existing.first()
    if existing_id is not None:
        raise Conflict(DUPLICATE_PHONE, existing_id=existing_id)


def _save_guarding_phone(lead, **save_kwargs):
    """The check above misses a concurrent insert of the same phone; the unique constraint
    catches it, and the savepoint keeps the caller's transaction usable for the 409."""
    try:
        with transaction.atomic():
            lead.save(**save_kwargs)
    except IntegrityError:
        _refuse_duplicate(lead.gym, lead)
        raise


def _locked(lead):
    """The lead's current row, locked until the transaction ends, so concurrent changes queue
    and each timeline entry compares against what was really stored."""
    return (Lead.objects.for_gym(lead.gym_id).select_related("gym", "assigned_to")
            .select_for_update(of=("self",)).get(pk=lead.pk))


def _unique(rows):
    return list({row.pk: row for row in rows}.values())


def _id(value):
    return str(value) if value is not None else None
