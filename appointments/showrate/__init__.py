"""The show-rate engine: the voice agent confirms appointments the day before and recalls no-shows.

The ladder (docs/appointments.md): ``services.showrate_run`` queues a confirmation call for each
scheduled appointment whose time has come and a recall call for each recent no-show; the calls are
placed by the dialer like any queued call, with the appointment in their dynamic variables
(``variables.call_variables``). What the lead says moves the appointment (``outcomes``). Staff see
the appointments nobody gave an outcome (``selectors.appointments_needing_outcome``). What came
of it is counted on the appointment row (``recovery`` and ``calls.services``) for the analytics.
"""
