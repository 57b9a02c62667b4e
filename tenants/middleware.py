from .authentication import ApiKeyAuthentication, TenantJWTAuthentication
from .scope import gym_scope, unscoped


class TenantMiddleware:
    """Resolves the gym of every request and opens its scope for the request's lifetime.

    API requests: the gym of the user behind the bearer token (verified here, because DRF
    authenticates only inside the view); on the voice agent's machine endpoints
    (``/api/voice/``) also the gym of an ``Api-Key``. Admin requests: the session user's gym; superusers
    get the audited all-gyms bypass there and only there. The gym always comes from the user's
    row, never from a header, body or token claim. No gym: the scope holds ``None`` and every
    scoped query returns no rows.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.authenticator = TenantJWTAuthentication()
        self.key_authenticator = ApiKeyAuthentication()

    def __call__(self, request):
        user = None
        if request.path.startswith("/api/"):
            result = None
            if request.path.startswith("/api/voice/"):
                result = self.key_authenticator.authenticate_or_none(request)
            result = result or self.authenticator.authenticate_or_none(request)
            user = result[0] if result else None
        elif request.path.startswith("/admin/"):
            session_user = getattr(request, "user", None)
            if session_user is not None and session_user.is_authenticated:
                user = session_user
                if user.is_superuser:
                    request.gym = None
                    with unscoped(f"admin superuser {user.pk} {request.method} {request.path}"):
                        return self.get_response(request)
        request.gym = user.gym if user is not None and user.is_active else None
        with gym_scope(request.gym):
            return self.get_response(request)
