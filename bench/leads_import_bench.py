"""Lead import at scale: 100,000 generated CSV rows through ``manage.py import_leads``.

Run from the project root (``make bench-import`` does this), on PostgreSQL for real figures:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_leads python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/reps_leads python bench/leads_import_bench.py [--rows N] [--keep]

It writes a messy file (mixed phone formats, enum spellings, tags, about 2% bad rows and 1%
repeated phones), creates a throw-away gym, runs the command in a child process and reports its
wall time and peak memory (the child's maximum resident set size), then the list, search and
call-queue latencies over HTTP at that size. The gym is deleted at the end unless ``--keep``.
"""

import argparse
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reps_dashboard.settings")

import django

django.setup()

from django.db import connection
from django.test import Client

from leads.models import Lead, LeadActivity, LeadTag
from tenants import tokens
from tenants.models import Branch, Gym, Role, Tag, User

FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Jane", "Sophia", "James", "Mia", "Lucas", "José", "Zoë", "Wei",
         "Priya", "Omar", "Grace", "Anna", "Tom", "Maria", "Sam"]
LAST = ["Smith", "Doe", "Garcia", "Müller", "Kim", "Patel", "O'Connor", "Nguyen", "Kowalski", "Rossi", "Álvarez",
        "Li", "Haddad", "Fischer", "Baker", "Reed", "Lee", "Brown", "Cohen", "Walker"]
AREAS = ["212", "646", "718", "917", "415", "310", "312", "305", "617", "206"]
STATUSES = ["New", "new", "Contacted", "contacted", "qualified", "Converted", "LOST", ""]
SOURCES = ["Website", "website", "Walk In", "walk-in", "Referral", "social", "Phone", "Other", ""]
TAGS = ["VIP", "Hot Lead", "Family Plan", "Student", "Corporate"]
FORMATS = ["({a}) {e}-{l}", "{a}-{e}-{l}", "+1 {a} {e} {l}", "{a}{e}{l}", "{a}.{e}.{l}"]


def write_file(path, rows, rng):
    used = []
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["First Name", "Last Name", "Phone", "Email", "Status", "Source", "Notes", "Interest", "Tags"])
        for n in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if used and rng.random() < 0.01:
                parts = rng.choice(used)  # a repeated phone: skipped (default mode)
            else:
                # Unique per row: (exchange, line) follows n; exchanges 230, 237, ... never end in 11.
                parts = {"a": rng.choice(AREAS), "e": str(230 + 7 * (n // 10000)), "l": f"{n % 10000:04d}"}
                if len(used) < 5000:
                    used.append(parts)
            phone = rng.choice(FORMATS).format(**parts)
            email = unicodedata.normalize("NFKD", f"{first}.{last}{n}@example.com".lower().replace("'", ""))
            email = email.encode("ascii", "ignore").decode()
            roll = rng.random()
            if roll < 0.01:
                email = "not-an-email"
            elif roll < 0.02:
                last = ""
            tags = "; ".join(rng.sample(TAGS, rng.choice([1, 2]))) if rng.random() < 0.2 else ""
            writer.writerow([first, last, phone, email, rng.choice(STATUSES), rng.choice(SOURCES),
                             rng.choice(["", "", "Prefers evenings", "Asked about the family plan"]),
                             rng.choice(["", "Yoga", "Personal training", "Swimming"]), tags])


def run_import(gym, path):
    started = time.perf_counter()
    child = subprocess.run([sys.executable, str(ROOT / "manage.py"), "import_leads", "--gym", str(gym.id), str(path),
                            "--branch", "Bench"], capture_output=True, text=True, env=os.environ.copy())
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kilobytes on Linux
    return child, elapsed, peak_mb


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def http_latencies(user, repeat=30):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(user)['access_token']}")
    cases = {
        "list limit=50": ("/api/leads", {"limit": 50}),
        "list status=new,contacted": ("/api/leads", {"status": "new,contacted", "limit": 50}),
        "list sort_by=last_name": ("/api/leads", {"sort_by": "last_name", "limit": 50}),
        'search "jane doe"': ("/api/leads", {"search": "jane doe", "limit": 50}),
        'search "555 01"': ("/api/leads", {"search": "555 0123", "limit": 50}),
        "prioritized count=50": ("/api/leads/prioritized", {"count": 50}),
    }
    for label, (path, query) in cases.items():
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path, query)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:300]
        print(f"  {label:28} p50 {statistics.median(timings):7.1f} ms   p95 {percentile(timings, 95):7.1f} ms")


def cleanup(gym):
    # Children first, each a single DELETE: the ORM's cascade would load every row into memory.
    LeadActivity.all_gyms.filter(gym=gym).delete()
    LeadTag.all_gyms.filter(gym=gym).delete()
    Lead.all_gyms.filter(gym=gym).delete()
    gym.delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="Keep the bench gym and its leads.")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    gym = Gym.objects.create(name=f"Import bench {int(time.time())}", timezone="America/New_York", country="US")
    branch = Branch.objects.create(gym=gym, name="Bench")
    admin = User.objects.create_user(f"bench-{gym.id}@example.com", "bench-password-123", gym=gym, branch=branch,
                                     role=Role.ADMIN)
    Tag.objects.for_gym(gym).create(gym=gym, name="VIP")
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "leads_bench.csv"
            write_file(path, args.rows, rng)
            print(f"{connection.vendor}: importing {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB)")
            child, elapsed, peak_mb = run_import(gym, path)
        lines = child.stdout.strip().splitlines()
        progress = [line for line in lines if "rows read" in line]
        print(f"  progress lines: {len(progress)} (last: {progress[-1].strip() if progress else '-'})")
        print(f"  {lines[-1] if lines else child.stderr.strip()[-300:]}")
        print(f"  exit status {child.returncode} (non-zero: some rows failed, as generated)")
        print(f"  wall time {elapsed:.1f} s ({args.rows / elapsed:,.0f} rows/s), peak RSS {peak_mb:.0f} MB")
        print(f"  in the database: {Lead.all_gyms.filter(gym=gym).count():,} leads, "
              f"{LeadActivity.all_gyms.filter(gym=gym).count():,} timeline entries, "
              f"{LeadTag.all_gyms.filter(gym=gym).count():,} tag links")
        if connection.vendor == "postgresql":  # what autovacuum does soon after a bulk load
            with connection.cursor() as cursor:
                for table in ("leads_lead", "leads_leadtag", "leads_leadactivity"):
                    cursor.execute(f"VACUUM ANALYZE {table}")
        print("HTTP (test client, full middleware and JWT) at this size:")
        http_latencies(admin)
    finally:
        if args.keep:
            print(f"Kept gym {gym.id} ({gym.name}); log in as {admin.email} / bench-password-123.")
        else:
            cleanup(gym)


if __name__ == "__main__":
    main()
