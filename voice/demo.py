"""The demo gym's voice agent (seed_demo): a Retell integration waiting for its key, and the API key
the agent's in-call tools use (printed once, as the API shows it once)."""

from tenants.api_keys import api_key_create

from .services import integration_update


def seed(*, gym, rng, stdout):
    integration = integration_update(gym=gym, agent_id="agent_demo_front_desk", from_number=gym.phone or "",
                                     enabled=False)
    _, raw = api_key_create(gym=gym, name="Retell in-call tools (demo)")
    stdout.write(f"Voice agent: Retell integration {integration.id} is disabled until its Retell API key is set "
                 f"(PUT /api/settings/integrations/retell); in-call tools key: {raw}")
