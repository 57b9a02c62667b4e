"""Two requests creating the same phone at the same moment: the unique constraint decides."""

import threading

import pytest
from django.db import connection

from leads import services
from leads.models import Lead
from tenants.models import Role
from tenants.tests.factories import BranchFactory, GymFactory, UserFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_creations_of_one_phone_give_one_201_and_one_409(api_client, monkeypatch):
    gym = GymFactory()
    user = UserFactory(gym=gym, branch=BranchFactory(gym=gym), role=Role.AGENT)
    barrier = threading.Barrier(2, timeout=10)
    state = threading.local()
    real_check = services._refuse_duplicate

    def check_after_both_arrive(gym_, lead):
        # Both requests pass the friendly pre-check before either inserts, so the loser can only
        # be stopped by the database's unique constraint.
        if not getattr(state, "passed", False):
            state.passed = True
            barrier.wait()
            return
        real_check(gym_, lead)

    monkeypatch.setattr(services, "_refuse_duplicate", check_after_both_arrive)
    responses = []

    def create(first_name):
        try:
            response = api_client(user).post("/api/leads", {"first_name": first_name, "last_name": "Race",
                                                            "phone": "(212) 555-0123"}, format="json")
            responses.append(response)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(name,)) for name in ("Ann", "Bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.status_code for r in responses) == [201, 409]
    winner = next(r for r in responses if r.status_code == 201).json()
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["existing_id"] == winner["id"]
    assert Lead.objects.for_gym(gym).count() == 1
