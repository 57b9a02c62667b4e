"""The ceiling for this stack on this machine: ``GET /api/leads/?limit=50`` done by hand.

The same work as the real endpoint (the same bearer-token check and user lookup, the same gym
scope in one transaction for row-level security, the same count (from the lead tally, as the
endpoint counts an unfiltered list), the same 50 leads with the same fields, tags and next
appointment), straight from ``.values()`` into orjson, without DRF's views,
serializers, filters and pagination. It lives in the benchmark only (bench/urls.py).
"""

import orjson
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, JsonResponse

from appointments.selectors import lead_next_appointment_subquery
from leads.models import Lead, LeadTag, LeadTally
from reps_dashboard.tally import tally_sum
from tenants.authentication import TenantJWTAuthentication
from tenants.scope import gym_scope

FIELDS = ["id", "first_name", "last_name", "phone", "email", "status", "source", "notes", "interest",
          "interest_location", "branch_id", "assigned_to_id", "last_conversation_summary", "last_called", "score",
          "call_count", "do_not_call", "lost_reason", "created_at", "updated_at"]
_auth = TenantJWTAuthentication()


def leads_baseline(request):
    result = _auth.authenticate_or_none(request)
    if result is None:
        return JsonResponse({"detail": "Not authenticated."}, status=401)
    user = result[0]
    try:
        page = max(1, int(request.GET.get("page", 1)))
        limit = min(100, max(1, int(request.GET.get("limit", 10))))
    except ValueError:
        return JsonResponse({"detail": "Bad page or limit."}, status=400)
    with transaction.atomic(), gym_scope(user.gym, restore_db=False):
        leads = Lead.objects.for_gym(user.gym)
        total = tally_sum(LeadTally, gym=user.gym)
        rows = list(leads.order_by("-created_at", "-id").values(
            *FIELDS, branch_name=F("branch__name"), appointment_date=lead_next_appointment_subquery(),
        )[(page - 1) * limit: page * limit])
        tags = {}
        # The page's leads are the gym's (and row-level security binds): the tags by lead id alone,
        # as the endpoint's prefetch reads them.
        for link in LeadTag.all_gyms.filter(lead_id__in=[r["id"] for r in rows]).order_by(
                "tag__name", "tag_id").values("lead_id", "tag_id", "tag__name", "tag__color"):
            tags.setdefault(link["lead_id"], []).append(
                {"id": link["tag_id"], "name": link["tag__name"], "color": link["tag__color"]})
    for row in rows:
        row["full_name"] = f"{row['first_name']} {row['last_name']}".strip()
        row["tags"] = tags.get(row["id"], [])
    body = {"data": rows, "pagination": {"total": total, "page": page, "limit": limit,
                                         "pages": max(1, -(-total // limit))}}
    return HttpResponse(orjson.dumps(body), content_type="application/json")
