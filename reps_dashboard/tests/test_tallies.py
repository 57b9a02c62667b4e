"""The lead and appointment tallies (reps_dashboard/tally.py) stay exact whatever writes the rows,
and the list totals they answer agree with COUNT(*) for every filter combination; lists the
tally cannot answer (search, tag, dates, a lead's appointments) still count rows.
(The call tally has its own tests: calls/tests/test_tally_and_paging.py.)"""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.db.models import Count

from appointments import services as appointment_services
from appointments.models import Appointment, AppointmentTally
from appointments.tests.factories import AppointmentFactory, next_week
from leads import services as lead_services
from leads.activity import Actor
from leads.models import Lead, LeadTally
from leads.tests.factories import LeadFactory, LeadTagFactory
from reps_dashboard import tally
from tenants.tests.factories import BranchFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

NIL = "00000000-0000-0000-0000-000000000000"


def _key(value):
    return str(value or NIL)


def lead_truth(gym):
    rows = Lead.all_gyms.filter(gym=gym).values("branch_id", "status", "source").annotate(n=Count("pk"))
    return {(_key(r["branch_id"]), r["status"], r["source"]): r["n"] for r in rows}


def lead_tallied(gym):
    return {(str(r.branch_key), r.status, r.source): r.leads
            for r in LeadTally.objects.filter(gym_id=gym.pk)}


def appointment_truth(gym):
    rows = Appointment.all_gyms.filter(gym=gym).values("branch_id", "status", "type").annotate(n=Count("pk"))
    return {(_key(r["branch_id"]), r["status"], r["type"]): r["n"] for r in rows}


def appointment_tallied(gym):
    return {(str(r.branch_key), r.status, r.type): r.appointments
            for r in AppointmentTally.objects.filter(gym_id=gym.pk)}


def test_lead_tally_follows_every_kind_of_write(gym, other_gym, branch, admin_user):
    actor = Actor.for_user(admin_user)
    coach = UserFactory(gym=gym, branch=branch)
    second = BranchFactory(gym=gym)
    lead = lead_services.lead_create(gym=gym, actor=actor, first_name="Jane", last_name="Doe", phone="+12125550100",
                                     branch=branch, source="website")
    other = lead_services.lead_create(gym=gym, actor=actor, first_name="Ann", last_name="Lee", phone="+12125550101")
    lead_services.lead_set_status(lead=lead, actor=actor, status="contacted")
    lead_services.lead_update(lead=lead, actor=actor, assigned_to=coach, branch=second)
    lead_services.lead_update(lead=other, actor=actor, notes="no tally change")
    LeadFactory.create_batch(3, gym=gym, branch=branch, status="qualified")
    Lead.all_gyms.bulk_create([Lead(gym=gym, first_name=f"Bulk {n}", last_name="Roe", phone=f"+1212555020{n}", source="referral")
                               for n in range(4)])
    Lead.all_gyms.filter(gym=gym, source="referral").update(status="lost", assigned_to=coach)
    Lead.all_gyms.filter(gym=gym, status="qualified")[:1].get().delete()
    lead_services.lead_delete(lead=other, actor=actor)
    LeadFactory(gym=other_gym)
    assert lead_tallied(gym) == lead_truth(gym)
    assert sum(lead_truth(gym).values()) == Lead.all_gyms.filter(gym=gym).count() == 7
    assert lead_tallied(other_gym) == lead_truth(other_gym)


def test_appointment_tally_follows_every_kind_of_write(gym, other_gym, branch, admin_user):
    actor = Actor.for_user(admin_user)
    coach = UserFactory(gym=gym, branch=branch)
    lead = LeadFactory(gym=gym, branch=branch)
    booked = appointment_services.appointment_book(gym=gym, actor=actor, lead=lead, type="tour", start=next_week(9),
                                                   duration=30, branch=branch, staff=coach)
    moved = appointment_services.appointment_reschedule(appointment=booked, actor=actor, start=next_week(11))
    appointment_services.appointment_set_status(appointment=moved, actor=actor, status="confirmed")
    appointment_services.appointment_update(appointment=moved, actor=actor, type="consultation", staff=None)
    AppointmentFactory.create_batch(3, gym=gym, branch=branch, status="completed",
                                    date=dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC))
    Appointment.all_gyms.filter(gym=gym, status="completed").update(status="no_show", staff=coach)
    Appointment.all_gyms.filter(gym=gym, status="no_show")[:1].get().delete()
    AppointmentFactory(gym=other_gym)
    assert appointment_tallied(gym) == appointment_truth(gym)
    assert sum(appointment_truth(gym).values()) == Appointment.all_gyms.filter(gym=gym).count() == 4
    assert appointment_tallied(other_gym) == appointment_truth(other_gym)


def test_deleting_a_gym_leaves_no_lead_or_appointment_tally_behind(gym, other_gym):
    AppointmentFactory.create_batch(2, gym=gym)
    LeadFactory(gym=other_gym)
    AppointmentFactory(gym=other_gym)
    Appointment.all_gyms.filter(gym=gym).delete()
    Lead.all_gyms.filter(gym=gym).delete()
    assert not LeadTally.objects.filter(gym_id=gym.pk).exists()
    assert not AppointmentTally.objects.filter(gym_id=gym.pk).exists()
    assert LeadTally.objects.filter(gym_id=other_gym.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL: session_replication_role")
def test_rebuild_restores_tallies_after_a_load_without_triggers(gym, db_owner):
    LeadFactory.create_batch(2, gym=gym)
    with db_owner(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # as bench/datagen.py loads
        try:
            LeadFactory.create_batch(3, gym=gym)  # a bulk load the tally does not see
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
    assert lead_tallied(gym) != lead_truth(gym)
    with db_owner():
        tally.rebuild_all()
    assert lead_tallied(gym) == lead_truth(gym)


def test_install_replaces_outdated_triggers(gym, db_owner):
    """A release that changes a tally's key must not leave the old triggers writing the old key."""
    from dataclasses import replace

    spec = LeadTally.tally
    LeadFactory(gym=gym)
    older = replace(spec, keys=spec.keys[:-1])  # the same tally, one column fewer
    with db_owner():
        assert spec.install() is False
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # the old function body behind the same triggers
                cursor.execute(older._pg_create()[0])
            else:  # the old insert trigger
                cursor.execute("DROP TRIGGER leads_tally_insert")
                cursor.execute(older._sqlite_create()[len(older.triggers)])
        assert spec._up_to_date(connection) is False
        assert spec.install() is True
        assert spec._up_to_date(connection) is True
    LeadFactory(gym=gym, status="lost")
    assert lead_tallied(gym) == lead_truth(gym)


def test_install_recreates_a_missing_lead_trigger(gym, db_owner):
    spec = LeadTally.tally
    LeadFactory(gym=gym)
    with db_owner(), connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER leads_tally_update" + (" ON leads_lead" if connection.vendor == "postgresql" else ""))
    with db_owner():
        assert spec.install() is True
        assert spec.install() is False
    Lead.all_gyms.filter(gym=gym).update(status="lost")
    assert lead_tallied(gym) == lead_truth(gym)


# --- the list totals --------------------------------------------------------------------------


@pytest.fixture
def pipeline(gym, other_gym, branch):
    """Leads and appointments spread over two branches, two coaches, statuses, sources and types."""
    second = BranchFactory(gym=gym)
    coaches = [UserFactory(gym=gym, branch=branch), UserFactory(gym=gym, branch=second)]
    tag = TagFactory(gym=gym)
    statuses, sources = ["new", "contacted", "lost"], ["website", "referral"]
    leads = []
    for n, (status, source, where, coach) in enumerate(itertools.product(statuses, sources, (branch, second),
                                                                        (None, *coaches))):
        leads.append(LeadFactory(gym=gym, branch=where, status=status, source=source, assigned_to=coach,
                                 first_name="Jane" if n % 5 == 0 else "Sam"))
    LeadTagFactory(gym=gym, lead=leads[0], tag=tag)
    for n, lead in enumerate(leads[:18]):
        AppointmentFactory(gym=gym, lead=lead, branch=lead.branch, staff=coaches[n % 2] if n % 3 else None,
                           status=["scheduled", "completed", "canceled"][n % 3], type=["tour", "consultation"][n % 2])
    LeadFactory.create_batch(3, gym=other_gym, status="new")  # never counted
    AppointmentFactory.create_batch(2, gym=other_gym)
    return {"branches": [branch, second], "coaches": coaches, "tag": tag, "leads": leads}


def _total(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["pagination"]["total"]


def test_lead_list_totals_from_the_tally_match_count(admin_client, gym, pipeline):
    b1, b2 = pipeline["branches"]
    c1, _ = pipeline["coaches"]
    leads = Lead.all_gyms.filter(gym=gym)
    cases = {
        "": leads,
        "?status=new,lost": leads.filter(status__in=["new", "lost"]),
        "?source=referral": leads.filter(source="referral"),
        f"?branch_id={b2.pk}&status=contacted": leads.filter(branch=b2, status="contacted"),
        # not tallied: counted
        f"?assigned_to={c1.pk}&source=website,referral": leads.filter(assigned_to=c1),
        "?search=Jane": leads.filter(first_name="Jane"),
        f"?tag={pipeline['tag'].pk}": leads.filter(tags=pipeline["tag"]),
        "?start_date=2000-01-01&status=new": leads.filter(status="new"),
    }
    for query, expected in cases.items():
        assert _total(admin_client, f"/api/leads/{query}") == expected.count() > 0, query
    assert _total(admin_client, f"/api/leads/branch/{b1.pk}?status=new") == leads.filter(branch=b1, status="new").count()


def test_appointment_list_totals_from_the_tally_match_count(admin_client, gym, pipeline):
    b1, b2 = pipeline["branches"]
    c1, _ = pipeline["coaches"]
    rows = Appointment.all_gyms.filter(gym=gym)
    lead = pipeline["leads"][1]
    cases = {
        "": rows,
        "?status=scheduled,canceled": rows.filter(status__in=["scheduled", "canceled"]),
        f"?branch_id={b1.pk}&type=tour": rows.filter(branch=b1, type="tour"),
        # not tallied: counted
        f"?staff_id={c1.pk}": rows.filter(staff=c1),
        f"?lead_id={lead.pk}": rows.filter(lead=lead),
    }
    for query, expected in cases.items():
        assert _total(admin_client, f"/api/appointments/{query}") == expected.count() > 0, query
    assert _total(admin_client, f"/api/appointments/branch/{b2.pk}") == rows.filter(branch=b2).count()
    # the branch twice (path and query), different: nothing, however the tally would sum it
    assert _total(admin_client, f"/api/appointments/branch/{b2.pk}?branch_id={b1.pk}") == 0


@pytest.mark.parametrize("url, table", [("/api/leads/?status=new", "leads_lead"),
                                        ("/api/appointments/?status=scheduled", "appointments_appointment"),
                                        ("/api/calls/?status=completed", "calls_call")])
def test_tallied_lists_never_count_their_rows(admin_client, pipeline, url, table):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(url).status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper() and f'FROM "{table}"' in q["sql"]]
    assert counts == []


def test_install_after_a_flush_leaves_no_counts_behind(gym, db_owner):
    """``flush`` empties tables in no fixed order: when the tally goes first, deleting the leads
    afterwards writes -1 counts through the triggers. The post-migrate install clears them."""
    LeadFactory.create_batch(2, gym=gym)
    with db_owner():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM leads_leadtally")
        Lead.all_gyms.all().delete()
        assert LeadTally.objects.filter(leads__lt=0).exists()
        assert LeadTally.tally.install() is False  # the triggers were up to date
    assert not LeadTally.objects.exists()
