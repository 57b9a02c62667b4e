import factory
from factory.django import DjangoModelFactory

from tenants.models import Branch, Gym, Role, Tag, User

TEST_PASSWORD = "correct-horse-battery-9"


class TenantFactory(DjangoModelFactory):
    """Factories write through the unscoped manager: tests build several gyms at once."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.all_gyms if hasattr(model_class, "all_gyms") else model_class._default_manager


class GymFactory(DjangoModelFactory):
    class Meta:
        model = Gym

    name = factory.Sequence(lambda n: f"Gym {n}")
    timezone = "America/New_York"
    country = "US"


class BranchFactory(TenantFactory):
    class Meta:
        model = Branch

    gym = factory.SubFactory(GymFactory)
    name = factory.Sequence(lambda n: f"Branch {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    gym = factory.SubFactory(GymFactory)
    branch = factory.LazyAttribute(lambda o: BranchFactory(gym=o.gym))
    role = Role.AGENT
    password = factory.django.Password(TEST_PASSWORD)


class TagFactory(TenantFactory):
    class Meta:
        model = Tag

    gym = factory.SubFactory(GymFactory)
    name = factory.Sequence(lambda n: f"Tag {n}")
    color = "#1E88E5"
