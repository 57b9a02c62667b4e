import factory

from knowledge.models import ImportJob, KnowledgeEntry, KnowledgeSource
from tenants.tests.factories import GymFactory, TenantFactory


class KnowledgeSourceFactory(TenantFactory):
    class Meta:
        model = KnowledgeSource

    gym = factory.SubFactory(GymFactory)
    name = factory.Sequence(lambda n: f"Source {n}")
    type = "manual"
    status = "completed"


class KnowledgeEntryFactory(TenantFactory):
    class Meta:
        model = KnowledgeEntry

    gym = factory.SubFactory(GymFactory)
    question = factory.Sequence(lambda n: f"Question number {n}?")
    answer = "An answer long enough to be valid."
    category = "general"


class ImportJobFactory(TenantFactory):
    class Meta:
        model = ImportJob

    gym = factory.SubFactory(GymFactory)
    kind = "file"
    status = "completed"
    target = "faq.csv"
