from django.db import transaction

from reps_dashboard import logs

from .authentication import ApiKeyAuthentication, TenantJWTAuthentication
from .scope import gym_scope, unscoped

_KEEP_WRITES = "_commit_despite_error"


def commit_despite_error(response):
    """Marks an error response whose request's writes must stay: what it records is history (a call
    the voice platform refused is a failed call). Only for writes the view made on purpose."""
    setattr(response, _KEEP_WRITES, True)
    return response


class TenantMiddleware:
    """Resolves the gym of every request and opens its scope for the request's lifetime.

    API requests: the gym of the user behind the bearer token (verified here, because DRF
    authenticates only inside the view); on the voice agent's machine endpoints
    (``/api/voice/``) also the gym of an ``Api-Key``. Admin requests: the session user's gym; superusers
    get the audited all-gyms bypass there and only there. The gym always comes from the user's
    row, never from a header, body or token claim. No gym: the scope holds ``None`` and every
    scoped query returns no rows.

    Each API and admin request runs in one transaction: the gym is handed to PostgreSQL's
    row-level security as a transaction-local setting (``tenants/rls.py``), and a request that
    answers with an error (4xx/5xx) writes nothing, unless the view marked the response with
    ``commit_despite_error``.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.authenticator = TenantJWTAuthentication()
        self.key_authenticator = ApiKeyAuthentication()

    def __call__(self, request):
        path = request.path
        if not (path.startswith("/api/") or path.startswith("/admin/")):
            return self.get_response(request)
        # Outermost, the transaction's end also ends the transaction-local gym setting; nested (a
        # test's transaction), the scope must put the previous setting back itself.
        outermost = not transaction.get_connection().in_atomic_block
        with transaction.atomic():
            response = self._scoped_response(request, restore_db=not outermost)
            if response.status_code >= 400 and not getattr(response, _KEEP_WRITES, False):
                transaction.set_rollback(True)
        return response

    def _scoped_response(self, request, restore_db):
        user = None
        if request.path.startswith("/api/"):
            result = None
            if request.path.startswith("/api/voice/"):
                result = self.key_authenticator.authenticate_or_none(request)
            result = result or self.authenticator.authenticate_or_none(request)
            user = result[0] if result else None
        else:
            session_user = getattr(request, "user", None)
            if session_user is not None and session_user.is_authenticated:
                user = session_user
                logs.bind(user_id=user.pk)
                if user.is_superuser:
                    request.gym = None
                    with unscoped(f"admin superuser {user.pk} {request.method} {request.path}"):
                        return self.get_response(request)
        request.gym = user.gym if user is not None and user.is_active else None
        logs.bind(gym_id=getattr(request.gym, "pk", None), user_id=getattr(user, "pk", None))
        with gym_scope(request.gym, restore_db=restore_db):
            return self.get_response(request)
