"""Adding any amount of another gym's data changes nothing in this gym's analytics."""

import datetime as dt
import random

import pytest

from tenants.tests.factories import BranchFactory

from .factories import AppointmentFactory, CallFactory, CampaignFactory, lead_at
from .handbuilt import at, build

ASKS = [
    ("overview", {}), ("leads", {}), ("calls", {}), ("appointments", {}),
    ("leads", {"granularity": "week"}), ("calls", {"granularity": "month"}),
    ("appointments", {"start_date": "2026-03-08T01:00:00", "end_date": "2026-03-09T12:00:00"}),
    ("overview", {"start_date": "2026-03-01", "end_date": "2026-03-31"}),
]


def _answers(client, main):
    answers = []
    for endpoint, params in ASKS:
        params = {"start_date": "2026-03-07", "end_date": "2026-03-09", **params}
        for branch in (None, main):
            query = {**params, **({"branch_id": branch.pk} if branch else {})}
            answers.append(client.get(f"/api/analytics/{endpoint}", query).json())
    return answers


@pytest.mark.parametrize("seed", [1, 2])
def test_another_gyms_rows_change_nothing(seed, admin_client, gym, branch, other_gym, counting):
    build(gym, branch)
    before = _answers(admin_client, branch)
    rng = random.Random(seed)
    branches = [BranchFactory(gym=other_gym, name="Main"), BranchFactory(gym=other_gym, name="North")]
    campaign = CampaignFactory(gym=other_gym, name="Spring")
    for _ in range(rng.randrange(5, 40)):  # the same days and hours as the home gym's rows
        moment = at(3, rng.randrange(5, 11), rng.randrange(24), rng.randrange(60))
        branch_ = rng.choice(branches)
        lead = lead_at(moment, gym=other_gym, branch=branch_, status=rng.choice(["new", "converted", "lost"]),
                       first_called_at=moment + dt.timedelta(minutes=rng.randrange(10)))
        CallFactory(gym=other_gym, lead=lead, branch=branch_, start_time=moment, campaign=campaign)
        AppointmentFactory(gym=other_gym, lead=lead, branch=branch_, date=moment, status="no_show")
    build(other_gym, branches[0])  # and a copy of the home gym's own data
    assert _answers(admin_client, branch) == before
