"""GET /api/analytics/appointments: appointments dated in the period by status and type, show,
no-show and cancel rates, per bucket, and per branch."""

from analytics.counting import Cell
from analytics.facts import APPOINTMENTS
from tenants.models import Branch

from .common import Ask, breakdown, breakdown_cells, period_payload, rate, series

SERIES = {"total": Cell("total"), "completed": Cell("completed"), "no_show": Cell("no_show")}


def appointments_analytics(ask: Ask) -> dict:
    count = ask.counter(APPOINTMENTS)
    totals = count.totals({**SERIES, **breakdown_cells(APPOINTMENTS, "status"), **breakdown_cells(APPOINTMENTS, "type")})
    by_status = breakdown(APPOINTMENTS, "status", totals)
    completed, no_show = by_status["completed"], by_status["no_show"]
    return {
        "period": period_payload(ask),
        "total": totals["total"],
        "by_status": by_status,
        "by_type": breakdown(APPOINTMENTS, "type", totals),
        "show_rate": rate(completed, completed + no_show),
        "no_show_rate": rate(no_show, completed + no_show),
        "cancel_rate": rate(by_status["canceled"], totals["total"]),
        "series": series(ask, count.series(SERIES, ask.granularity), dict.fromkeys(SERIES, 0)),
        "by_branch": _by_branch(ask, count),
    }


def _by_branch(ask: Ask, count) -> list[dict]:
    """Every branch of the gym (only the asked one with ``branch_id``), by name, zeros included."""
    counted = count.grouped({"total": "total", "completed": "completed", "no_show": "no_show"}, by="branch")
    branches = Branch.objects.for_gym(ask.gym).order_by("name", "id")
    if ask.branch is not None:
        branches = branches.filter(pk=ask.branch.pk)
    rows = []
    for branch_id, name in branches.values_list("id", "name"):
        numbers = counted.get(str(branch_id), {"total": 0, "completed": 0, "no_show": 0})
        rows.append({"branch_id": branch_id, "name": name, "total": numbers["total"], "completed": numbers["completed"],
                     "show_rate": rate(numbers["completed"], numbers["completed"] + numbers["no_show"])})
    return rows
