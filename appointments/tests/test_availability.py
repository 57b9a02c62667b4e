import datetime as dt
import zoneinfo

import pytest

from appointments.availability import availability, next_free_slots
from appointments.localtime import exists
from tenants.tests.factories import BranchFactory, UserFactory

from .conftest import LIST, local_day
from .factories import AppointmentFactory

pytestmark = pytest.mark.django_db

URL = f"{LIST}/availability"
NY = zoneinfo.ZoneInfo("America/New_York")
NIGHT_OWL = {day: ["00:00", "05:00"] for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}


def slots(response):
    assert response.status_code == 200, response.content
    return [(s["start_time"], s["end_time"], s["available"]) for s in response.json()["available_slots"]]


def starts(response):
    return [start for start, _, _ in slots(response)]


@pytest.fixture
def night_branch(gym):
    """Open from midnight to 05:00 every day: the daylight-saving changes happen inside its hours."""
    return BranchFactory(gym=gym, name="Night", timezone="America/New_York", opening_hours=NIGHT_OWL)


class TestRegularDay:
    def test_shape_and_slots_within_opening_hours(self, agent_client, branch):
        day = local_day()
        response = agent_client.get(URL, {"branch_id": str(branch.id), "date": day})
        body = response.json()
        assert set(body) == {"date", "timezone", "available_slots"}
        assert body["date"] == day and body["timezone"] == "America/New_York"
        weekday = dt.date.fromisoformat(day).weekday()
        opens, closes = ("06:00", "22:00") if weekday < 5 else (("08:00", "20:00") if weekday == 5 else ("08:00", "18:00"))
        found = slots(response)
        assert found[0][0][11:16] == opens and found[-1][1][11:16] == closes
        assert all(available for _, _, available in found)
        # every 30 minutes, each 60 minutes long (the default)
        first, second = (dt.datetime.fromisoformat(s) for s in starts(response)[:2])
        assert second - first == dt.timedelta(minutes=30)
        assert dt.datetime.fromisoformat(found[0][1]) - first == dt.timedelta(minutes=60)

    def test_duration_shortens_the_last_start(self, agent_client, gym):
        branch = BranchFactory(gym=gym, opening_hours={**NIGHT_OWL})
        found = slots(agent_client.get(URL, {"branch_id": str(branch.id), "date": local_day(), "duration": 180}))
        assert [s[11:16] for s, _, _ in found] == ["00:00", "00:30", "01:00", "01:30", "02:00"]

    def test_closed_day_has_no_slots(self, agent_client, gym):
        branch = BranchFactory(gym=gym, opening_hours={**NIGHT_OWL, **{d: None for d in NIGHT_OWL}})
        assert slots(agent_client.get(URL, {"branch_id": str(branch.id), "date": local_day()})) == []

    @pytest.mark.parametrize("hours", [["6am", "10pm"], ["06:00"], "06:00-22:00", ["25:00", "26:00"], 7])
    def test_malformed_stored_hours_read_as_closed(self, agent_client, gym, hours):
        branch = BranchFactory(gym=gym, opening_hours={day: hours for day in NIGHT_OWL})
        assert slots(agent_client.get(URL, {"branch_id": str(branch.id), "date": local_day()})) == []

    def test_branch_appointments_block_slots_without_staff(self, agent_client, gym, night_branch, lead):
        day = dt.date.fromisoformat(local_day())
        AppointmentFactory(gym=gym, lead=lead, branch=night_branch,
                           date=dt.datetime.combine(day, dt.time(1, 0), tzinfo=NY), duration=60)
        found = slots(agent_client.get(URL, {"branch_id": str(night_branch.id), "date": day.isoformat()}))
        taken = [start[11:16] for start, _, available in found if not available]
        assert taken == ["00:30", "01:00", "01:30"]  # back-to-back 00:00-01:00 and 02:00-03:00 stay free

    def test_with_staff_only_that_staff_members_appointments_count(self, agent_client, gym, night_branch, lead, coach):
        day = dt.date.fromisoformat(local_day())
        elsewhere = BranchFactory(gym=gym)
        AppointmentFactory(gym=gym, lead=lead, branch=elsewhere, staff=coach,
                           date=dt.datetime.combine(day, dt.time(3, 0), tzinfo=NY), duration=30)
        AppointmentFactory(gym=gym, lead=lead, branch=night_branch, staff=UserFactory(gym=gym),
                           date=dt.datetime.combine(day, dt.time(1, 0), tzinfo=NY), duration=30)
        AppointmentFactory(gym=gym, lead=lead, branch=night_branch, staff=coach, status="canceled",
                           date=dt.datetime.combine(day, dt.time(0, 0), tzinfo=NY), duration=30)
        found = slots(agent_client.get(URL, {"branch_id": str(night_branch.id), "date": day.isoformat(),
                                             "staff_id": str(coach.id), "duration": 30}))
        assert [start[11:16] for start, _, available in found if not available] == ["03:00"]

    def test_past_slots_are_unavailable(self, night_branch):
        day = dt.date(2030, 6, 4)
        now = dt.datetime.combine(day, dt.time(2, 10), tzinfo=NY)
        found = availability(branch=night_branch, day=day, duration=60, now=now)["available_slots"]
        assert [s.start_time.strftime("%H:%M") for s in found if s.available] == ["02:30", "03:00", "03:30", "04:00"]


class TestDaylightSavingDays:
    def test_spring_forward_day_has_23_hours(self, agent_client, night_branch):
        response = agent_client.get(URL, {"branch_id": str(night_branch.id), "date": "2026-03-08"})
        assert slots(response) == [
            ("2026-03-08T00:00:00-05:00", "2026-03-08T01:00:00-05:00", False),
            ("2026-03-08T00:30:00-05:00", "2026-03-08T01:30:00-05:00", False),
            ("2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", False),
            ("2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00", False),
            ("2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00", False),
            ("2026-03-08T03:30:00-04:00", "2026-03-08T04:30:00-04:00", False),
            ("2026-03-08T04:00:00-04:00", "2026-03-08T05:00:00-04:00", False),
        ]  # in the past by now: every slot is unavailable

    def test_fall_back_day_has_25_hours(self, agent_client, night_branch):
        response = agent_client.get(URL, {"branch_id": str(night_branch.id), "date": "2026-11-01", "duration": 30})
        assert starts(response) == [
            "2026-11-01T00:00:00-04:00", "2026-11-01T00:30:00-04:00", "2026-11-01T01:00:00-04:00",
            "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00",
            "2026-11-01T02:00:00-05:00", "2026-11-01T02:30:00-05:00", "2026-11-01T03:00:00-05:00",
            "2026-11-01T03:30:00-05:00", "2026-11-01T04:00:00-05:00", "2026-11-01T04:30:00-05:00",
        ]

    @pytest.mark.parametrize("day", ["2026-03-08", "2026-11-01", "2027-03-14", "2027-11-07"])
    def test_every_slot_is_a_real_local_time(self, agent_client, night_branch, day):
        for start, end, _ in slots(agent_client.get(URL, {"branch_id": str(night_branch.id), "date": day})):
            for value in (dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)):
                local = value.astimezone(NY)
                assert local.utcoffset() == value.utcoffset() and exists(local.replace(fold=0))

    def test_appointment_in_the_repeated_hour_blocks_only_its_own_occurrence(self, agent_client, gym,
                                                                             night_branch, lead):
        second_half_past_one = dt.datetime(2027, 11, 7, 6, 30, tzinfo=dt.UTC)  # 01:30 EST, the second one
        AppointmentFactory(gym=gym, lead=lead, branch=night_branch, date=second_half_past_one, duration=60)
        found = slots(agent_client.get(URL, {"branch_id": str(night_branch.id), "date": "2027-11-07"}))
        assert [start for start, _, available in found if not available] == [
            "2027-11-07T01:00:00-05:00", "2027-11-07T01:30:00-05:00", "2027-11-07T02:00:00-05:00"]

    def test_regular_hours_on_a_change_day(self, agent_client, branch):
        found = slots(agent_client.get(URL, {"branch_id": str(branch.id), "date": "2027-03-14"}))
        assert found[0][0] == "2027-03-14T08:00:00-04:00" and found[-1][1] == "2027-03-14T18:00:00-04:00"
        assert len(found) == 19


class TestParams:
    @pytest.mark.parametrize("query,field", [
        ({"date": "2027-01-05"}, "branch_id"),
        ({"date": "2027-02-30"}, "date"),
        ({"date": "9999-12-31"}, "date"),
        ({"duration": 10}, "duration"),
        ({"duration": 181}, "duration"),
        ({"staff_id": "00000000-0000-4000-8000-000000000000"}, "staff_id"),
        ({"branch_id": "00000000-0000-4000-8000-000000000000"}, "branch_id"),
    ])
    def test_bad_params_are_400(self, agent_client, branch, query, field):
        params = {"branch_id": str(branch.id), "date": "2027-01-05", **query}
        if field == "branch_id" and "branch_id" not in query:
            del params["branch_id"]
        response = agent_client.get(URL, params)
        assert response.status_code == 400 and field in response.json()

    def test_inactive_branch_is_400(self, agent_client, gym):
        branch = BranchFactory(gym=gym, is_active=False)
        response = agent_client.get(URL, {"branch_id": str(branch.id), "date": "2027-01-05"})
        assert response.status_code == 400 and "inactive" in response.json()["branch_id"][0]

    def test_other_gyms_branch_is_rejected_like_a_missing_one(self, agent_client, other_gym):
        foreign = BranchFactory(gym=other_gym)
        response = agent_client.get(URL, {"branch_id": str(foreign.id), "date": "2027-01-05"})
        assert response.status_code == 400 and "no such object" in response.json()["branch_id"][0]


class TestNextFreeSlots:
    def test_skips_taken_and_closed_times_and_counts(self, gym, lead, other_lead, coach):
        hours = {**NIGHT_OWL, "tue": None}
        branch = BranchFactory(gym=gym, opening_hours=hours)
        monday = dt.date(2030, 6, 3)
        after = dt.datetime.combine(monday, dt.time(3, 0), tzinfo=NY)
        AppointmentFactory(gym=gym, lead=other_lead, branch=branch, staff=coach, date=after, duration=60)
        found = next_free_slots(branch=branch, after=after, duration=60, staff=coach, count=4,
                                now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        assert [s.start_time.isoformat() for s in found] == [
            "2030-06-03T04:00:00-04:00",  # Monday 03:00 and 03:30 are taken; 04:00-05:00 fits before closing
            "2030-06-05T00:00:00-04:00",  # Tuesday closed
            "2030-06-05T00:30:00-04:00",
            "2030-06-05T01:00:00-04:00",
        ]
        assert all(s.available for s in found)

    def test_the_leads_own_appointments_count(self, gym, lead, coach):
        branch = BranchFactory(gym=gym, opening_hours=NIGHT_OWL)
        after = dt.datetime(2030, 6, 3, 0, 0, tzinfo=NY)
        AppointmentFactory(gym=gym, lead=lead, branch=BranchFactory(gym=gym), date=after, duration=90)
        found = next_free_slots(branch=branch, after=after, duration=30, staff=coach, lead=lead, count=1)
        assert found[0].start_time.isoformat() == "2030-06-03T01:30:00-04:00"

    def test_never_open_means_none(self, gym):
        branch = BranchFactory(gym=gym, opening_hours={d: None for d in NIGHT_OWL})
        assert next_free_slots(branch=branch, after=dt.datetime(2030, 6, 3, tzinfo=NY), duration=30) == []
