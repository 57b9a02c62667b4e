"""One module per endpoint (overview, leads, calls, appointments) over the shared core:
``analytics.period`` (what is asked), ``analytics.counting`` (how it is counted) and ``common``."""
