"""The campaign scheduler on a fixed clock (the gym is in Chicago: UTC-6 in March)."""

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.management import CommandError, call_command

from calls.models import Call
from calls.tests.factories import CallFactory, CampaignFactory, CampaignLeadFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory
from tenants.tests.factories import GymFactory
from voice.scheduler import campaigns_schedule

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
MONDAY = dt.date(2026, 3, 2)


def at(day, hhmm):
    """``hhmm`` of ``day`` in Chicago, as an instant."""
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=CHICAGO)


def days(n):
    return MONDAY + dt.timedelta(days=n)


@pytest.fixture
def gym():
    return GymFactory(name="Chicago Gym", timezone="America/Chicago")


@pytest.fixture
def campaign(gym):
    return CampaignFactory(gym=gym, status="active", call_days=["mon", "tue", "wed", "thu", "fri"],
                           call_hours_start=dt.time(9), call_hours_end=dt.time(17), max_calls_per_day=100,
                           retry_attempts=2, retry_gap_days=1)


def member(campaign, **fields):
    lead = LeadFactory(gym=campaign.gym, **fields)
    CampaignLeadFactory(gym=campaign.gym, campaign=campaign, lead=lead)
    return lead


def run(gym, now):
    [result] = campaigns_schedule(gym=gym, now=now)
    return result


def queued_leads(campaign):
    return set(Call.all_gyms.filter(campaign=campaign, status="queued").values_list("lead_id", flat=True))


def attempt(campaign, lead, when, status="missed", outcome=None, **fields):
    return CallFactory(gym=campaign.gym, lead=lead, campaign=campaign, status=status, outcome=outcome, start_time=when,
                       **fields)


class TestWhen:
    def test_queues_a_call_for_each_lead_spread_over_the_hours_left(self, gym, campaign):
        leads = [member(campaign) for _ in range(3)]
        result = run(gym, at(MONDAY, "10:00"))
        assert (len(result.calls), result.skipped, result.date) == (3, None, MONDAY)
        calls = Call.all_gyms.order_by("scheduled_at")
        assert {c.lead_id for c in calls} == {lead.id for lead in leads}
        assert [c.scheduled_at for c in calls] == [at(MONDAY, "10:00"), at(MONDAY, "12:20"), at(MONDAY, "14:40")]
        assert {(c.status, c.direction, c.handled_by, c.campaign_id) for c in calls} == {
            ("queued", "outbound", "ai", campaign.id)}

    @pytest.mark.parametrize("day,reason", [(days(5), "not_a_call_day"), (days(6), "not_a_call_day")])
    def test_only_on_the_campaigns_call_days(self, gym, campaign, day, reason):
        member(campaign)
        assert run(gym, at(day, "10:00")).skipped == reason
        assert not Call.all_gyms.exists()

    @pytest.mark.parametrize("hhmm,queued", [("08:59", 0), ("09:00", 1), ("16:59", 1), ("17:00", 0), ("23:30", 0)])
    def test_only_within_the_call_hours_of_the_gyms_timezone(self, gym, campaign, hhmm, queued):
        member(campaign)
        result = run(gym, at(MONDAY, hhmm))
        assert len(result.calls) == queued
        assert result.skipped == (None if queued else "outside_call_hours")

    def test_the_gyms_timezone_not_utc_decides(self, gym, campaign):
        member(campaign)
        # 16:00 UTC on Monday is 10:00 in Chicago; 08:00 UTC on Tuesday is 02:00 in Chicago.
        assert run(gym, dt.datetime(2026, 3, 3, 8, 0, tzinfo=dt.UTC)).skipped == "outside_call_hours"
        assert len(run(gym, dt.datetime(2026, 3, 2, 16, 0, tzinfo=dt.UTC)).calls) == 1

    def test_the_local_day_decides_the_call_day(self, gym, campaign):
        """Saturday 03:00 UTC is still Friday evening in Chicago (21:00): a call day, but past the hours."""
        campaign.call_hours_end = dt.time(22)
        campaign.save()
        member(campaign)
        result = run(gym, dt.datetime(2026, 3, 7, 3, 0, tzinfo=dt.UTC))
        assert (result.date, len(result.calls)) == (days(4), 1)

    @pytest.mark.parametrize("start,end,queued", [(days(1), None, 0), (None, days(-1), 0), (days(0), days(0), 1),
                                                  (days(-7), days(7), 1)])
    def test_only_within_the_campaigns_dates(self, gym, campaign, start, end, queued):
        campaign.start_date, campaign.end_date = start, end
        campaign.save()
        member(campaign)
        result = run(gym, at(MONDAY, "10:00"))
        assert (len(result.calls), result.skipped) == (queued, None if queued else "outside_dates")

    def test_inactive_campaigns_are_left_alone(self, gym, campaign):
        member(campaign)
        for status in ("draft", "paused", "completed", "canceled"):
            campaign.status = status
            campaign.save()
            assert campaigns_schedule(gym=gym, now=at(MONDAY, "10:00")) == []
            assert campaigns_schedule(gym=gym, now=at(MONDAY, "10:00"), campaign=campaign)[0].skipped == "not_active"
        assert not Call.all_gyms.exists()


class TestWho:
    def test_never_do_not_call_converted_or_lost_leads(self, gym, campaign):
        callable_ = {member(campaign, status=s).id for s in ("new", "contacted", "qualified")}
        member(campaign, do_not_call=True)
        member(campaign, status="converted")
        member(campaign, status="lost")
        run(gym, at(MONDAY, "10:00"))
        assert queued_leads(campaign) == callable_

    def test_only_the_campaigns_own_leads(self, gym, campaign):
        mine = member(campaign)
        LeadFactory(gym=gym)
        member(CampaignFactory(gym=gym, status="draft"))
        run(gym, at(MONDAY, "10:00"))
        assert queued_leads(campaign) == {mine.id}

    def test_a_lead_already_queued_or_called_today_is_skipped(self, gym, campaign):
        queued_by_staff = member(campaign)
        CallFactory(gym=gym, lead=queued_by_staff, status="queued", start_time=None, scheduled_at=at(days(3), "09:00"))
        called_today = member(campaign)
        CallFactory(gym=gym, lead=called_today, status="completed", start_time=at(MONDAY, "08:15"))
        called_yesterday = member(campaign)
        CallFactory(gym=gym, lead=called_yesterday, status="completed", start_time=at(days(-1), "18:00"))
        run(gym, at(MONDAY, "10:00"))
        assert queued_leads(campaign) == {called_yesterday.id}

    @pytest.mark.parametrize("gap,last_attempt_day,queued", [(1, -1, True), (1, -2, True), (2, -1, False),
                                                             (2, -2, True), (3, -2, False), (0, -1, True)])
    def test_retries_wait_for_the_retry_gap_in_calendar_days(self, gym, campaign, gap, last_attempt_day, queued):
        campaign.retry_gap_days = gap
        campaign.save()
        lead = member(campaign)
        attempt(campaign, lead, at(days(last_attempt_day), "16:30"), status="missed", outcome="no_answer")
        run(gym, at(MONDAY, "09:30"))
        assert queued_leads(campaign) == ({lead.id} if queued else set())

    @pytest.mark.parametrize("retry_attempts,unanswered,queued", [(2, 1, True), (2, 2, False), (3, 2, True),
                                                                  (1, 1, False), (0, 0, True), (0, 1, False)])
    def test_a_lead_unanswered_retry_attempts_times_is_not_called_again(self, gym, campaign, retry_attempts,
                                                                        unanswered, queued):
        campaign.retry_attempts = retry_attempts
        campaign.save()
        lead = member(campaign)
        statuses = ["missed", "voicemail", "completed"]  # the third: a completed call whose outcome is no_answer
        for n in range(unanswered):
            status = statuses[n % 3]
            attempt(campaign, lead, at(days(-3 - n), "11:00"), status=status,
                    outcome="no_answer" if status == "completed" else None)
        run(gym, at(MONDAY, "10:00"))
        assert queued_leads(campaign) == ({lead.id} if queued else set())

    def test_an_answered_lead_is_not_called_again(self, gym, campaign):
        answered = member(campaign)
        attempt(campaign, answered, at(days(-3), "11:00"), status="completed", outcome="callback_requested")
        failed_only = member(campaign)
        attempt(campaign, failed_only, at(days(-3), "11:00"), status="failed")
        run(gym, at(MONDAY, "10:00"))
        assert queued_leads(campaign) == {failed_only.id}

    def test_another_campaigns_attempts_do_not_count(self, gym, campaign):
        lead = member(campaign)
        other = CampaignFactory(gym=gym)
        for n in range(3):
            attempt(other, lead, at(days(-2 - n), "11:00"), status="completed", outcome="not_interested")
        run(gym, at(MONDAY, "10:00"))
        assert queued_leads(campaign) == {lead.id}

    def test_never_called_leads_first_then_the_longest_since_their_last_call(self, gym, campaign):
        campaign.max_calls_per_day = 3
        campaign.save()
        recent, old, oldest_by_staff = member(campaign), member(campaign), member(campaign)
        for lead, when in ((recent, at(days(-2), "11:00")), (old, at(days(-5), "11:00"))):
            attempt(campaign, lead, when)
            Lead.all_gyms.filter(pk=lead.pk).update(last_called=when)  # as the call services keep it
        Lead.all_gyms.filter(pk=oldest_by_staff.pk).update(last_called=at(days(-9), "11:00"))
        fresh = member(campaign)
        run(gym, at(MONDAY, "10:00"))
        calls = Call.all_gyms.filter(campaign=campaign, status="queued").order_by("scheduled_at")
        assert [call.lead_id for call in calls] == [fresh.id, oldest_by_staff.id, old.id]


class TestCapAndIdempotency:
    def test_at_most_max_calls_per_day(self, gym, campaign):
        campaign.max_calls_per_day = 2
        campaign.save()
        for _ in range(5):
            member(campaign)
        assert len(run(gym, at(MONDAY, "10:00")).calls) == 2
        assert run(gym, at(MONDAY, "11:00")).skipped == "daily_cap_reached"
        assert len(run(gym, at(days(1), "10:00")).calls) == 2  # a new day, the next two
        assert Call.all_gyms.count() == 4

    def test_calls_already_made_today_count_towards_the_cap(self, gym, campaign):
        campaign.max_calls_per_day = 3
        campaign.save()
        earlier = member(campaign)
        attempt(campaign, earlier, at(MONDAY, "09:05"), status="completed", outcome="undecided")
        attempt(campaign, member(campaign, status="lost"), at(MONDAY, "09:10"))
        for _ in range(4):
            member(campaign)
        assert len(run(gym, at(MONDAY, "10:00")).calls) == 1

    def test_running_twice_queues_nothing_more(self, gym, campaign):
        for _ in range(4):
            member(campaign)
        first = run(gym, at(MONDAY, "10:00"))
        second = run(gym, at(MONDAY, "10:05"))
        assert (len(first.calls), len(second.calls), second.skipped) == (4, 0, "no_eligible_leads")
        assert Call.all_gyms.count() == 4


class TestCommand:
    def test_runs_every_gym_and_reports(self, gym, campaign):
        member(campaign)
        elsewhere = CampaignFactory(gym=GymFactory(name="Other Gym", timezone="America/Chicago"), status="active",
                                    name="Spring", call_hours_start=dt.time(9), call_hours_end=dt.time(17))
        member(elsewhere)
        out = io.StringIO()
        call_command("run_campaigns", "--now", "2026-03-02T10:00:00-06:00", stdout=out)
        assert f"Chicago Gym / {campaign.name}: 1 calls queued for 2026-03-02" in out.getvalue()
        assert "Other Gym / Spring: 1 calls queued" in out.getvalue()
        assert out.getvalue().strip().endswith("2 calls queued.")
        call_command("run_campaigns", "--now", "2026-03-02T10:10:00-06:00", stdout=io.StringIO())
        assert Call.all_gyms.count() == 2

    def test_one_gym_and_a_naive_now_read_as_utc(self, gym, campaign):
        member(campaign)
        out = io.StringIO()
        call_command("run_campaigns", "--now", "2026-03-02T16:00:00", "--gym", str(gym.id), stdout=out)
        assert "1 calls queued." in out.getvalue()

    @pytest.mark.parametrize("args", [["--now", "monday"], ["--gym", "nope"],
                                      ["--gym", "6b1f8a4e-3c2d-4e5f-9a8b-7c6d5e4f3a2b"]])
    def test_bad_arguments_are_clear_errors(self, gym, args):
        with pytest.raises(CommandError):
            call_command("run_campaigns", *args, stdout=io.StringIO())


class TestScheduleEndpoint:
    """POST /api/settings/campaigns/{id}/schedule: the same service, at the real clock."""

    @pytest.fixture
    def always(self, gym):
        from tenants.models import CALL_DAYS

        return CampaignFactory(gym=gym, status="active", call_days=CALL_DAYS, call_hours_start=dt.time(0),
                               call_hours_end=dt.time(23, 59))

    @staticmethod
    def url(campaign_id):
        return f"/api/settings/campaigns/{campaign_id}/schedule"

    def test_managers_queue_a_campaigns_calls_now(self, manager_client, always):
        leads = {member(always).id for _ in range(2)}
        response = manager_client.post(self.url(always.id))
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["campaign_id"], body["queued"], body["skipped"]) == (str(always.id), 2, None)
        assert queued_leads(always) == leads
        again = manager_client.post(self.url(always.id)).json()
        assert (again["queued"], again["skipped"]) == (0, "no_eligible_leads")

    def test_an_inactive_campaign_says_why_nothing_was_queued(self, admin_client, always):
        always.status = "paused"
        always.save()
        member(always)
        body = admin_client.post(self.url(always.id)).json()
        assert (body["queued"], body["skipped"]) == (0, "not_active")

    def test_agents_may_not(self, agent_client, always):
        assert agent_client.post(self.url(always.id)).status_code == 403

    def test_another_gyms_campaign_is_404_like_a_random_id(self, admin_client, other_gym):
        foreign = CampaignFactory(gym=other_gym, status="active")
        for campaign_id in (foreign.id, "6b1f8a4e-3c2d-4e5f-9a8b-7c6d5e4f3a2b"):
            response = admin_client.post(self.url(campaign_id))
            assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
