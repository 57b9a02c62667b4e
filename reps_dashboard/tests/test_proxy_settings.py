"""The trusted-proxy setting, as a fresh process loads it from the environment."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_COUNT = "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXY_COUNT)"


def load(**env):
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "reps_dashboard.settings",
            "DATABASE_URL": "sqlite:///:memory:"}
    return subprocess.run([sys.executable, "-c", PRINT_COUNT], cwd=ROOT, env={**base, **env}, capture_output=True,
                          text=True, timeout=60)


def test_forwarded_addresses_are_believed_only_behind_a_proxy():
    assert load().stdout.strip() == "0"
    assert load(DJANGO_BEHIND_PROXY="true").stdout.strip() == "1"
    assert load(DJANGO_BEHIND_PROXY="true", DJANGO_TRUSTED_PROXY_COUNT="2").stdout.strip() == "2"


def test_without_a_proxy_the_count_is_ignored_and_a_negative_one_refused():
    assert load(DJANGO_TRUSTED_PROXY_COUNT="3").stdout.strip() == "0"
    result = load(DJANGO_BEHIND_PROXY="true", DJANGO_TRUSTED_PROXY_COUNT="-1")
    assert result.returncode != 0 and "DJANGO_TRUSTED_PROXY_COUNT" in result.stderr
