"""The leads' part of the isolation world (see reps_dashboard/tests/isolation_world.py)."""

import gzip

from leads.models import ActorType, Lead, LeadImportErrors, LeadImportJob
from tenants.models import Branch, Tag

from .factories import LeadActivityFactory, LeadFactory, LeadTagFactory

# exclude_leads (GET /api/leads/prioritized) is an id filter like any other: foreign ids are 400.
ID_PARAMS = {"lead_id": Lead, "exclude_leads": Lead, "import_id": LeadImportJob, "report_id": LeadImportErrors}


def populate(side):
    m = side.marker
    lead = side.add(LeadFactory(
        gym=side.gym, branch=side.get(Branch), assigned_to=side.admin, first_name=m, last_name=f"{m} Doe",
        email=f"{m.lower()}@example.com", phone="+12125550123", notes=f"{m} notes", interest=f"{m} interest",
        interest_location=f"{m} location", lost_reason="", last_conversation_summary=f"{m} summary"))
    side.add(LeadFactory(gym=side.gym, branch=None, first_name=f"{m} second", last_name=m, phone="+12125550124",
                         email="", notes=f"{m} never called"))
    side.add(LeadTagFactory(gym=side.gym, lead=lead, tag=side.get(Tag)))
    side.add(LeadActivityFactory(gym=side.gym, lead=lead, description=f"{m} activity", actor_type=ActorType.USER,
                                 actor_user=side.admin, actor_name=f"{m} admin", data={"note": m}))
    side.add(LeadImportJob.all_gyms.create(gym=side.gym, file_name=f"{m} leads.csv", status="completed",
                                           total=1, processed=1, error="",
                                           result={"total": 1, "created": 1, "updated": 0, "skipped": 0,
                                                   "failed": 0, "errors": []}))
    side.add(LeadImportErrors.all_gyms.create(gym=side.gym, file_name=f"{m}.csv", failed_rows=1,
                                              csv_gzip=gzip.compress(f"row,first_name,errors\n2,{m},bad\n".encode())))
