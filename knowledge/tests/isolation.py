"""The knowledge base's part of the isolation world (see reps_dashboard/tests/isolation_world.py)."""

from knowledge.models import ImportJob, KnowledgeEntry, KnowledgeSource
from tenants.models import Branch

from .factories import ImportJobFactory, KnowledgeEntryFactory, KnowledgeSourceFactory

ID_PARAMS = {"source_id": KnowledgeSource, "job_id": ImportJob, "entry_id": KnowledgeEntry}


def populate(side):
    m = side.marker
    source = side.add(KnowledgeSourceFactory(gym=side.gym, name=f"{m} source", description=f"{m} description",
                                             url=f"https://{m.lower()}.example.com/faq"))
    side.add(KnowledgeEntryFactory(gym=side.gym, source=source, question=f"{m} question about the pool?",
                                   answer=f"{m} answer: yes, we have a pool."))
    side.add(KnowledgeEntryFactory(gym=side.gym, branch=side.get(Branch), question=f"{m} branch question?",
                                   answer=f"{m} branch answer about the pool."))
    side.add(ImportJobFactory(gym=side.gym, source=source, target=f"{m}.csv",
                              errors=[{"row": 2, "field": "question", "message": f"{m} error"}]))
