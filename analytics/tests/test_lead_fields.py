"""The lead fields analytics read: ``stage_reached`` (the funnel) and ``first_called_at`` (speed to
lead), kept by every write that changes them, and backfilled by the leads migration."""

import datetime as dt
import importlib
import io

from django.db import connection
from django.utils import timezone

from calls import services as call_services
from leads import importer
from leads import services as lead_services
from leads.activity import Actor
from leads.models import ActivityType, Lead
from leads.tests.factories import LeadActivityFactory, LeadFactory

from .factories import CallFactory

SYSTEM = Actor.system()
backfill_migration = importlib.import_module("leads.migrations.0004_stage_reached_first_called_at")


def _stage(lead):
    return Lead.all_gyms.get(pk=lead.pk).stage_reached


def test_lost_does_not_take_back_the_stage_a_lead_reached(gym):
    lead = lead_services.lead_create(gym=gym, actor=SYSTEM, first_name="A", last_name="B", phone="+12125550100")
    assert _stage(lead) == "new"
    lead_services.lead_set_status(lead=lead, status="qualified", actor=SYSTEM)
    lead_services.lead_set_status(lead=lead, status="lost", actor=SYSTEM)
    assert _stage(lead) == "qualified"
    lead_services.lead_set_status(lead=lead, status="contacted", actor=SYSTEM)
    assert _stage(lead) == "qualified"
    lead_services.lead_set_status(lead=lead, status="converted", actor=SYSTEM)
    assert _stage(lead) == "converted"


def test_a_lead_created_converted_has_reached_converted(gym):
    lead = lead_services.lead_create(gym=gym, actor=SYSTEM, first_name="A", last_name="B", phone="+12125550101",
                                     status="converted")
    assert _stage(lead) == "converted"


def test_a_completed_call_moves_a_new_lead_to_the_contacted_stage(gym):
    lead = lead_services.lead_create(gym=gym, actor=SYSTEM, first_name="A", last_name="B", phone="+12125550102")
    call_services.call_create(gym=gym, actor=SYSTEM, lead=lead, status="completed", duration=60)
    assert (Lead.all_gyms.get(pk=lead.pk).status, _stage(lead)) == ("contacted", "contacted")


def test_an_import_sets_and_advances_the_stage(gym):
    existing = lead_services.lead_create(gym=gym, actor=SYSTEM, first_name="A", last_name="B", phone="+12125550103")
    csv = ("first_name,last_name,phone,status\n"
           "A,B,+12125550103,qualified\n"
           "C,D,+12125550104,converted\n"
           "E,F,+12125550105,lost\n")
    importer.lead_import(gym=gym, actor=SYSTEM, file=io.BytesIO(csv.encode()), on_duplicate="update")
    stages = dict(Lead.all_gyms.filter(gym=gym).values_list("phone", "stage_reached"))
    assert stages == {existing.phone: "qualified", "+12125550104": "converted", "+12125550105": "new"}


def test_first_called_at_is_the_first_placed_call_and_follows_deletes(gym):
    lead = LeadFactory(gym=gym)
    start = timezone.now() - dt.timedelta(hours=5)
    queued = call_services.call_create(gym=gym, actor=SYSTEM, lead=lead)  # not placed: not a first call
    assert Lead.all_gyms.get(pk=lead.pk).first_called_at is None
    later = call_services.call_create(gym=gym, actor=SYSTEM, lead=lead, status="completed", start_time=start)
    first = call_services.call_create(gym=gym, actor=SYSTEM, lead=lead, status="missed",
                                      start_time=start - dt.timedelta(hours=1))
    assert Lead.all_gyms.get(pk=lead.pk).first_called_at == first.start_time
    call_services.call_delete(call=first, actor=SYSTEM)
    assert Lead.all_gyms.get(pk=lead.pk).first_called_at == later.start_time
    call_services.call_update(call=later, actor=SYSTEM, status="canceled")
    call_services.call_delete(call=queued, actor=SYSTEM)
    assert Lead.all_gyms.get(pk=lead.pk).first_called_at is None


def test_the_migration_backfills_both_fields_from_calls_and_the_timeline(gym):
    lost = LeadFactory(gym=gym, status="lost")
    LeadActivityFactory(gym=gym, lead=lost, type=ActivityType.STATUS_CHANGED, data={"from": "new", "to": "qualified"})
    LeadActivityFactory(gym=gym, lead=lost, type=ActivityType.STATUS_CHANGED, data={"from": "qualified", "to": "lost"})
    converted = LeadFactory(gym=gym, status="converted")
    fresh = LeadFactory(gym=gym)
    start = timezone.now() - dt.timedelta(days=1)
    CallFactory(gym=gym, lead=lost, start_time=start, status="queued")
    CallFactory(gym=gym, lead=lost, start_time=start + dt.timedelta(hours=1), status="voicemail")
    CallFactory(gym=gym, lead=lost, start_time=start + dt.timedelta(hours=2))

    class Editor:
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    backfill_migration.backfill(None, Editor())
    rows = {row.pk: row for row in Lead.all_gyms.filter(gym=gym)}
    assert rows[lost.pk].stage_reached == "qualified"
    assert rows[lost.pk].first_called_at == start + dt.timedelta(hours=1)
    assert (rows[converted.pk].stage_reached, rows[converted.pk].first_called_at) == ("converted", None)
    assert rows[fresh.pk].stage_reached == "new"
