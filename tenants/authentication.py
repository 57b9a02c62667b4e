"""Bearer-token authentication shared by the tenant middleware and DRF.

The tenant middleware must know the gym before the view runs, so it authenticates the bearer
token itself (``resolve_bearer``) and leaves the outcome on the request; DRF's authentication
class then reuses that outcome instead of verifying the token and loading the user twice.
"""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from .api_keys import principal_for
from .tokens import TokenRevoked, user_for_token

_RESULT_ATTR = "_bearer_auth_result"
_KEY_RESULT_ATTR = "_api_key_auth_result"
_INVALID = exceptions.AuthenticationFailed("The access token is invalid, expired or revoked.", code="token_not_valid")


class TenantJWTAuthentication(JWTAuthentication):
    www_authenticate_realm = "api"

    def authenticate(self, request):
        http_request = getattr(request, "_request", request)
        if not hasattr(http_request, _RESULT_ATTR):
            setattr(http_request, _RESULT_ATTR, self._authenticate(http_request))
        result = getattr(http_request, _RESULT_ATTR)
        if isinstance(result, exceptions.APIException):
            raise result
        return result

    def _authenticate(self, request):
        header = self.get_header(request)
        if header is None:
            return None
        try:
            raw = self.get_raw_token(header)
            if raw is None:
                return None
            token = self.get_validated_token(raw)
            return user_for_token(token), token
        except (InvalidToken, TokenError, TokenRevoked, exceptions.AuthenticationFailed):
            return _INVALID

    def authenticate_header(self, request):
        return f'Bearer realm="{self.www_authenticate_realm}"'

    def authenticate_or_none(self, request):
        """(user, token) for a request with a valid bearer token, else None; never raises."""
        try:
            return self.authenticate(request)
        except exceptions.AuthenticationFailed:
            return None


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Api-Key <key>`` for machine clients; only views that list this class
    accept it (the voice agent endpoints)."""

    keyword = "Api-Key"

    def authenticate(self, request):
        http_request = getattr(request, "_request", request)
        if not hasattr(http_request, _KEY_RESULT_ATTR):
            setattr(http_request, _KEY_RESULT_ATTR, self._authenticate(http_request))
        result = getattr(http_request, _KEY_RESULT_ATTR)
        if isinstance(result, exceptions.APIException):
            raise result
        return result

    def _authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        principal = principal_for(raw.strip())
        if principal is None:
            return exceptions.AuthenticationFailed("The API key is invalid or revoked.")
        return principal, principal.key

    def authenticate_header(self, request):
        return self.keyword

    def authenticate_or_none(self, request):
        try:
            return self.authenticate(request)
        except exceptions.AuthenticationFailed:
            return None
