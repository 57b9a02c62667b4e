"""PostgreSQL's own net under the application's gym scoping (tenants/rls.py).

Structural: every tenant table has row-level security forced with its policies, every reference
between tenant rows has its same-gym key. Behavioural: without a gym the database returns no rows
and refuses writes; a view that forgot its gym filter still shows one gym only; a timeline entry
pointing at another gym's lead is refused by the database itself.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ManyToManyField

from tenants import rls, rls_install
from tenants.models import GymOwned, Tag
from tenants.tests.factories import BranchFactory, TagFactory, UserFactory
from tenants.views import TagViewSet

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's"),
]

# Authentication principals, looked up before any gym is known (docs/security.md).
NOT_TENANT_TABLES = {"tenants_gym", "tenants_user"}


def _tables_with_gym_column():
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.columns "
                       "WHERE table_schema = 'public' AND column_name = 'gym_id'")
        return {row[0] for row in cursor.fetchall()}


def _without_bypass():
    """Act like production outside any scope: no gym, no bypass (until the test's transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.rls_bypass', 'off', true), set_config('app.gym_id', '', true)")


def test_the_suite_runs_as_a_role_that_row_level_security_binds():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        user, superuser, bypass = cursor.fetchone()
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE tablename = 'leads_lead'")
        owner = cursor.fetchone()[0]
    assert not superuser and not bypass and user != owner


def test_every_tenant_table_has_forced_row_level_security_and_its_policies():
    state = rls_install.state()
    tables = {model._meta.db_table for model in rls_install.tenant_models()}
    assert {"leads_lead", "leads_leadactivity", "tenants_branch", "knowledge_knowledgeentry"} <= tables
    for table in tables:
        assert state["flags"][table] == (True, True), f"{table}: row-level security not enabled and forced"
        assert {rls_install.POLICY_ISOLATION, rls_install.POLICY_BYPASS} <= state["policies"].get(table, set()), table
    # A table holding gym data must be a tenant model's (so it gets the policies above).
    assert _tables_with_gym_column() - NOT_TENANT_TABLES == tables


def test_no_many_to_many_table_escapes_the_gym_column():
    for model in rls_install.tenant_models():
        for field in model._meta.local_many_to_many:
            assert isinstance(field, ManyToManyField)
            through = field.remote_field.through
            assert issubclass(through, GymOwned), (
                f"{model.__name__}.{field.name}: use a GymOwned through model so its rows carry the gym")


def test_every_reference_between_tenant_rows_has_a_same_gym_key():
    state = rls_install.state()
    pairs = rls_install.same_gym_foreign_keys()
    assert any(model._meta.db_table == "leads_leadactivity" and field.name == "lead" for model, field, _ in pairs)
    for model, field, _ in pairs:
        assert rls_install.same_gym_constraint_name(model, field) in state["constraints"], f"{model.__name__}.{field.name}"


def test_without_a_gym_the_database_returns_no_rows_and_refuses_writes(gym, other_gym):
    TagFactory(gym=gym)
    TagFactory(gym=other_gym)
    _without_bypass()
    assert Tag.all_gyms.count() == 0
    with pytest.raises(Exception, match="row-level security"), transaction.atomic():
        Tag.all_gyms.create(gym=gym, name="sneaky")


def test_in_a_gyms_scope_the_database_shows_and_accepts_that_gym_only(gym, other_gym):
    TagFactory(gym=gym, name="ours")
    TagFactory(gym=other_gym, name="theirs")
    _without_bypass()
    rls.enter_scope(gym_id=gym.pk, bypass=False, local=True)
    assert list(Tag.all_gyms.values_list("name", flat=True)) == ["ours"]
    with pytest.raises(Exception, match="row-level security"), transaction.atomic():
        Tag.all_gyms.create(gym=other_gym, name="planted")


def test_a_view_that_forgot_its_gym_filter_still_shows_one_gym(monkeypatch, admin_client, gym, other_gym):
    TagFactory(gym=gym, name="ours")
    TagFactory(gym=other_gym, name="theirs")
    monkeypatch.setattr(TagViewSet, "scope_queryset", lambda self, queryset: Tag.all_gyms.all())
    names = [row["name"] for row in admin_client.get("/api/settings/tags").json()["data"]]
    assert names == ["ours"]


def test_the_database_refuses_a_reference_to_another_gyms_row(gym, other_gym):
    from leads.activity import Actor, activity_record
    from leads.tests.factories import LeadFactory

    theirs = LeadFactory(gym=other_gym)
    ours = LeadFactory(gym=gym)
    with pytest.raises(IntegrityError), transaction.atomic():
        activity = activity_record(lead=ours, type="lead_updated", actor=Actor.system(), description="ok")
        activity.lead = theirs  # same row, now pointing across gyms
        activity.save()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_user_of_another_gym_cannot_be_assigned_even_bypassing_the_api(gym, other_gym):
    from leads.tests.factories import LeadFactory

    stranger = UserFactory(gym=other_gym, branch=BranchFactory(gym=other_gym))
    lead = LeadFactory(gym=gym)
    with pytest.raises(IntegrityError), transaction.atomic():
        lead.assigned_to = stranger
        lead.save()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_policy_does_not_make_the_planner_count_the_gym_twice(gym, other_gym, db_owner):
    """Every query filters ``gym_id`` itself; a policy the planner reads as the same filter again
    shrinks its estimate to (gym's share)^2 of the table, and it then sorts a small gym's whole
    list through nested loops instead of reading a page in index order (tenants/rls_install.py)."""
    import json

    from leads.models import Lead
    from leads.tests.factories import LeadFactory
    from tenants.scope import gym_scope

    LeadFactory.create_batch(20, gym=gym)
    LeadFactory.create_batch(80, gym=other_gym)
    with db_owner(), connection.cursor() as cursor:
        cursor.execute("ANALYZE leads_lead")
    with gym_scope(gym, restore_db=False), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) SELECT id FROM leads_lead WHERE gym_id = %s", [gym.pk])
        plan = cursor.fetchone()[0]
        estimated = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
        assert Lead.objects.for_gym(gym).count() == 20
    # The old form estimated 20 * 0.2 = 4 rows; the policy as a CASE is read at 0.5: 10.
    assert estimated >= 8, estimated
