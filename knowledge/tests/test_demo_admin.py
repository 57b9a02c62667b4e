import io
import random

import pytest

from knowledge import demo
from knowledge.models import KnowledgeEntry
from knowledge.selectors import entry_search
from tenants.tests.factories import BranchFactory, UserFactory


@pytest.mark.django_db
def test_demo_seed_answers_common_questions_with_branch_overrides(gym):
    brooklyn = BranchFactory(gym=gym, name="Brooklyn")
    demo.seed(gym=gym, rng=random.Random(1), stdout=io.StringIO())
    assert KnowledgeEntry.objects.for_gym(gym).count() == len(demo.FAQ) + 2
    assert entry_search(gym=gym, q="how much is a day pass")[0].entry.question == "How much is a day pass?"
    top = entry_search(gym=gym, q="what time do you open", branch=brooklyn)[0].entry
    assert top.branch_id == brooklyn.id


@pytest.mark.django_db
def test_admin_lists_only_own_gym_entries(client, gym, other_gym):
    from .factories import KnowledgeEntryFactory

    KnowledgeEntryFactory(gym=gym, question="Home gym question?")
    KnowledgeEntryFactory(gym=other_gym, question="Other gym question?")
    staff = UserFactory(gym=gym, role="manager", is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/knowledge/knowledgeentry/")
    assert response.status_code == 200
    assert b"Home gym question?" in response.content and b"Other gym question?" not in response.content
