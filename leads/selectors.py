"""Lead reads: what every lead response carries, search, the call queue, phone lookups.

Three functions here are the integration points with the calls and appointments apps:
``lead_with_extras`` (``appointment_date``), ``lead_recent_calls`` and ``lead_appointments``.
"""

import re

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q

from appointments.selectors import appointment_for_lead_detail, lead_next_appointment_subquery
from calls.selectors import call_recent_for_lead
from reps_dashboard.errors import NotFound
from tenants.models import Tag

from .models import CALLABLE_STATUSES, Lead, LeadActivity, LeadImportErrors
from .phones import InvalidPhoneNumber, normalize_phone, phone_digits

MAX_SEARCH_TERMS = 8
_PHONE_LIKE = re.compile(r"^[\d\s\-\(\)\+\.]+$")


def lead_with_extras(queryset):
    """The joins and annotations every lead read needs, in a constant number of queries:
    the branch (for ``branch_name``), the tags (one prefetch query) and ``appointment_date``.

    Tags are reached only through the links of the leads already in ``queryset`` (same gym by
    construction), so the prefetch does not depend on the ambient gym scope, which is closed
    by the time a streamed export runs.
    """
    tags = Tag.all_gyms.only("id", "name", "color").order_by("name", "id")
    return queryset.select_related("branch").prefetch_related(Prefetch("tags", queryset=tags)).annotate(
        appointment_date=lead_next_appointment_subquery(),
    )


def lead_page_rows(queryset):
    """What a list page needs, lighter than ``lead_with_extras``: the branch's name and
    ``appointment_date`` as annotations (no Branch objects), and no tag prefetch: after paging,
    ``attach_tags(page)`` reads the page's tags in one query without a queryset per lead (the
    prefetch cost about 0.1 ms a lead)."""
    return queryset.annotate(branch_name=F("branch__name"), appointment_date=lead_next_appointment_subquery())


def attach_tags(leads) -> list:
    """Sets ``tag_rows`` (the serializer's tags, by name) on each lead of a page, in one query."""
    from .models import LeadTag

    by_lead = {}
    links = (LeadTag.all_gyms.filter(lead_id__in=[lead.pk for lead in leads])  # the page's leads: one gym's
             .order_by("tag__name", "tag_id").values_list("lead_id", "tag_id", "tag__name", "tag__color"))
    for lead_id, tag_id, name, color in links:
        by_lead.setdefault(lead_id, []).append({"id": str(tag_id), "name": name, "color": color})
    for lead in leads:
        lead.tag_rows = by_lead.get(lead.pk, [])
    return leads


def lead_recent_calls(lead: Lead) -> list:
    """The lead's latest 10 calls (short form, detail view)."""
    return list(call_recent_for_lead(lead=lead))


def lead_appointments(lead: Lead) -> list:
    """The lead's upcoming and latest appointments (short form, detail view)."""
    return appointment_for_lead_detail(lead=lead)


def lead_detail(*, gym, lead_id) -> Lead:
    """One lead as its detail shows it (with the assignee); ``Lead.DoesNotExist`` otherwise."""
    return lead_with_extras(Lead.objects.for_gym(gym)).select_related("assigned_to").get(pk=lead_id)


def lead_search(queryset, *, q: str, country: str):
    """Every word of ``q`` in the names, email or phone (case-insensitive substrings of
    ``search_text``), or, when ``q`` looks like a phone number, its digits anywhere in the
    phone (``"555 0123"``, ``"+1 (212) 555-0123"``) or the very number once normalised."""
    q = q.strip()[:200]
    terms = q.lower().split()[:MAX_SEARCH_TERMS]
    if not terms:
        return queryset
    match = Q()
    for term in terms:
        match &= Q(search_text__contains=term)
    digits = phone_digits(q)
    if _PHONE_LIKE.match(q) and len(digits) >= 3:
        match |= Q(search_text__contains=digits)
        try:
            match |= Q(phone=normalize_phone(q, country))
        except InvalidPhoneNumber:
            pass  # a partial number: the digits match above is all there is
    return queryset.filter(match)


def lead_prioritized(*, gym, count: int, exclude_ids=()) -> list[Lead]:
    """The leads to call next: never-called ones first (oldest first), then the longest since
    their last call; never do-not-call, converted or lost. Two index range scans (partial
    indexes ``lead_queue_never_called`` / ``lead_queue_called``) instead of one sort."""
    callable_leads = Lead.objects.for_gym(gym).filter(do_not_call=False, status__in=CALLABLE_STATUSES)
    if exclude_ids:
        callable_leads = callable_leads.exclude(id__in=exclude_ids)
    callable_leads = lead_with_extras(callable_leads)
    never_called = list(callable_leads.filter(last_called__isnull=True).order_by("created_at", "id")[:count])
    if len(never_called) == count:
        return never_called
    called = callable_leads.filter(last_called__isnull=False).order_by("last_called", "id")
    return never_called + list(called[: count - len(never_called)])


def lead_find_by_phone(*, gym, phone: str) -> Lead | None:
    """The gym's lead with this phone however it is written (the voice agent's caller id, an
    import row); ``None`` for no such lead or a string that is not a phone number."""
    try:
        normalised = normalize_phone(phone, gym.country)
    except InvalidPhoneNumber:
        return None
    return Lead.objects.for_gym(gym).filter(phone=normalised).first()


def lead_activities(*, lead: Lead):
    return LeadActivity.objects.for_gym(lead.gym_id).filter(lead=lead).order_by("-created_at", "-id")


def lead_import_errors_get(*, gym, report_id) -> LeadImportErrors:
    """The failed rows of one of ``gym``'s imports; another gym's, a missing one and a malformed id
    are the same ``NotFound``."""
    try:
        return LeadImportErrors.objects.for_gym(gym).get(pk=report_id)
    except (LeadImportErrors.DoesNotExist, ValidationError, ValueError):
        raise NotFound()
