import factory

from leads.models import ActorType, Lead, LeadActivity, LeadTag
from tenants.tests.factories import BranchFactory, GymFactory, TagFactory, TenantFactory


class LeadFactory(TenantFactory):
    class Meta:
        model = Lead

    gym = factory.SubFactory(GymFactory)
    branch = factory.LazyAttribute(lambda o: BranchFactory(gym=o.gym))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+1212555{n % 10000:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@example.com".lower())


class LeadTagFactory(TenantFactory):
    class Meta:
        model = LeadTag

    lead = factory.SubFactory(LeadFactory)
    gym = factory.LazyAttribute(lambda o: o.lead.gym)
    tag = factory.LazyAttribute(lambda o: TagFactory(gym=o.lead.gym))


class LeadActivityFactory(TenantFactory):
    class Meta:
        model = LeadActivity

    lead = factory.SubFactory(LeadFactory)
    gym = factory.LazyAttribute(lambda o: o.lead.gym)
    type = "lead_updated"
    description = "Updated notes"
    actor_type = ActorType.SYSTEM
    actor_name = "System"
    data = factory.LazyFunction(lambda: {"fields": ["notes"]})
