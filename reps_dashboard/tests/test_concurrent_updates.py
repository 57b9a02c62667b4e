"""Concurrent updates to one lead lose no field: real parallel PATCH requests, each in its own
thread with its own database connection and transaction (PostgreSQL, row-level security on), each
setting a different field. Afterwards every field holds what its request set."""

import threading

import pytest
from django.db import connection

from leads.models import Lead, LeadTag
from leads.tests.factories import LeadFactory
from tenants.models import Role
from tenants.tests.factories import BranchFactory, GymFactory, TagFactory, UserFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")

ROUNDS = 3


def patch_in_parallel(client_for, lead, bodies):
    barrier = threading.Barrier(len(bodies), timeout=20)
    statuses = []

    def send(body):
        client = client_for()
        try:
            barrier.wait()  # every request starts at the same moment
            statuses.append(client.patch(f"/api/leads/{lead.id}", body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_patches_of_different_fields_all_stick(api_client):
    gym = GymFactory()
    branch = BranchFactory(gym=gym)
    user = UserFactory(gym=gym, branch=branch, role=Role.AGENT)
    staff = UserFactory(gym=gym, branch=branch, role=Role.MANAGER)
    tag = TagFactory(gym=gym)
    lead = LeadFactory(gym=gym, branch=branch, first_name="Old", last_name="Name", email="", notes="",
                       interest="", interest_location="", score=None, source="other", status="new")
    for round_ in range(ROUNDS):
        bodies = [
            {"first_name": f"First{round_}"},
            {"last_name": f"Last{round_}"},
            {"email": f"lead{round_}@example.com"},
            {"notes": f"Notes of round {round_}"},
            {"interest": f"Interest {round_}"},
            {"interest_location": f"Location {round_}"},
            {"score": round_ / 10},
            {"source": ["website", "referral", "phone"][round_]},
            {"status": ["contacted", "qualified", "converted"][round_]},
            {"assigned_to_id": str(staff.id)},
            {"tags": [str(tag.id)]},
        ]
        statuses = patch_in_parallel(lambda: api_client(user), lead, bodies)
        assert statuses == [200] * len(bodies), statuses
        current = Lead.all_gyms.get(pk=lead.pk)
        assert (current.first_name, current.last_name, current.email) == (
            f"First{round_}", f"Last{round_}", f"lead{round_}@example.com")
        assert (current.notes, current.interest, current.interest_location) == (
            f"Notes of round {round_}", f"Interest {round_}", f"Location {round_}")
        assert current.score == round_ / 10
        assert current.source == ["website", "referral", "phone"][round_]
        assert current.status == ["contacted", "qualified", "converted"][round_]
        assert current.assigned_to_id == staff.id
        assert list(LeadTag.all_gyms.filter(lead=lead).values_list("tag_id", flat=True)) == [tag.id]
