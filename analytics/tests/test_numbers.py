"""Every number of every endpoint on the hand-built gym (tests/handbuilt.py), counted both ways
(``counting``: the rollups and the raw rows on PostgreSQL, the raw rows on SQLite)."""

import pytest

from .handbuilt import build

PERIOD = {"start_date": "2026-03-07", "end_date": "2026-03-09"}
ZERO_SOURCES = {"walk_in": 0, "social": 0, "other": 0}


@pytest.fixture
def world(gym, branch):
    return build(gym, branch)


def get(client, endpoint, **params):
    response = client.get(f"/api/analytics/{endpoint}", {**PERIOD, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_overview_counts_the_period_and_the_three_days_before(admin_client, world, counting):
    body = get(admin_client, "overview")
    assert body == {
        "period": {"start": "2026-03-07T00:00:00-05:00", "end": "2026-03-10T00:00:00-04:00",
                   "timezone": "America/New_York"},
        "leads": {"new": 4, "converted": 1, "conversion_rate": 0.25},
        "calls": {"total": 4, "completed": 3, "appointments_booked": 2, "average_duration": 200.0},
        "appointments": {"total": 4, "completed": 1, "no_show": 1, "show_rate": 0.5},
        "previous_period": {
            "leads": {"new": 1, "converted": 0, "conversion_rate": 0.0},
            "calls": {"total": 1, "completed": 1, "appointments_booked": 0, "average_duration": 60.0},
            "appointments": {"total": 1, "completed": 1, "no_show": 0, "show_rate": 1.0},
        },
    }


def test_leads_by_local_day_with_the_funnel_and_speed_to_lead(admin_client, world, counting):
    body = get(admin_client, "leads")
    assert body["total_new"] == 4
    assert body["by_status"] == {"new": 1, "contacted": 1, "qualified": 0, "converted": 1, "lost": 1}
    assert body["by_source"] == {"website": 2, "referral": 1, "phone": 1, **ZERO_SOURCES}
    # The lead of 23:30 on the 7th is on the 7th; the 23-hour 8th is one bucket.
    assert body["series"] == [{"date": "2026-03-07", "new": 1, "converted": 1},
                              {"date": "2026-03-08", "new": 2, "converted": 0},
                              {"date": "2026-03-09", "new": 1, "converted": 0}]
    # The lost lead had been qualified: it still counts up to qualified.
    assert body["funnel"] == [{"stage": "new", "count": 4}, {"stage": "contacted", "count": 3},
                              {"stage": "qualified", "count": 2}, {"stage": "converted", "count": 1}]
    assert body["conversion_by_source"] == [
        {"source": "website", "leads": 2, "converted": 1, "rate": 0.5},
        {"source": "referral", "leads": 1, "converted": 0, "rate": 0.0},
        {"source": "walk_in", "leads": 0, "converted": 0, "rate": None},
        {"source": "phone", "leads": 1, "converted": 0, "rate": 0.0},
        {"source": "social", "leads": 0, "converted": 0, "rate": None},
        {"source": "other", "leads": 0, "converted": 0, "rate": None},
    ]
    # Called after 3, 120 and 4 minutes (the fourth lead never): median 4; 2 of the 4 leads within 5.
    assert body["speed_to_lead"] == {"median_minutes": 4.0, "within_5_minutes_rate": 0.5}


def test_calls_by_start_time_with_durations_and_campaigns(admin_client, world, counting):
    body = get(admin_client, "calls")
    assert body["total"] == 4
    assert body["by_direction"] == {"inbound": 1, "outbound": 3}
    assert body["by_status"] == {"queued": 0, "in_progress": 0, "completed": 3, "failed": 0, "voicemail": 0,
                                 "missed": 1, "canceled": 0}
    assert body["by_outcome"] == {"appointment_booked": 2, "callback_requested": 0, "not_interested": 0,
                                  "undecided": 0, "no_answer": 1, "wrong_number": 0, "left_message": 0,
                                  "information_provided": 1}
    assert body["by_sentiment"] == {"positive": 1, "neutral": 1, "negative": 0}
    assert body["average_duration"] == 200.0  # (300 + 100) / 2: the completed call without a duration is left out
    assert body["total_duration"] == 400
    assert body["series"] == [
        {"date": "2026-03-07", "total": 1, "inbound": 0, "outbound": 1, "completed": 1},
        {"date": "2026-03-08", "total": 1, "inbound": 0, "outbound": 1, "completed": 1},
        {"date": "2026-03-09", "total": 2, "inbound": 1, "outbound": 1, "completed": 1},
    ]
    assert body["by_campaign"] == [
        {"campaign_id": str(world["spring"].pk), "name": "Spring", "total": 2, "appointments_booked": 2},
        {"campaign_id": str(world["winter"].pk), "name": "Winter", "total": 1, "appointments_booked": 0},
    ]


def test_appointments_by_local_day_with_rates_and_branches(admin_client, world, counting):
    body = get(admin_client, "appointments")
    assert body["total"] == 4
    assert body["by_status"] == {"scheduled": 1, "confirmed": 0, "completed": 1, "canceled": 1, "no_show": 1,
                                 "rescheduled": 0}
    assert body["by_type"] == {"consultation": 1, "assessment": 0, "training": 1, "tour": 2, "follow_up": 0,
                               "other": 0}
    assert (body["show_rate"], body["no_show_rate"], body["cancel_rate"]) == (0.5, 0.5, 0.25)
    assert body["series"] == [{"date": "2026-03-07", "total": 1, "completed": 1, "no_show": 0},
                              {"date": "2026-03-08", "total": 2, "completed": 0, "no_show": 1},
                              {"date": "2026-03-09", "total": 1, "completed": 0, "no_show": 0}]
    assert body["by_branch"] == [
        {"branch_id": str(world["main"].pk), "name": "Main", "total": 2, "completed": 1, "show_rate": 0.5,
         "no_show": 1, "no_show_rate": 0.5, "confirmation_rate": None, "no_show_recovery_rate": 0.0},
        {"branch_id": str(world["north"].pk), "name": "North", "total": 2, "completed": 0, "show_rate": None,
         "no_show": 0, "no_show_rate": None, "confirmation_rate": None, "no_show_recovery_rate": None},
    ]
    assert (body["confirmation_rate"], body["no_show_recovery_rate"]) == (None, 0.0)


def test_weeks_start_on_monday_and_months_on_the_first(admin_client, world, counting):
    weeks = get(admin_client, "leads", granularity="week")["series"]
    assert weeks == [{"date": "2026-03-02", "new": 3, "converted": 1}, {"date": "2026-03-09", "new": 1, "converted": 0}]
    months = get(admin_client, "calls", granularity="month")["series"]
    assert months == [{"date": "2026-03-01", "total": 4, "inbound": 1, "outbound": 3, "completed": 3}]
    weeks = get(admin_client, "appointments", granularity="week")["series"]
    assert weeks == [{"date": "2026-03-02", "total": 3, "completed": 1, "no_show": 1},
                     {"date": "2026-03-09", "total": 1, "completed": 0, "no_show": 0}]


def test_a_branch_filter_counts_that_branch_only(admin_client, world, counting):
    north = str(world["north"].pk)
    overview = get(admin_client, "overview", branch_id=north)
    assert overview["leads"] == {"new": 2, "converted": 0, "conversion_rate": 0.0}
    assert overview["calls"] == {"total": 2, "completed": 1, "appointments_booked": 1, "average_duration": None}
    assert overview["appointments"] == {"total": 2, "completed": 0, "no_show": 0, "show_rate": None}
    assert overview["previous_period"]["leads"]["new"] == 0
    leads = get(admin_client, "leads", branch_id=north)
    assert leads["series"] == [{"date": "2026-03-07", "new": 0, "converted": 0},
                               {"date": "2026-03-08", "new": 1, "converted": 0},
                               {"date": "2026-03-09", "new": 1, "converted": 0}]
    assert leads["speed_to_lead"] == {"median_minutes": 4.0, "within_5_minutes_rate": 0.5}
    calls = get(admin_client, "calls", branch_id=north)
    assert calls["by_campaign"] == [
        {"campaign_id": str(world["spring"].pk), "name": "Spring", "total": 1, "appointments_booked": 1},
        {"campaign_id": str(world["winter"].pk), "name": "Winter", "total": 1, "appointments_booked": 0},
    ]
    appointments = get(admin_client, "appointments", branch_id=north)
    assert [row["name"] for row in appointments["by_branch"]] == ["North"]
    assert appointments["cancel_rate"] == 0.5


def test_a_window_without_data_has_zeros_and_null_rates(admin_client, world, counting):
    empty = {"start_date": "2025-01-01", "end_date": "2025-01-31"}
    overview = get(admin_client, "overview", **empty)
    assert overview["leads"] == {"new": 0, "converted": 0, "conversion_rate": None}
    assert overview["calls"] == {"total": 0, "completed": 0, "appointments_booked": 0, "average_duration": None}
    assert overview["appointments"] == {"total": 0, "completed": 0, "no_show": 0, "show_rate": None}
    leads = get(admin_client, "leads", **empty)
    assert leads["speed_to_lead"] == {"median_minutes": None, "within_5_minutes_rate": None}
    assert len(leads["series"]) == 31 and {row["new"] for row in leads["series"]} == {0}
    assert set(leads["by_status"].values()) == {0} and [row["count"] for row in leads["funnel"]] == [0, 0, 0, 0]
    calls = get(admin_client, "calls", **empty)
    assert (calls["average_duration"], calls["total_duration"], calls["by_campaign"]) == (None, 0, [])
    appointments = get(admin_client, "appointments", **empty)
    assert (appointments["show_rate"], appointments["no_show_rate"], appointments["cancel_rate"]) == (None, None, None)
    assert [row["total"] for row in appointments["by_branch"]] == [0, 0]


def test_datetime_bounds_cut_inside_local_days(admin_client, world, counting):
    # From 03:00 EDT on the 8th (no offset: the gym's timezone) to noon on the 9th.
    body = get(admin_client, "leads", start_date="2026-03-08T03:00:00", end_date="2026-03-09T12:00:00-04:00")
    assert body["period"]["start"] == "2026-03-08T03:00:00-04:00"
    assert body["total_new"] == 2  # 23:59 on the 8th and 10:00 on the 9th; not 00:30 on the 8th
    assert body["series"] == [{"date": "2026-03-08", "new": 1, "converted": 0},
                              {"date": "2026-03-09", "new": 1, "converted": 0}]
    calls = get(admin_client, "calls", start_date="2026-03-08T03:00:00", end_date="2026-03-09T12:00:00-04:00")
    assert calls["total"] == 2


def test_the_fall_back_day_of_25_hours_is_one_bucket(admin_client, gym, branch, counting):
    from .factories import lead_at
    from .handbuilt import at

    lead_at(at(11, 2, 0, 30, year=2025), gym=gym, branch=branch)  # EDT, before the clocks go back
    lead_at(at(11, 2, 23, 30, year=2025), gym=gym, branch=branch)  # EST: 04:30 UTC on the 3rd
    lead_at(at(11, 3, 0, 0, year=2025), gym=gym, branch=branch)  # the next day
    body = get(admin_client, "leads", start_date="2025-11-02", end_date="2025-11-03")
    assert body["series"] == [{"date": "2025-11-02", "new": 2, "converted": 0},
                              {"date": "2025-11-03", "new": 1, "converted": 0}]
    assert body["period"] == {"start": "2025-11-02T00:00:00-04:00", "end": "2025-11-04T00:00:00-05:00",
                              "timezone": "America/New_York"}
