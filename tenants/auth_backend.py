"""Django's authentication (the admin login, ``/admin/login/``) through the same throttle,
lockout and canonical login name as the API login.

Our own lockout wired into an authentication backend rather than django-axes: the API login
must keep its timing-equalised check and its 429 with ``Retry-After``, which axes does not give
a DRF view, and one guard (``tenants.login_guard``) behind both doors means one set of counters:
failures on either door count against both, and a lock on one holds on the other.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from reps_dashboard.client_address import client_ip

from . import auth_service

REFUSAL_ATTR = "login_refusal"


class GuardedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        try:
            return auth_service.user_authenticate(login=username, password=password,
                                                  ip=client_ip(request) if request is not None else None)
        except auth_service.InvalidCredentials:
            return None
        except auth_service.LoginRefused as refusal:
            if request is not None:
                setattr(request, REFUSAL_ATTR, refusal)  # the login form shows why
            raise PermissionDenied(refusal.message)
