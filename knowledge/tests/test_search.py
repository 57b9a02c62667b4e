import pytest
from django.db import connection

from tenants.tests.factories import BranchFactory

from .factories import KnowledgeEntryFactory

URL = "/api/knowledge/search"

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL full-text/trigram")


def questions(response):
    assert response.status_code == 200, response.content
    return [row["question"] for row in response.json()["data"]]


@pytest.fixture
def faq(gym):
    rows = [
        ("Is there a swimming pool?", "The Downtown branch has a 25 metre heated pool.", "facilities", 0),
        ("How much does a membership cost?", "Basic is $39 per month and Premium $69 per month.", "pricing", 0),
        ("What are your opening hours?", "Monday to Friday 5am to 11pm, weekends 7am to 9pm.", "general", 0),
        ("Do you offer yoga classes?", "Yes, yoga runs every morning and on Sunday evenings.", "classes", 0),
        ("Can I bring a guest?", "Members may bring one guest a month for free; the pool is included.", "policy", 0),
        ("How much is a day pass?", "A day pass costs $15 and includes every class.", "pricing", 0),
    ]
    return {q: KnowledgeEntryFactory(gym=gym, question=q, answer=a, category=c, priority=p) for q, a, c, p in rows}


@pytest.mark.django_db
class TestSearch:
    def test_exact_question_first_and_shape(self, agent_client, faq):
        response = agent_client.get(URL, {"q": "Is there a swimming pool?"})
        data = response.json()["data"]
        assert data[0]["question"] == "Is there a swimming pool?"
        assert set(data[0]) == {"id", "question", "answer", "category", "priority", "branch_id", "source",
                                "created_at", "updated_at", "score"}
        assert data[0]["score"] > 0

    def test_question_match_beats_answer_mention(self, agent_client, faq):
        # "pool" is in the guest answer too; the entry whose question is about the pool wins.
        result = questions(agent_client.get(URL, {"q": "do you have a pool"}))
        assert result[0] == "Is there a swimming pool?"
        assert "Can I bring a guest?" in result

    def test_exact_beats_partial(self, agent_client, faq):
        result = questions(agent_client.get(URL, {"q": "how much is a day pass"}))
        assert result[0] == "How much is a day pass?"
        assert "How much does a membership cost?" in result[1:]

    def test_priority_breaks_ties(self, agent_client, gym):
        KnowledgeEntryFactory(gym=gym, question="Is there parking nearby?", answer="Street parking after 6pm only.")
        KnowledgeEntryFactory(gym=gym, question="Is there parking nearby?", answer="Street parking after 6pm only.",
                              priority=5, category="facilities")
        data = agent_client.get(URL, {"q": "parking"}).json()["data"]
        assert [row["priority"] for row in data] == [5, 0]

    def test_limit_and_category(self, agent_client, faq):
        assert len(questions(agent_client.get(URL, {"q": "how much pool class", "limit": 2}))) == 2
        result = questions(agent_client.get(URL, {"q": "how much", "category": "pricing"}))
        assert set(result) == {"How much does a membership cost?", "How much is a day pass?"}

    def test_default_limit_is_five(self, agent_client, gym):
        KnowledgeEntryFactory.create_batch(8, gym=gym, answer="Lockers are free for members.")
        assert len(questions(agent_client.get(URL, {"q": "lockers"}))) == 5

    def test_nothing_relevant_is_empty(self, agent_client, faq):
        assert questions(agent_client.get(URL, {"q": "helicopter landing"})) == []

    def test_branch_override_outranks_gym_wide(self, agent_client, gym, branch, faq):
        own = KnowledgeEntryFactory(gym=gym, branch=branch, question="What are your opening hours?",
                                    answer="Main is open 24/7 for key fob members.", category="general")
        data = agent_client.get(URL, {"q": "opening hours", "branch_id": str(branch.id)}).json()["data"]
        assert data[0]["id"] == str(own.id)
        assert data[1]["question"] == "What are your opening hours?" and data[1]["branch_id"] is None
        assert data[0]["score"] > data[1]["score"]

    def test_other_branches_entries_are_left_out_for_a_branch(self, agent_client, gym, branch, faq):
        elsewhere = BranchFactory(gym=gym, name="Riverside")
        KnowledgeEntryFactory(gym=gym, branch=elsewhere, question="What are your opening hours?",
                              answer="Riverside opens at 6am every day.")
        data = agent_client.get(URL, {"q": "opening hours", "branch_id": str(branch.id)}).json()["data"]
        assert [row["branch_id"] for row in data] == [None]

    def test_inactive_branch_entries_never_show(self, agent_client, gym, faq):
        closed = BranchFactory(gym=gym, name="Hoboken", is_active=False)
        KnowledgeEntryFactory(gym=gym, branch=closed, question="Is there a swimming pool in Hoboken?",
                              answer="Hoboken has an outdoor swimming pool.")
        result = questions(agent_client.get(URL, {"q": "swimming pool hoboken"}))
        assert result and "Is there a swimming pool in Hoboken?" not in result
        response = agent_client.get(URL, {"q": "swimming pool", "branch_id": str(closed.id)})
        assert "Is there a swimming pool in Hoboken?" not in questions(response)

    @pytest.mark.parametrize("query,field", [({}, "q"), ({"q": ""}, "q"), ({"q": "pool", "limit": 0}, "limit"),
                                             ({"q": "pool", "category": "x"}, "category"),
                                             ({"q": "pool", "branch_id": "nope"}, "branch_id")])
    def test_bad_parameters_are_400(self, agent_client, query, field):
        response = agent_client.get(URL, query)
        assert response.status_code == 400 and field in response.json()

    def test_punctuation_only_query_is_empty_not_an_error(self, agent_client, faq):
        assert questions(agent_client.get(URL, {"q": "?!&|:*"})) == []

    def test_plural_and_singular_match(self, agent_client, faq):
        assert questions(agent_client.get(URL, {"q": "pools"}))[0] == "Is there a swimming pool?"

    @postgres_only
    def test_pricing_finds_prices(self, agent_client, gym):
        KnowledgeEntryFactory(gym=gym, question="What are your prices?", answer="Basic is $39 and Premium $69.")
        KnowledgeEntryFactory(gym=gym, question="Where do I park?", answer="Free parking in the garage.")
        assert questions(agent_client.get(URL, {"q": "pricing"})) == ["What are your prices?"]

    @postgres_only
    @pytest.mark.parametrize("typo", ["swiming pol", "swimmming pool?", "is ther a swiming pool"])
    def test_small_typos_still_match(self, agent_client, faq, typo):
        assert questions(agent_client.get(URL, {"q": typo}))[0] == "Is there a swimming pool?"

    @postgres_only
    def test_typo_in_a_single_word(self, agent_client, faq):
        assert questions(agent_client.get(URL, {"q": "membrship cost"}))[0] == "How much does a membership cost?"
