"""Load test harness: gunicorn with the production settings, locust against it, on loopback.

    .venv/bin/python -m tests.bench.load.harness            # the normal run
    KEHUI_LOAD_RESTART=1 .venv/bin/python -m tests.bench.load.harness   # + PostgreSQL restart
    (or through pytest: .venv/bin/pytest tests/bench/test_load.py -s)

Steps: create and fill the database named by KEHUI_LOAD_DATABASE_URL (migrate, factors,
activity types, the Kehui demo, a staff user in the Viewer role), collect the static files into
a temporary folder, start gunicorn (kehui.wsgi, 127.0.0.1 and a free port) with DEBUG=false,
then run locust headless (users log in once, then browse the pages; see locustfile.py). The
stats CSV is read back into var/bench/load.json and printed as a table.

With KEHUI_LOAD_RESTART=1 the PostgreSQL cluster is restarted (pg_ctlcluster … restart) part way
through, after a committed write; the run then checks that the write survived, that gunicorn was
not restarted and how long it took until it answered 200 again. Restarting PostgreSQL cuts off
every other user of the cluster on this machine: run it only when no one else is using it.

Everything is bounded: locust has -t and the harness kills anything still running after a hard
timeout. Nothing listens anywhere but 127.0.0.1.

Settings (environment):
    KEHUI_LOAD_DATABASE_URL  postgres://postgres@127.0.0.1:5432/kehui_load
    KEHUI_LOAD_USERS 20, KEHUI_LOAD_SPAWN_RATE 5, KEHUI_LOAD_SECONDS 60, KEHUI_LOAD_WORKERS 3
    KEHUI_LOAD_RECORDS (unset: the Kehui demo; N: tests/bench/generate.py's data set, N records)
    KEHUI_LOAD_RESTART 0, KEHUI_LOAD_RESTART_AT 20 (seconds into the run)
    KEHUI_LOAD_PG_CLUSTER "<version> main" (default: the newest version in /etc/postgresql)
"""

import csv
import importlib.util
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kehui_load"
USERNAME = "loadtest"
P95_GOAL_MS = 300
WORKER_RSS_GOAL_MB = 250
PAGES = [
    "overview",
    "facilities",
    "facility",
    "ledger",
    "ledger filtered",
    "offsets",
    "targets",
    "report",
]

# Creates (or resets) the load-test user: staff, in the Viewer role (every view permission).
USER_SCRIPT = """
import json, sys
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from emissions.activities.models import ActivityRecord
from emissions.facilities.models import Facility
from emissions.roles.definitions import VIEWER
user, _ = get_user_model().objects.get_or_create(username=sys.argv[1])
user.is_staff = True
user.set_password(sys.argv[2])
user.save()
user.groups.add(Group.objects.get(name=VIEWER))
facility = Facility.objects.order_by("code").first()
year = ActivityRecord.objects.order_by("-year").values_list("year", flat=True).first()
print(json.dumps({"records": ActivityRecord.objects.count(), "facility": facility.code,
                  "year": year}))
"""

# The page benchmark's data set (tests/bench/generate.py) in an empty database.
GENERATE_SCRIPT = """
import sys
from emissions.activities.models import ActivityRecord
from emissions.facilities.models import Organisation
from tests.bench.generate import generate
if not Organisation.objects.exists():
    Organisation(name_en="Kehui load test", base_year=2019, gwp_basis="AR5").save()
if not ActivityRecord.objects.exists():
    generated = generate(int(sys.argv[1]))
    print(f"generated {generated.records} records in {generated.seconds:.1f} s")
"""

# A committed write through the ORM (autocommit: saved when save() returns).
WRITE_SCRIPT = """
import sys
from emissions.neutrality.models import ReductionInitiative
initiative = ReductionInitiative.objects.create(
    title=sys.argv[1], kind="other", status="planned", expected_abatement_t_per_year=1)
print(initiative.pk)
"""

CHECK_SCRIPT = """
import sys
from emissions.neutrality.models import ReductionInitiative
print(ReductionInitiative.objects.filter(title=sys.argv[1]).count())
"""

DELETE_SCRIPT = """
import sys
from emissions.neutrality.models import ReductionInitiative
ReductionInitiative.objects.filter(title=sys.argv[1]).delete()
"""


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").strip() or default)


@dataclass
class LoadConfig:
    database_url: str = DEFAULT_DATABASE_URL
    users: int = 20
    spawn_rate: int = 5
    seconds: int = 60
    workers: int = 3
    restart: bool = False
    restart_at: int = 20
    password: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    @classmethod
    def from_env(cls) -> "LoadConfig":
        return cls(
            database_url=os.environ.get("KEHUI_LOAD_DATABASE_URL", DEFAULT_DATABASE_URL),
            users=env_int("KEHUI_LOAD_USERS", 20),
            spawn_rate=env_int("KEHUI_LOAD_SPAWN_RATE", 5),
            seconds=env_int("KEHUI_LOAD_SECONDS", 60),
            workers=env_int("KEHUI_LOAD_WORKERS", 3),
            restart=os.environ.get("KEHUI_LOAD_RESTART", "") == "1",
            restart_at=env_int("KEHUI_LOAD_RESTART_AT", 20),
        )


def log(message: str) -> None:
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- availability ----------------------------------------------------------------------------


def locust_missing() -> str | None:
    """Why locust cannot run, or None. (locust is not imported here: it monkey-patches.)"""
    if importlib.util.find_spec("locust") is None or not (BIN / "locust").exists():
        return "locust is not installed (.venv/bin/pip install locust, or the dev group)"
    return None


def postgres_missing(database_url: str) -> str | None:
    """Why the PostgreSQL server of database_url cannot be reached, or None."""
    import psycopg

    try:
        psycopg.connect(_maintenance_url(database_url), connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {urlsplit(database_url).netloc}: {error}"
    return None


def _maintenance_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


# --- preparing the database ------------------------------------------------------------------


def production_env(cfg: LoadConfig, static_root: Path) -> dict[str, str]:
    """The environment of a production deployment, as README and docker-compose.yml set it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DB_", "SECURE_", "CSRF_", "DJANGO_", "AXES_"))
        and key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "LOG_LEVEL"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=cfg.database_url,
        # Plain http on loopback: no TLS proxy in front, so no redirect to https.
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        # kehui.settings with STATIC_ROOT in a temporary folder (tests/bench/load/settings.py).
        DJANGO_SETTINGS_MODULE="tests.bench.load.settings",
        KEHUI_LOAD_STATIC_ROOT=str(static_root),
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def shell(env: dict, script: str, *argv: str, timeout: float = 60) -> str:
    """Run a Python snippet with Django set up (manage.py shell), arguments in sys.argv[1:]."""
    code = f"import sys; sys.argv = ['load', *{list(argv)!r}]\n{script}"
    return manage(env, "shell", "--no-imports", "-c", code, timeout=timeout).strip()


def ensure_database(database_url: str, fresh: bool = False) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(_maintenance_url(database_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            log(f"recreating database {name} for the data set asked for")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            log(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(cfg: LoadConfig, env: dict) -> dict:
    """Migrate and fill the database, collect static files; return what the run uses.

    Without KEHUI_LOAD_RECORDS: the Kehui demo (load_demo). With KEHUI_LOAD_RECORDS=N: the
    page benchmark's data set (tests/bench/generate.py: 200 facilities, 2018–2025) with N
    activity records, in a database recreated for it unless it already holds exactly that.
    """
    records = env_int("KEHUI_LOAD_RECORDS", 0)
    count, generated = _holds(cfg)
    fresh = (records > 0 and not (generated and count == records)) or (not records and generated)
    ensure_database(cfg.database_url, fresh=fresh)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput")
    if not (records and count == records and generated):
        # Not again on a generated data set already in place: reloading the factor library
        # can recalculate its million records (minutes).
        log("load_factors, load_activity_types")
        manage(env, "load_factors")
        manage(env, "load_activity_types")
    if records:
        data = f"tests/bench/generate.py, {records:,} records"
        log(f"generating {records:,} records (tests/bench/generate.py) unless present")
        shell(env, GENERATE_SCRIPT, str(records), timeout=3600)
    else:
        data = "Kehui demo (load_demo)"
        manage(env, "load_demo")
    info = json.loads(shell(env, USER_SCRIPT, USERNAME, cfg.password))
    import psycopg

    with psycopg.connect(cfg.database_url) as conn:
        conn.execute("ANALYZE")
    manage(env, "collectstatic", "--noinput")
    info.update(data=data, prepare_seconds=round(time.perf_counter() - started, 1))
    log(f"data: {info['records']:,} activity records ({data}), {info['prepare_seconds']} s")
    return info


def _holds(cfg: LoadConfig) -> tuple[int, bool]:
    """The database's activity records, and whether they are the generated data set."""
    import psycopg

    try:
        with psycopg.connect(cfg.database_url, connect_timeout=3) as conn:
            count = conn.execute("SELECT count(*) FROM activities_activityrecord").fetchone()[0]
            bench = conn.execute(
                "SELECT count(*) FROM facilities_facility WHERE code = 'F001'"
            ).fetchone()[0]
    except psycopg.Error:
        return 0, False
    return count, bench == 1


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn kehui.wsgi on 127.0.0.1:<free port>, as the Dockerfile runs it."""

    def __init__(self, env: dict, workers: int, log_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / "gunicorn.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "kehui.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--no-control-socket",
                "--access-logfile",
                str(log_dir / "access.log"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                if requests.get(f"{self.url}/accounts/login/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log_path}")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker, in MB."""
        import psutil

        children = psutil.Process(self.process.pid).children()
        return sorted(round(child.memory_info().rss / 2**20, 1) for child in children)

    def worker_pids(self) -> list[int]:
        import psutil

        return sorted(child.pid for child in psutil.Process(self.process.pid).children())

    def stop(self) -> None:
        stop(self.process)
        self._log.close()


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (a graceful shutdown), then SIGKILL to its whole group after 15 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# --- locust ----------------------------------------------------------------------------------


def start_locust(
    cfg: LoadConfig, url: str, info: dict, prefix: Path, hosts: list[str] = ()
) -> subprocess.Popen:
    """Locust against `url`; with `hosts`, each page request goes to one of them at random."""
    env = {
        **os.environ,
        "KEHUI_LOAD_USERNAME": USERNAME,
        "KEHUI_LOAD_PASSWORD": cfg.password,
        "KEHUI_LOAD_FACILITY": info["facility"],
        "KEHUI_LOAD_YEAR": str(info["year"] or ""),
        "KEHUI_LOAD_REQUEST_LOG": f"{prefix}_requests.csv",
        "KEHUI_LOAD_HOSTS": " ".join(hosts),
    }
    command = [
        str(BIN / "locust"),
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "-u",
        str(cfg.users),
        "-r",
        str(cfg.spawn_rate),
        "-t",
        f"{cfg.seconds}s",
        "--host",
        url,
        "--csv",
        str(prefix),
        "--csv-full-history",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    output = prefix.with_name(prefix.name + "_locust.log").open("w")
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_locust(process: subprocess.Popen, cfg: LoadConfig) -> None:
    """Wait for locust within a hard limit; 0 and 1 (some requests failed) are normal ends."""
    try:
        code = process.wait(timeout=cfg.seconds + 60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise RuntimeError("locust ran past its hard timeout and was killed") from None
    if code not in (0, 1):
        raise RuntimeError(f"locust exited with status {code}")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (the smallest value with `share` of the values at or below)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)] if ordered else 0.0


def summarise(rows: list[tuple[float, str, float, bool]], seconds: float) -> dict:
    times = [ms for _start, _name, ms, _failed in rows]
    return {
        "requests": len(rows),
        "failures": sum(1 for row in rows if row[3]),
        "p50_ms": round(percentile(times, 0.50)),
        "p95_ms": round(percentile(times, 0.95)),
        "p99_ms": round(percentile(times, 0.99)),
        "max_ms": round(max(times, default=0)),
        "requests_per_s": round(len(rows) / seconds, 1),
    }


def parse_stats(prefix: Path, seconds: float) -> dict:
    """Requests, failures, exact percentiles and throughput per page and overall.

    From the per-request log the locustfile writes; "pages" leaves out the two login requests
    each user makes once at its start (password hashing makes the login POST slow on purpose).
    """
    with open(f"{prefix}_requests.csv", newline="") as f:
        rows = [(float(a), name, float(ms), failed == "1") for a, name, ms, failed in csv.reader(f)]
    names = [page for page in PAGES if any(row[1] == page for row in rows)]
    names += sorted({row[1] for row in rows} - set(names))
    pages = {name: summarise([r for r in rows if r[1] == name], seconds) for name in names}
    pages["pages (without login)"] = summarise([r for r in rows if r[1] in PAGES], seconds)
    pages["overall"] = summarise(rows, seconds)
    with open(f"{prefix}_stats.csv", newline="") as f:
        aggregated = next(row for row in csv.DictReader(f) if row["Name"] == "Aggregated")
    with open(f"{prefix}_failures.csv", newline="") as f:
        failures = [
            {"name": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
            for row in csv.DictReader(f)
        ]
    return {
        "pages": pages,
        "locust_requests_per_s": round(float(aggregated["Requests/s"]), 1),
        "failures": failures,
    }


def warm_up(url: str, password: str, info: dict, workers: int, rounds: int = 3) -> int:
    """Ask for every page a few times from `workers` clients at once, before measuring.

    A gunicorn that has been serving for a while has its workers warm (modules imported,
    templates compiled, connections open); a freshly started one does not.
    """
    from concurrent.futures import ThreadPoolExecutor

    year = info["year"] or ""
    paths = [
        "/",
        "/facilities/",
        f"/facilities/{info['facility']}/",
        "/ledger/",
        f"/ledger/?year={year}&facility={info['facility']}&scope=2",
        "/offsets/",
        "/targets/",
        f"/report/{year}/",
    ]
    probe = Probe(url, password)

    def browse(_n):
        import requests

        session = requests.Session()
        session.cookies.update(probe.session.cookies)
        return sum(
            session.get(f"{url}{path}", allow_redirects=False, timeout=30).status_code == 200
            for _round in range(rounds)
            for path in paths
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        ok = sum(pool.map(browse, range(workers)))
    expected = workers * rounds * len(paths)
    if ok != expected:
        raise RuntimeError(f"warm-up: {expected - ok} of {expected} requests did not answer 200")
    # One user alone, after the warm-up: what each page costs without queueing (median of 3).
    alone = {}
    for name, path in zip(PAGES, paths, strict=True):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            probe.get(path)
            times.append((time.perf_counter() - started) * 1000)
        alone[name] = round(sorted(times)[1])
    return expected, alone


def failure_timeline(prefix: Path, started_at: float) -> list[dict]:
    """Seconds into the run at which the total failure count grew, from the full history."""
    timeline, last = [], 0
    with open(f"{prefix}_stats_history.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["Name"] != "Aggregated":
                continue
            total = int(row["Total Failure Count"])
            if total > last:
                timeline.append(
                    {"t": round(int(row["Timestamp"]) - started_at), "failures": total - last}
                )
                last = total
    return timeline


def table(result: dict) -> str:
    lines = [
        f"{'page':<22}{'requests':>9}{'failures':>9}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'max ms':>8}{'req/s':>7}"
    ]
    for name, row in result["pages"].items():
        lines.append(
            f"{name:<22}{row['requests']:>9}{row['failures']:>9}{row['p50_ms']:>8}"
            f"{row['p95_ms']:>8}{row['p99_ms']:>8}{row['max_ms']:>8}"
            f"{row['requests_per_s']:>7}"
        )
    return "\n".join(lines)


# --- the PostgreSQL restart ------------------------------------------------------------------


def trust_cookies(session) -> None:
    """Secure cookies over http://127.0.0.1, as browsers allow (see locustfile.py)."""
    for cookie in session.cookies:
        cookie.secure = False


def log_in(url: str, username: str, password: str):
    """A requests session logged in through the login page of `url`.

    The session cookie names no port: the session serves on every server of 127.0.0.1.
    """
    import requests

    session = requests.Session()
    session.get(f"{url}/accounts/login/", timeout=10)
    trust_cookies(session)
    response = session.post(
        f"{url}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        allow_redirects=False,
        timeout=10,
    )
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not log in: HTTP {response.status_code}")
    trust_cookies(session)
    return session


class Probe(threading.Thread):
    """A logged-in client asking for /facilities/ every 0.25 s: when did answers fail?"""

    def __init__(self, url: str, password: str):
        super().__init__(daemon=True)
        self.url = url
        self.session = log_in(url, USERNAME, password)
        self.samples: list[tuple[float, str]] = []
        self.stopping = threading.Event()

    def get(self, path: str):
        return self.session.get(f"{self.url}{path}", allow_redirects=False, timeout=10)

    def run(self):
        import requests

        while not self.stopping.is_set():
            at = time.monotonic()
            try:
                outcome = str(self.get("/facilities/").status_code)
            except requests.RequestException as error:
                outcome = type(error).__name__
            self.samples.append((at, outcome))
            self.stopping.wait(0.25)


def pg_cluster() -> list[str]:
    configured = os.environ.get("KEHUI_LOAD_PG_CLUSTER", "").split()
    if configured:
        return configured
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: float(p.name))
    return [versions[-1].name, "main"]


def restart_postgres() -> dict:
    cluster = pg_cluster()
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, "restart"]
    log(f"restarting PostgreSQL: {' '.join(command)}")
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    ended = time.monotonic()
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr}")
    return {"command": " ".join(command), "started": started, "ended": ended}


def outage(samples: list[tuple[float, str]], restart: dict) -> dict:
    """Probe failures around the restart and the time from the restart until 200 again."""
    after = [(at, outcome) for at, outcome in samples if at >= restart["started"]]
    failed = [(at, outcome) for at, outcome in after if outcome != "200"]
    back = next((at for at, outcome in after if outcome == "200" and at >= restart["ended"]), None)
    return {
        "restart_seconds": round(restart["ended"] - restart["started"], 2),
        "probe_requests_after_restart_began": len(after),
        "probe_failures": len(failed),
        "probe_failure_kinds": sorted({outcome for _at, outcome in failed}),
        "first_200_after_restart_s": None if back is None else round(back - restart["ended"], 2),
        "probe_failures_before_restart": sum(
            1 for at, outcome in samples if at < restart["started"] and outcome != "200"
        ),
    }


# --- the runs --------------------------------------------------------------------------------


def run(cfg: LoadConfig) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    log_dir = OUT / "load"
    log_dir.mkdir(exist_ok=True)
    name = "load-restart" if cfg.restart else "load"
    prefix = log_dir / name
    with tempfile.TemporaryDirectory(prefix="kehui-static-") as static_root:
        env = production_env(cfg, Path(static_root))
        info = prepare(cfg, env)
        server = Gunicorn(env, cfg.workers, log_dir)
        try:
            server.wait_ready()
            log(f"gunicorn ({cfg.workers} workers) on {server.url}")
            warmed, alone = warm_up(server.url, cfg.password, info, cfg.workers)
            log(f"warm-up: {warmed} requests, all 200; one user alone (ms): {alone}")
            result = {
                "setup": {
                    "users": cfg.users,
                    "spawn_rate_per_s": cfg.spawn_rate,
                    "seconds": cfg.seconds,
                    "gunicorn_workers": cfg.workers,
                    "activity_records": info["records"],
                    "data": info["data"],
                    "database": urlsplit(cfg.database_url).path.lstrip("/"),
                    "settings": "DEBUG=false, SECURE_SSL_REDIRECT=false, CONN_MAX_AGE 60",
                    "cpu_count": os.cpu_count(),
                    "warm_up_requests": warmed,
                },
                "one_user_alone_median_ms": alone,
            }
            if cfg.restart:
                result["restart"] = restart_run(cfg, server, info, prefix, env)
            else:
                started_at = time.time()
                log(f"locust: {cfg.users} users, {cfg.seconds} s")
                wait_locust(start_locust(cfg, server.url, info, prefix), cfg)
                result["failure_timeline"] = failure_timeline(prefix, started_at)
            result["worker_rss_mb_after_run"] = server.worker_rss_mb()
            result.update(parse_stats(prefix, cfg.seconds))
        finally:
            server.stop()
    overall = result["pages"]["overall"]
    pages = result["pages"]["pages (without login)"]
    result["goals"] = {
        "no_errors": overall["failures"] == 0,
        "p95_under_300_ms_overall": overall["p95_ms"] < P95_GOAL_MS,
        "p95_under_300_ms_pages": pages["p95_ms"] < P95_GOAL_MS,
        # Issue 22: each worker's memory after the run.
        "workers_under_250_mb": max(result["worker_rss_mb_after_run"]) < WORKER_RSS_GOAL_MB,
        "requests_over_300_ms_p95": [
            name
            for name, row in result["pages"].items()
            if name not in ("overall", "pages (without login)") and row["p95_ms"] >= P95_GOAL_MS
        ],
    }
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))
    return result


def restart_run(cfg: LoadConfig, server: Gunicorn, info: dict, prefix: Path, env: dict) -> dict:
    probe = Probe(server.url, cfg.password)
    workers_before = server.worker_pids()
    title = f"load-test restart check {secrets.token_hex(6)}"
    started_at, started = time.time(), time.monotonic()
    log(f"locust: {cfg.users} users, {cfg.seconds} s; PostgreSQL restart at {cfg.restart_at} s")
    locust = start_locust(cfg, server.url, info, prefix)
    probe.start()
    try:
        time.sleep(max(0.0, started + cfg.restart_at - 3 - time.monotonic()))
        pk = shell(env, WRITE_SCRIPT, title)
        log(f"committed ReductionInitiative {pk} ({title!r})")
        time.sleep(max(0.0, started + cfg.restart_at - time.monotonic()))
        restart = restart_postgres()
        log(f"PostgreSQL back after {restart['ended'] - restart['started']:.1f} s")
        wait_locust(locust, cfg)
    finally:
        if locust.poll() is None:
            os.killpg(locust.pid, signal.SIGKILL)
        probe.stopping.set()
        probe.join(timeout=15)
    kept = int(shell(env, CHECK_SCRIPT, title))
    shown = title in probe.get("/targets/").text
    shell(env, DELETE_SCRIPT, title)
    result = {
        "command": restart["command"],
        "at_s": round(restart["started"] - started, 1),
        "write": {
            "model": "ReductionInitiative",
            "pk": int(pk),
            "still_in_database": kept == 1,
            "shown_on_targets_page": shown,
        },
        "gunicorn_master_not_restarted": server.process.poll() is None,
        "gunicorn_workers_unchanged": server.worker_pids() == workers_before,
        **outage(probe.samples, restart),
        "locust_failure_timeline": failure_timeline(prefix, started_at),
    }
    return result


def report(result: dict) -> str:
    setup = result["setup"]
    overall = result["pages"]["overall"]
    lines = [
        "",
        f"Load test: {setup['users']} users for {setup['seconds']} s against gunicorn "
        f"({setup['gunicorn_workers']} workers), {setup['activity_records']:,} activity records "
        f"({setup['data']})",
        table(result),
        f"throughput {overall['requests_per_s']} requests/s; {overall['failures']} failures "
        f"of {overall['requests']} requests; p95 {overall['p95_ms']} ms overall, "
        f"{result['pages']['pages (without login)']['p95_ms']} ms for the pages "
        f"(goal < {P95_GOAL_MS} ms)",
    ]
    memory = result["worker_rss_mb_after_run"]
    lines.append(f"gunicorn workers' memory after the run (MB): {memory}")
    if result["failures"]:
        lines.append("failures: " + "; ".join(
            f"{f['name']}: {f['error']} ×{f['count']}" for f in result["failures"]
        ))  # fmt: skip
    if "restart" in result:
        lines.append("restart: " + json.dumps(result["restart"], indent=2))
    lines.append(f"written to {OUT.relative_to(ROOT)}/")
    return "\n".join(lines)


if __name__ == "__main__":
    config = LoadConfig.from_env()
    missing = locust_missing() or postgres_missing(config.database_url)
    if missing:
        sys.exit(missing)
    run(config)
