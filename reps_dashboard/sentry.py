"""Errors to Sentry when ``SENTRY_DSN`` is set (sentry-sdk; Django, Celery and Redis integrations
are enabled automatically when those libraries are present)."""


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> bool:
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        # No personal data by default: no user emails, IP addresses, cookies or request bodies.
        send_default_pii=False,
        max_request_body_size="never",
    )
    return True
