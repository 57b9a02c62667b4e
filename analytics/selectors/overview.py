"""GET /api/analytics/overview: the headline numbers of the period and of the period before it
(as many local days, or as long a time, immediately before)."""

from analytics.counting import Cell
from analytics.facts import APPOINTMENTS, CALLS, LEADS

from .common import Ask, average, period_payload, rate

LEAD_CELLS = {"new": Cell("total"), "converted": Cell("converted")}
CALL_CELLS = {"total": Cell("total"), "completed": Cell("completed"), "booked": Cell("booked"),
              "completed_duration": Cell("completed_duration"), "completed_timed": Cell("completed_timed")}
APPOINTMENT_CELLS = {"total": Cell("total"), "completed": Cell("completed"), "no_show": Cell("no_show")}


def overview(ask: Ask) -> dict:
    """One query per table, for both periods."""
    previous = ask.period.previous()
    leads = ask.counter(LEADS).totals_with_previous(LEAD_CELLS, previous)
    calls = ask.counter(CALLS).totals_with_previous(CALL_CELLS, previous)
    appointments = ask.counter(APPOINTMENTS).totals_with_previous(APPOINTMENT_CELLS, previous)
    return {"period": period_payload(ask), **_numbers(leads[0], calls[0], appointments[0]),
            "previous_period": _numbers(leads[1], calls[1], appointments[1])}


def _numbers(leads, calls, appointments) -> dict:
    shown = appointments["completed"] + appointments["no_show"]
    return {
        "leads": {**leads, "conversion_rate": rate(leads["converted"], leads["new"])},
        "calls": {"total": calls["total"], "completed": calls["completed"], "appointments_booked": calls["booked"],
                  "average_duration": average(calls["completed_duration"], calls["completed_timed"])},
        "appointments": {**appointments, "show_rate": rate(appointments["completed"], shown)},
    }
