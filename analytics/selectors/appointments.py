"""GET /api/analytics/appointments: appointments dated in the period by status and type, show,
no-show and cancel rates, the show-rate ladder's confirmation and no-show recovery rates, per
bucket, and per branch."""

from analytics.counting import Cell
from analytics.facts import APPOINTMENTS
from tenants.models import Branch

from .common import Ask, breakdown, breakdown_cells, period_payload, rate, series

SERIES = {"total": Cell("total"), "completed": Cell("completed"), "no_show": Cell("no_show")}
LADDER = {"confirmation_called": Cell("confirmation_called"), "confirmed_by_call": Cell("confirmed_by_call"),
          "no_show_rebooked": Cell("no_show_rebooked")}
BRANCH_MEASURES = {name: cell.measure for name, cell in {**SERIES, **LADDER}.items()}


def _rates(numbers: dict) -> dict:
    """The ladder's rates (docs/analytics.md) from a row of counts."""
    return {"confirmation_rate": rate(numbers["confirmed_by_call"], numbers["confirmation_called"]),
            "no_show_recovery_rate": rate(numbers["no_show_rebooked"], numbers["no_show"])}


def appointments_analytics(ask: Ask) -> dict:
    count = ask.counter(APPOINTMENTS)
    totals = count.totals({**SERIES, **LADDER, **breakdown_cells(APPOINTMENTS, "status"),
                           **breakdown_cells(APPOINTMENTS, "type")})
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
        **_rates(totals),
        "confirmation_calls": totals["confirmation_called"],
        "confirmed_by_call": totals["confirmed_by_call"],
        "no_shows_rebooked": totals["no_show_rebooked"],
        "series": series(ask, count.series(SERIES, ask.granularity), dict.fromkeys(SERIES, 0)),
        "by_branch": _by_branch(ask, count),
    }


def _by_branch(ask: Ask, count) -> list[dict]:
    """Every branch of the gym (only the asked one with ``branch_id``), by name, zeros included."""
    counted = count.grouped(BRANCH_MEASURES, by="branch")
    branches = Branch.objects.for_gym(ask.gym).order_by("name", "id")
    if ask.branch is not None:
        branches = branches.filter(pk=ask.branch.pk)
    rows = []
    for branch_id, name in branches.values_list("id", "name"):
        numbers = counted.get(str(branch_id), dict.fromkeys(BRANCH_MEASURES, 0))
        completed, no_show = numbers["completed"], numbers["no_show"]
        rows.append({"branch_id": branch_id, "name": name, "total": numbers["total"], "completed": completed,
                     "show_rate": rate(completed, completed + no_show), "no_show": no_show,
                     "no_show_rate": rate(no_show, completed + no_show), **_rates(numbers)})
    return rows
