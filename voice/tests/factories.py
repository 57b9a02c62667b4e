import factory
from django.utils import timezone

from tenants.tests.factories import GymFactory, TenantFactory
from voice.models import RetellIntegration, WebhookEvent, WebhookOutcome

RETELL_KEY = "key_retell_test_0123456789abcdef"


class RetellIntegrationFactory(TenantFactory):
    """An enabled integration whose Retell API key is ``RETELL_KEY`` (pass ``api_key`` for another)."""

    class Meta:
        model = RetellIntegration
        skip_postgeneration_save = True

    gym = factory.SubFactory(GymFactory)
    agent_id = "agent_4e1b7a9c2d3f"
    from_number = "+14155550100"
    enabled = True

    @factory.post_generation
    def api_key(integration, create, value, **kwargs):
        integration.set_api_key(RETELL_KEY if value is None else value)
        if create:
            integration.save(update_fields=["api_key_encrypted", "api_key_last4"])


class WebhookEventFactory(TenantFactory):
    class Meta:
        model = WebhookEvent

    gym = factory.SubFactory(GymFactory)
    # One integration per gym: the gym's own, made when it has none.
    integration = factory.LazyAttribute(lambda o: RetellIntegration.all_gyms.filter(gym=o.gym).first()
                                        or RetellIntegrationFactory(gym=o.gym))
    event = "call_ended"
    external_call_id = factory.Sequence(lambda n: f"call_{n:032x}")
    payload = factory.LazyAttribute(lambda o: {"event": o.event, "call": {"call_id": o.external_call_id}})
    received_at = factory.LazyFunction(timezone.now)
    outcome = WebhookOutcome.UPDATED
