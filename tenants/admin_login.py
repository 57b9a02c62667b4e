"""The admin's login form: says when the throttle or lockout refused the attempt, rather than
"wrong password" (the backend, ``tenants.auth_backend``, did the refusing)."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from .auth_backend import REFUSAL_ATTR


class GuardedAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            refusal = getattr(self.request, REFUSAL_ATTR, None)
            if refusal is not None:
                raise ValidationError(refusal.message, code="refused")
            raise
