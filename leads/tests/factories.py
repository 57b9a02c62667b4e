import factory

from leads.models import Lead
from tenants.tests.factories import BranchFactory, GymFactory, TenantFactory


class LeadFactory(TenantFactory):
    class Meta:
        model = Lead

    gym = factory.SubFactory(GymFactory)
    branch = factory.LazyAttribute(lambda o: BranchFactory(gym=o.gym))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+1212555{n % 10000:04d}")
    email = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@example.com".lower())
