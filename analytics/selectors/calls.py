"""GET /api/analytics/calls: calls started in the period by direction, status, outcome and
sentiment, durations, per bucket, and per campaign."""

from analytics.counting import Cell
from analytics.facts import CALLS
from calls.models import Campaign

from .common import Ask, average, breakdown, breakdown_cells, period_payload, series

DIMENSIONS = ("direction", "status", "outcome", "sentiment")
SERIES = {"total": Cell("total"), "inbound": Cell("total", "direction", "inbound"),
          "outbound": Cell("total", "direction", "outbound"), "completed": Cell("completed")}
TOTALS = {"total": Cell("total"), "duration": Cell("duration"), "completed_duration": Cell("completed_duration"),
          "completed_timed": Cell("completed_timed")}


def calls_analytics(ask: Ask) -> dict:
    count = ask.counter(CALLS)
    cells = dict(TOTALS)
    for dimension in DIMENSIONS:
        cells.update(breakdown_cells(CALLS, dimension))
    totals = count.totals(cells)
    return {
        "period": period_payload(ask),
        "total": totals["total"],
        **{f"by_{dimension}": breakdown(CALLS, dimension, totals) for dimension in DIMENSIONS},
        "average_duration": average(totals["completed_duration"], totals["completed_timed"]),
        "total_duration": totals["duration"],
        "series": series(ask, count.series(SERIES, ask.granularity), dict.fromkeys(SERIES, 0)),
        "by_campaign": _by_campaign(ask, count),
    }


def _by_campaign(ask: Ask, count) -> list[dict]:
    """Campaigns with calls in the period, busiest first. Names come from one query over the
    gym's campaigns (a handful), so the number of queries does not depend on the data."""
    counted = count.grouped({"total": "total", "appointments_booked": "booked"}, by="campaign")
    names = dict(Campaign.objects.for_gym(ask.gym).values_list("id", "name"))
    rows = [{"campaign_id": campaign_id, "name": name, **counted[str(campaign_id)]}
            for campaign_id, name in names.items() if str(campaign_id) in counted]
    return sorted(rows, key=lambda row: (-row["total"], row["name"], str(row["campaign_id"])))
