"""Live call counts per gym and (branch, campaign, direction, status, outcome, sentiment): the call
list's ``total`` and the campaign statistics (reps_dashboard/tally.py explains the mechanism).

Counting 2,000,000 calls of a gym reads 2,000,000 index entries (~150 ms) on every request; the
tally sums a few rows instead.
"""

from reps_dashboard.tally import Key, Tally

CALL_TALLY = Tally(
    name="calls_tally", source="calls_call", table="calls_calltally", counter="calls",
    keys=(Key("gym_id", "gym_id"), Key("branch_key", "branch_id", nullable_id=True),
          Key("campaign_key", "campaign_id", nullable_id=True), Key("direction", "direction"),
          Key("status", "status"), Key("outcome", "outcome", nullable_text=True),
          Key("sentiment", "sentiment", nullable_text=True)),
)


def install(using="default"):
    return CALL_TALLY.install(using)


def rebuild(using="default"):
    CALL_TALLY.rebuild(using)
