"""Knowledge search latency on PostgreSQL: one gym with 10,000 entries.

Run from the project root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_knowledge python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_knowledge python bench/knowledge_search_bench.py

It creates a throw-away gym (deleted at the end), runs realistic caller questions through the
search selector and through HTTP (Django's test client, full middleware, auth and
serialisation), and prints p50/p95/p99 in milliseconds. Target: p95 < 20 ms.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reps_dashboard.settings")

import django

django.setup()

from django.db import connection
from django.test import Client

from knowledge.demo import FAQ
from knowledge.models import KnowledgeEntry
from knowledge.selectors import entry_search
from tenants import tokens
from tenants.models import Branch, Gym, Role, User
from tenants.scope import gym_scope, unscoped

ENTRIES = 10_000
SEARCHES = 400
TOPICS = ["pool", "sauna", "parking", "yoga", "spin", "boxing", "pilates", "lockers", "towels", "showers", "wifi",
          "kids club", "day pass", "membership", "annual plan", "student discount", "personal training",
          "opening hours", "holiday hours", "guest pass", "freeze", "cancellation", "dress code", "protein shakes",
          "induction", "corporate rate", "family plan", "senior discount", "HIIT", "Zumba", "steam room",
          "showers", "water fountain", "bike storage", "massage", "physiotherapy", "nutrition", "assessment"]
TEMPLATES = ["Do you have {t} at the {b} branch?", "How much does {t} cost?", "Is {t} included for members?",
             "When is {t} available?", "Can I book {t} in advance?", "What are the rules for {t}?"]
ANSWERS = ["{t} is available every day from 6am; members book it in the app.",
           "At {b}, {t} costs $10 for members and $15 for guests.",
           "{t} is included in Premium and annual plans, not in Basic.",
           "Ask the front desk about {t}; our staff will help you get started."]
QUERIES = ["do you have a pool", "how much is a day pass", "what time do you open on sunday", "is there parking",
           "can I freeze my membership", "swiming pool", "do you do yoga classes", "how much for personal training",
           "do you have a sauna", "student discount", "can I bring a friend", "is there wifi",
           "how do I cancel", "kids club hours", "membrship price", "do you have lockers and showers",
           "is zumba included", "bike storage", "whats the dress code", "massage prices"]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def report(label, samples):
    print(f"{label:<28} n={len(samples):4d}  p50={percentile(samples, 50):6.2f} ms  "
          f"p95={percentile(samples, 95):6.2f} ms  p99={percentile(samples, 99):6.2f} ms  "
          f"mean={statistics.mean(samples):6.2f} ms")


def main():
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (set DATABASE_URL).")
    rng = random.Random(7)
    gym = Gym.objects.create(name="Knowledge bench gym", timezone="America/New_York")
    try:
        with gym_scope(gym):
            branches = [Branch.objects.create(gym=gym, name=f"Branch {i}") for i in range(5)]
            user = User.objects.create_user("bench-agent@bench.invalid", "bench-password-123", gym=gym,
                                            branch=branches[0], role=Role.AGENT)
            rows = [KnowledgeEntry(gym=gym, category=c, priority=p, question=q, answer=a) for c, p, q, a in FAQ]
            while len(rows) < ENTRIES:
                topic, branch = rng.choice(TOPICS), rng.choice(branches)
                question = rng.choice(TEMPLATES).format(t=topic, b=branch.name) + f" ({len(rows)})"
                answer = rng.choice(ANSWERS).format(t=topic.capitalize(), b=branch.name)
                row = KnowledgeEntry(gym=gym, question=question, answer=answer, priority=rng.randint(0, 10),
                                     category=rng.choice(["general", "pricing", "facilities", "classes"]),
                                     branch=branch if rng.random() < 0.3 else None)
                row.question_key = question.lower()
                rows.append(row)
            for row in rows[: len(FAQ)]:
                row.question_key = row.question.lower()
            KnowledgeEntry.objects.bulk_create(rows, batch_size=2000)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE knowledge_knowledgeentry")
            print(f"{KnowledgeEntry.objects.for_gym(gym).count()} entries in one gym.")

            selector, selector_branch, by_query = [], [], {}
            for i in range(SEARCHES):
                q = QUERIES[i % len(QUERIES)]
                start = time.perf_counter()
                entry_search(gym=gym, q=q, limit=5)
                selector.append((time.perf_counter() - start) * 1000)
                by_query.setdefault(q, []).append(selector[-1])
                start = time.perf_counter()
                entry_search(gym=gym, q=q, branch=branches[i % 5], limit=5)
                selector_branch.append((time.perf_counter() - start) * 1000)

        client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(user)['access_token']}")
        http = []
        for i in range(SEARCHES):
            params = {"q": QUERIES[i % len(QUERIES)], "branch_id": str(branches[i % 5].id)}
            start = time.perf_counter()
            response = client.get("/api/knowledge/search", params)
            http.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.content
        with gym_scope(gym):
            top = entry_search(gym=gym, q="how much is a day pass")[0].entry.question
        print(f'Top hit for "how much is a day pass": {top!r}')
        report("selector", selector)
        report("selector with branch_id", selector_branch)
        report("HTTP GET /api/knowledge/search", http)
        slowest = sorted(by_query.items(), key=lambda item: -statistics.median(item[1]))[:3]
        print("slowest questions (selector, median): "
              + ", ".join(f"{q!r} {statistics.median(times):.1f} ms" for q, times in slowest))
    finally:
        with unscoped("knowledge bench cleanup"):
            User.objects.filter(email="bench-agent@bench.invalid").delete()
            gym.delete()


if __name__ == "__main__":
    main()
