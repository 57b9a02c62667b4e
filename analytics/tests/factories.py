"""Rows dated exactly. A lead's ``created_at`` is stamped on insert, so ``lead_at`` sets it
afterwards with an UPDATE (which the rollup triggers follow like any other write)."""

from appointments.tests.factories import AppointmentFactory
from calls.tests.factories import CallFactory, CampaignFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory

__all__ = ["AppointmentFactory", "CallFactory", "CampaignFactory", "lead_at"]


def lead_at(created, **fields) -> Lead:
    lead = LeadFactory(**fields)
    Lead.all_gyms.filter(pk=lead.pk).update(created_at=created)
    lead.created_at = created
    return lead
