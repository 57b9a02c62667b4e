"""The project's settings plus the benchmark's URLconf (the baseline view beside the real API).
The served API is unchanged; only /bench/ is added."""

from reps_dashboard.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
