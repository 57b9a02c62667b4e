"""Load-test plumbing: a gunicorn server for the app, wrk runs against it, and what they print.

Nothing here knows about gyms or leads; ``bench/perf.py`` says what to load and prints the report.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_requests.lua"


@dataclass
class Server:
    """gunicorn serving the project on 127.0.0.1 with the benchmark's URLconf (which adds the
    baseline view beside the real API)."""

    port: int
    workers: int
    threads: int
    env: dict
    process: subprocess.Popen | None = None

    def start(self):
        command = [
            sys.executable, "-m", "gunicorn", "reps_dashboard.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--worker-class", "gthread" if self.threads > 1 else "sync", "--threads", str(self.threads),
            "--backlog", "2048", "--keep-alive", "30", "--log-level", "warning", "--access-logfile", "/dev/null",
        ]
        env = {**os.environ, **self.env, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not become healthy within 60 s")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def peak_memory_mb(self) -> list[float]:
        """Peak resident memory (VmHWM) of each worker since it started."""
        peaks = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return peaks

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Result:
    name: str
    concurrency: int
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    errors: int
    extra: dict = field(default_factory=dict)

    def as_row(self) -> str:
        return (f"{self.name:<44} c={self.concurrency:<3} {self.requests_per_second:>8.1f} req/s  "
                f"p50 {self.p50_ms:>7.2f} ms  p90 {self.p90_ms:>7.2f} ms  p99 {self.p99_ms:>7.2f} ms  "
                f"errors {self.errors}")


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(name: str, url: str, *, token: str, concurrency: int, seconds: int, requests: list[dict] | None = None,
        threads: int = 1) -> Result:
    """Drive ``url`` (or each of ``requests``: ``{method, path, body}``, round robin) with wrk.

    Every request carries the bearer token; non-2xx/3xx answers and socket errors count as errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as plan:
        for item in requests or []:
            body = json.dumps(item["body"]) if item.get("body") is not None else ""
            plan.write(f"{item['method']}\t{item['path']}\t{body}\n")
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_PLAN": plan.name}
    command = ["wrk", "-t", str(min(threads, concurrency)), "-c", str(concurrency), "-d", f"{seconds}s", "--latency",
               "--timeout", "10s", "-s", str(WRK_SCRIPT), url]
    try:
        out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    finally:
        os.unlink(plan.name)
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", out, re.M))
    if len(latency) != 3:
        raise RuntimeError(f"could not read wrk's output for {name}:\n{out}")
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return Result(name=name, concurrency=concurrency,
                  requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                  p50_ms=_ms(latency["50"]), p90_ms=_ms(latency["90"]), p99_ms=_ms(latency["99"]),
                  requests=total, errors=errors)
