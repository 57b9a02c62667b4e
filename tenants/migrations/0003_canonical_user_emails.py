"""Stored emails in the canonical login form (``tenants.identity.canonical_email``): logins are
looked up by exact equality on it. An email whose canonical form another user already holds is
left as it is (that user cannot log in under it until an admin renames one of them)."""

from django.db import migrations

from tenants.identity import canonical_email


def canonicalise(apps, schema_editor):
    User = apps.get_model("tenants", "User")
    taken = set(User.objects.values_list("email", flat=True))
    for user in User.objects.only("id", "email").order_by("created_at"):
        canonical = canonical_email(user.email)
        if canonical != user.email and canonical not in taken:
            taken.add(canonical)
            User.objects.filter(pk=user.pk).update(email=canonical)


class Migration(migrations.Migration):
    dependencies = [("tenants", "0002_api_keys")]

    operations = [migrations.RunPython(canonicalise, migrations.RunPython.noop)]
