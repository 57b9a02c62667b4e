"""GET /api/analytics/leads: leads created in the period, by status and source, per bucket, the
funnel (leads that reached at least each stage), conversion by source and speed to lead."""

from analytics.counting import Cell
from analytics.facts import LEADS
from analytics.speed import speed_to_lead
from leads.models import LeadStage

from .common import Ask, breakdown, breakdown_cells, period_payload, rate, series

SERIES = {"new": Cell("total"), "converted": Cell("converted")}


def leads_analytics(ask: Ask) -> dict:
    count = ask.counter(LEADS)
    cells = {**SERIES, **breakdown_cells(LEADS, "status"), **breakdown_cells(LEADS, "source"),
             **breakdown_cells(LEADS, "stage")}
    # Prefixed: the converted-by-source cells' names would be the counts' names.
    cells.update({f"converted_{name}": cell for name, cell in breakdown_cells(LEADS, "source", "converted").items()})
    totals = count.totals(cells)
    by_source = breakdown(LEADS, "source", totals)
    converted_by_source = {key: totals[f"converted_source_{key}"] for key in LEADS.values("source")}
    speed = speed_to_lead(gym=ask.gym, period=ask.period, branch=ask.branch)
    median = speed["median_seconds"]
    return {
        "period": period_payload(ask),
        "total_new": totals["new"],
        "by_status": breakdown(LEADS, "status", totals),
        "by_source": by_source,
        "series": series(ask, count.series(SERIES, ask.granularity), {"new": 0, "converted": 0}),
        "funnel": _funnel(breakdown(LEADS, "stage", totals)),
        "conversion_by_source": [
            {"source": key, "leads": leads, "converted": converted_by_source[key],
             "rate": rate(converted_by_source[key], leads)}
            for key, leads in by_source.items()],
        "speed_to_lead": {
            "median_minutes": round(median / 60, 2) if median is not None else None,
            "within_5_minutes_rate": rate(speed["within_5_minutes"], totals["new"]),
        },
    }


def _funnel(by_stage: dict[str, int]) -> list[dict]:
    """Stages are ordered: a lead that reached ``qualified`` also reached ``contacted`` and ``new``."""
    stages, funnel, reached = LeadStage.values, [], 0
    for stage in reversed(stages):
        reached += by_stage[stage]
        funnel.append({"stage": stage, "count": reached})
    return funnel[::-1]
