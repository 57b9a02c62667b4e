"""Operator commands: create_gym's password and name rules, seed_demo in production, --gym by id or
name, create_app_role, and the startup warning when row-level security cannot bind."""

import io
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from reps_dashboard.db_role import serving_role_problems, warn_if_rls_does_not_bind
from tenants.management.gym_option import gym_from_option
from tenants.models import Gym, User
from tenants.tests.factories import GymFactory

pytestmark = pytest.mark.django_db
STRONG = "correct-horse-battery-staple-42"


def create_gym(*extra, name="Iron Temple", email="owner@iron.example"):
    out = io.StringIO()
    call_command("create_gym", "--name", name, "--timezone", "UTC", "--branch", "Main", "--admin-email", email,
                 *extra, stdout=out)
    return out.getvalue().strip()


def test_create_gym_runs_the_password_validators():
    with pytest.raises(CommandError, match="admin_password: .*too short"):
        create_gym("--admin-password", "short1")
    with pytest.raises(CommandError, match="too common"):
        create_gym("--admin-password", "password123")
    assert not Gym.objects.exists() and not User.objects.exists()


def test_create_gym_takes_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("GYM_ADMIN_PASSWORD", STRONG)
    create_gym()
    assert User.objects.get(email="owner@iron.example").check_password(STRONG)


def test_create_gym_without_a_password_or_terminal_says_how_to_give_one(monkeypatch):
    monkeypatch.delenv("GYM_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--admin-password, set GYM_ADMIN_PASSWORD"):
        create_gym()


def test_create_gym_prompts_twice_in_a_terminal(monkeypatch):
    monkeypatch.delenv("GYM_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([STRONG, STRONG])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    create_gym()
    assert User.objects.get(email="owner@iron.example").check_password(STRONG)


def test_create_gym_refuses_a_name_that_exists():
    create_gym("--admin-password", STRONG)
    with pytest.raises(CommandError, match='A gym named "iron temple" already exists'):
        create_gym("--admin-password", STRONG, name="iron temple", email="other@iron.example")
    assert Gym.objects.count() == 1


def test_seed_demo_refuses_production_unless_forced(settings):
    settings.SEED_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=false.*--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Gym.objects.exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert Gym.objects.filter(name="Demo Fitness").exists()


def test_gym_option_takes_an_id_or_a_unique_name():
    gym = GymFactory(name="Iron Temple")
    assert gym_from_option(str(gym.pk)) == gym
    assert gym_from_option(" iron temple ") == gym
    with pytest.raises(CommandError, match='No gym has the id or name "Nowhere"'):
        gym_from_option("Nowhere")


def test_gym_option_names_the_candidates_when_ambiguous():
    first, second = GymFactory(name="Iron Temple"), GymFactory(name="IRON TEMPLE")
    with pytest.raises(CommandError, match="2 gyms are named") as error:
        gym_from_option("Iron Temple")
    assert str(first.pk) in str(error.value) and str(second.pk) in str(error.value)


@pytest.mark.parametrize("command", [["import_leads", "leads.csv"], ["import_knowledge", "faq.md"],
                                     ["run_campaigns"], ["rebuild_analytics"]])
def test_every_command_with_gym_says_when_the_name_is_ambiguous(command):
    GymFactory(name="Twin"), GymFactory(name="Twin")
    if command[0] == "rebuild_analytics" and connection.vendor != "postgresql":
        pytest.skip("rebuild_analytics does nothing on SQLite")
    with pytest.raises(CommandError, match='2 gyms are named "Twin"'):
        call_command(*command, "--gym", "Twin", stdout=io.StringIO())


# --- the database role ------------------------------------------------------------------------


@pytest.mark.postgres_only
def test_serving_as_the_app_role_raises_no_warning(caplog):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    assert serving_role_problems() == []
    assert warn_if_rls_does_not_bind() == []


@pytest.mark.postgres_only
def test_serving_as_the_owner_or_a_superuser_is_a_loud_warning(db_owner, caplog):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with db_owner(), caplog.at_level(logging.ERROR, logger="reps_dashboard.db_role"):
        problems = warn_if_rls_does_not_bind()
    assert any("superuser" in p for p in problems) and any("owns" in p for p in problems)
    assert all("ROW-LEVEL SECURITY DOES NOT PROTECT" in r.message for r in caplog.records) and caplog.records


@pytest.mark.postgres_only
def test_create_app_role_makes_a_role_that_rls_binds(db_owner):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    out = io.StringIO()
    with db_owner():
        call_command("create_app_role", "reps_app_created_by_test", "--password", "a-long-enough-password", stdout=out)
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s",
                           ["reps_app_created_by_test"])
            assert cursor.fetchone() == (True, False, False)
            cursor.execute("SELECT has_table_privilege('reps_app_created_by_test', 'leads_lead', 'SELECT, INSERT'), "
                           "has_table_privilege('reps_app_created_by_test', 'leads_lead', 'TRUNCATE')")
            assert cursor.fetchone() == (True, False)
            cursor.execute("SET ROLE reps_app_created_by_test")
            try:
                assert serving_role_problems() == []
            finally:
                cursor.execute("RESET ROLE")
        assert 'Role "reps_app_created_by_test" created' in out.getvalue()
        with pytest.raises(CommandError, match="at least 16"):
            call_command("create_app_role", "reps_app_created_by_test", "--password", "short", stdout=out)
        with pytest.raises(CommandError, match="superuser"):
            call_command("create_app_role", "postgres", "--password", "a-long-enough-password", stdout=out)
