"""Knowledge reads: the search the voice agent asks mid-call, and the stats."""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, Q

from .models import KnowledgeCategory, KnowledgeEntry, KnowledgeSource

# Weights of the ranking (see docs/knowledge.md). Trigram candidates: pg_trgm's `<%` operator
# (word_similarity >= pg_trgm.word_similarity_threshold, 0.6 by default).
TRIGRAM_WEIGHT = 0.5
# How far a branch override is placed above the gym-wide entry it replaces (visible after rounding).
OVERRIDE_MARGIN = 0.001
CANDIDATES = 50
# ts_rank's default weights for D, C, B, A: the question counts 2.5 times the answer.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
MAX_QUERY_TERMS = 16
_WORD = re.compile(r"[0-9a-z]+")


@dataclass
class Hit:
    entry: KnowledgeEntry
    score: float


def visible_entries(*, gym, branch=None, category=None):
    """Entries a caller may be told: gym-wide ones and those of active branches (of ``branch``
    only, when given)."""
    entries = KnowledgeEntry.objects.for_gym(gym).select_related("source", "branch")
    if branch is not None:
        entries = entries.filter(Q(branch__isnull=True) | Q(branch=branch, branch__is_active=True))
    else:
        entries = entries.filter(Q(branch__isnull=True) | Q(branch__is_active=True))
    if category:
        entries = entries.filter(category=category)
    return entries


def query_terms(q: str):
    return list(dict.fromkeys(_WORD.findall(q.casefold())))[:MAX_QUERY_TERMS]


def entry_search(*, gym, q: str, branch=None, category=None, limit=5) -> list[Hit]:
    """Best answers first: relevance over question and answer, then priority; a branch's own
    entry directly outranks the gym-wide entry on the same question."""
    terms = query_terms(q)
    if not terms:
        return []
    entries = visible_entries(gym=gym, branch=branch, category=category)
    # Fetch a few more than asked so overrides can displace the gym-wide entries they replace.
    pool = limit * 2 + 5
    if connection.vendor == "postgresql":
        hits = _search_postgres(entries, q, terms, pool)
    else:
        hits = _search_fallback(entries, terms, pool)
    return _apply_overrides(hits, branch)[:limit]


def _search_postgres(entries, q, terms, pool):
    """Candidates first, scores second: the full-text match (GIN on the stored document) gives the
    best ``CANDIDATES`` by ts_rank; only when it finds too few does the trigram index look for
    questions similar to the query (typos, words the stemmer does not join). Then question
    similarity is added to the rank of those few rows. Scoring every row that shares a common
    word with the query, or trigram-scanning the table for long sentences, cost 60-80 ms at
    10,000 entries; this costs a few."""
    from django.contrib.postgres.search import (
        SearchQuery,
        SearchRank,
        TrigramWordSimilarity,
    )
    from django.db.models import F, FloatField, Value
    from django.db.models.functions import Cast, Left

    from .search_sql import CONFIG, search_document

    # Any term may match (OR): callers speak in sentences, and stop words drop out in to_tsquery.
    # The terms are [0-9a-z]+ only, so the raw query cannot be malformed.
    tsquery = SearchQuery(" | ".join(terms), search_type="raw", config=CONFIG)
    text = q[:200]
    ranked = entries.annotate(document=search_document()).annotate(
        rank=SearchRank(F("document"), tsquery, weights=RANK_WEIGHTS, normalization=Value(1)))
    ids = list(ranked.filter(document=tsquery).order_by("-rank", "-priority", "id")
               .values_list("id", flat=True)[:CANDIDATES])
    if len(ids) < pool:
        # The trigram probe with the query's content words only: "can I bring a friend" as a whole
        # shares trigrams with most questions, and checking them all cost ~55 ms at 10,000 entries.
        probe = " ".join(t for t in terms if t not in _STOP) or text
        ids += list(entries.filter(question__trigram_word_similar=probe)
                    .annotate(similarity=TrigramWordSimilarity(Value(probe), "question"))
                    .order_by("-similarity", "-priority", "id").values_list("id", flat=True)[:CANDIDATES])
    if not ids:
        return []
    hits = (
        ranked.filter(id__in=ids)
        .annotate(similarity=TrigramWordSimilarity(Left(Value(text), 200), "question"))
        .annotate(score=Cast(F("rank") + F("similarity") * Value(TRIGRAM_WEIGHT), FloatField()))
        .order_by("-score", "-priority", "id")[:pool]
    )
    return [Hit(entry, entry.score) for entry in hits]


_SUFFIXES = ("ing", "es", "ed", "s")
_STOP = frozenset(["a", "an", "and", "are", "as", "at", "be", "can", "do", "does", "for", "from", "have", "how", "i", "in", "is", "it", "me", "my", "of", "on", "or", "our", "the", "there", "to", "we", "what", "when", "where", "which", "who", "will", "with", "you", "your"])


def _stem(word):
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _search_fallback(entries, terms, pool):
    """SQLite (development and tests): share of the query's stems found in the question (weight
    1) or the answer (weight 0.4). No typo tolerance."""
    stems = {_stem(t) for t in terms if t not in _STOP} or {_stem(t) for t in terms}
    hits = []
    for entry in entries:
        in_question = {_stem(w) for w in _WORD.findall(entry.question.casefold())}
        in_answer = {_stem(w) for w in _WORD.findall(entry.answer.casefold())}
        score = sum(1.0 if s in in_question else 0.4 if s in in_answer else 0 for s in stems) / len(stems)
        if score > 0:
            hits.append(Hit(entry, score))
    hits.sort(key=lambda h: (-h.score, -h.entry.priority, str(h.entry.id)))
    return hits[:pool]


def _apply_overrides(hits, branch):
    """With a branch, its own entry takes the place (and at least the score) of the gym-wide entry
    with the same question, which follows it."""
    if branch is None:
        return hits
    own = {h.entry.question_key: h for h in hits if h.entry.branch_id == branch.pk}
    for hit in hits:
        override = own.get(hit.entry.question_key) if hit.entry.branch_id is None else None
        if override is not None and override.score <= hit.score:
            override.score = hit.score + OVERRIDE_MARGIN
    return sorted(hits, key=lambda h: (-h.score, h.entry.branch_id is None, -h.entry.priority, str(h.entry.id)))


def knowledge_stats(*, gym) -> dict:
    entries = KnowledgeEntry.objects.for_gym(gym)
    counts = dict(entries.values_list("category").annotate(n=Count("id")).order_by())
    summary = entries.aggregate(total=Count("id"), last=Max("updated_at"))
    return {
        "total_entries": summary["total"],
        "categories": [{"category": c, "count": counts.get(c, 0)}
                       for c in sorted(KnowledgeCategory.values, key=lambda c: (-counts.get(c, 0), c))],
        "sources": KnowledgeSource.objects.for_gym(gym).count(),
        "last_updated": summary["last"],
    }


def source_list(*, gym):
    return KnowledgeSource.objects.for_gym(gym).annotate(entry_count=Count("entries"))
