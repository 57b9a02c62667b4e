"""A small gym whose analytics were worked out by hand (tests/test_numbers.py has the answers).

New York time; the period is Sat 2026-03-07 .. Mon 2026-03-09, around the spring-forward change on
Sunday the 8th (02:00 EST -> 03:00 EDT: a 23-hour day). Branches "Main" and "North". Each row's
comment says why it is there.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from tenants.tests.factories import BranchFactory

from .factories import AppointmentFactory, CallFactory, CampaignFactory, lead_at

NY = ZoneInfo("America/New_York")


def at(month, day, hour, minute=0, second=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=NY)


def build(gym, main):
    north = BranchFactory(gym=gym, name="North")
    spring, winter = CampaignFactory(gym=gym, name="Spring"), CampaignFactory(gym=gym, name="Winter")

    # Leads: stage_reached and first_called_at as the services would have left them.
    l1 = lead_at(at(3, 7, 23, 30), gym=gym, branch=main, source="website", status="converted",  # 23:30 local: the 7th
                 stage_reached="converted", first_called_at=at(3, 7, 23, 33))  # 3 minutes
    l2 = lead_at(at(3, 8, 0, 30), gym=gym, branch=main, source="phone", status="lost",  # was qualified, then lost
                 stage_reached="qualified", first_called_at=at(3, 8, 3, 30))  # 2 hours (the clock skipped one)
    lead_at(at(3, 8, 23, 59), gym=gym, branch=north, source="website", status="contacted",  # never called
            stage_reached="contacted")
    l4 = lead_at(at(3, 9, 10, 0), gym=gym, branch=north, source="referral", status="new",
                 first_called_at=at(3, 9, 10, 4))  # 4 minutes
    l5 = lead_at(at(3, 6, 23, 0), gym=gym, branch=main, source="website")  # the previous period
    lead_at(at(3, 10, 0, 0), gym=gym, branch=main, source="website")  # the first instant after the period

    # Calls, by start_time.
    CallFactory(gym=gym, lead=l1, branch=main, start_time=at(3, 7, 23, 33), direction="outbound",
                status="completed", outcome="appointment_booked", sentiment="positive", duration=300, campaign=spring)
    CallFactory(gym=gym, lead=l2, branch=main, start_time=at(3, 8, 3, 30), direction="outbound",
                status="completed", outcome="information_provided", sentiment="neutral", duration=100)
    CallFactory(gym=gym, lead=l4, branch=north, start_time=at(3, 9, 10, 4), direction="inbound",
                status="completed", outcome="appointment_booked", duration=None, campaign=spring)  # no duration
    CallFactory(gym=gym, lead=l4, branch=north, start_time=at(3, 9, 23, 59, 59), direction="outbound",
                status="missed", outcome="no_answer", duration=None, campaign=winter)
    CallFactory(gym=gym, lead=l4, branch=north, start_time=None, scheduled_at=at(3, 8, 12), status="queued",
                duration=None)  # not started: not counted
    CallFactory(gym=gym, lead=l1, branch=main, start_time=at(3, 10, 0, 0), duration=50)  # after the period
    CallFactory(gym=gym, lead=l5, branch=main, start_time=at(3, 6, 12), duration=60)  # the previous period

    # Appointments, by date.
    AppointmentFactory(gym=gym, lead=l1, branch=main, date=at(3, 7, 10), type="tour", status="completed")
    AppointmentFactory(gym=gym, lead=l2, branch=main, date=at(3, 8, 1, 30), type="consultation", status="no_show")
    AppointmentFactory(gym=gym, lead=l4, branch=north, date=at(3, 8, 23, 30), type="tour", status="canceled")
    AppointmentFactory(gym=gym, lead=l4, branch=north, date=at(3, 9, 9), type="training", status="scheduled")
    AppointmentFactory(gym=gym, lead=l4, branch=north, date=at(3, 10, 9), type="tour")  # after the period
    AppointmentFactory(gym=gym, lead=l5, branch=main, date=at(3, 5, 9), type="tour", status="completed")  # previous
    return {"main": main, "north": north, "spring": spring, "winter": winter}
