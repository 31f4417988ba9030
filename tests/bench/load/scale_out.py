"""Scale-out proof (issue 22): two gunicorn servers and two task workers against one PostgreSQL.

    .venv/bin/python -m tests.bench.load.scale_out
    (or through pytest: .venv/bin/pytest tests/bench/test_load.py -s -k scale_out)

Two gunicorn servers on two ports (each with KEHUI_LOAD_WORKERS workers) and two
`manage.py db_worker` processes share one database, prepared as the load test prepares it
(harness.prepare). Viewers (locust) send each request to either server at random, with one
login: sessions live in the database, so no user sticks to a server. Meanwhile a writer
alternates, two writes on one server and then two on the other:

- an **import** of IMPORT_ROWS rows, committed by a job (IMPORT_JOB_ROWS is set below the
  file's rows, so one of the two task workers writes it), and
- a **retirement** of credits through the offsets page's form,

and after each write reads the overview's "road to neutrality" and "by facility" exports from
the other server (several times, so that several of its processes answer, each of which had
answered before the write) and from a process started after the write. They must be equal,
and differ from what was read before the write: a process that kept a stale figure would show
the old one. Once, both servers are sent the same retirement (same registry reference) at the
same moment: exactly one may record it.

Results go to var/bench/scale-out.json. Settings: the load test's (harness.py), plus
KEHUI_LOAD_SCALE_OUT_USERS (default 10) viewers and KEHUI_LOAD_SCALE_OUT_SECONDS (default 90).
"""

import datetime as dt
import json
import re
import secrets
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from . import harness
from .harness import BIN, OUT, ROOT, Gunicorn, LoadConfig, log

WRITER = "loadwriter"
IMPORT_ROWS = 24
RETIRED_T = "0.5"  # tCO2e per retirement
IMPORT_JOB_ROWS = 10  # below IMPORT_ROWS: every import of the run is committed by a job
MAX_PROBLEMS = 10  # then the writer stops: the run has failed, and why is clear by then
READS_PER_CHECK = 4  # requests per server per check: several of its processes answer
EXPORTS = ["/overview/export/road.csv", "/overview/export/facilities.csv?year={year}"]

# A staff user who imports and retires (Data editor + Approver); the facility, a credit batch
# that can still be retired from, and the year written to.
WRITER_SCRIPT = """
import json, sys
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from emissions.facilities.models import Facility
from emissions.roles.definitions import APPROVER, DATA_EDITOR
user, _ = get_user_model().objects.get_or_create(username=sys.argv[1])
user.is_staff = True
user.set_password(sys.argv[2])
user.save()
user.groups.add(Group.objects.get(name=DATA_EDITOR), Group.objects.get(name=APPROVER))
open_facility = Facility.objects.filter(closed_on__isnull=True).order_by("code").first()
print(json.dumps({"facility": open_facility.code}))
"""

# The exports as a process started now answers them: nothing remembered from before.
FRESH_SCRIPT = """
import json, sys
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
answers = {}
for path in json.loads(sys.argv[2]):
    response = client.get(path, HTTP_HOST="127.0.0.1", secure=True)
    answers[path] = response.content.decode() if response.status_code == 200 else (
        f"HTTP {response.status_code}")
print(json.dumps(answers))
"""


class TaskWorker:
    """`manage.py db_worker`, as the compose file's worker service runs it."""

    def __init__(self, env: dict, log_path: Path):
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [str(BIN / "python"), "manage.py", "db_worker", "--no-reload"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        harness.stop(self.process)
        self._log.close()


class Session:
    """One logged-in browser session, used on either server (the cookie names no port)."""

    def __init__(self, url: str, username: str, password: str):
        self.http = harness.log_in(url, username, password)

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def get(self, url: str):
        response = self.http.get(url, allow_redirects=False, timeout=30)
        harness.trust_cookies(self.http)  # a page with a form may set the CSRF cookie again
        return response

    def post(self, url: str, data: dict, files: dict | None = None):
        response = self.http.post(
            url,
            data={**data, "csrfmiddlewaretoken": self.csrf},
            files=files,
            headers={"Referer": url},
            allow_redirects=False,
            timeout=60,
        )
        harness.trust_cookies(self.http)
        return response


class Writer(threading.Thread):
    """Imports and retirements, alternating servers, each checked against every reader."""

    def __init__(self, servers: list[str], session: Session, env: dict, cfg: LoadConfig, where):
        super().__init__(daemon=True)
        self.servers, self.session, self.env, self.cfg = servers, session, env, cfg
        self.facility, self.year = where["facility"], where["year"]
        self.paths = [path.format(year=self.year) for path in EXPORTS]
        self.stopping = threading.Event()
        self.writes: list[dict] = []
        self.problems: list[str] = []
        self.run_id = secrets.token_hex(4)

    def run(self):
        number = 0
        while not self.stopping.is_set():
            # import on A, retirement on A, import on B, retirement on B, …
            writer_url = self.servers[number // 2 % 2]
            reader_url = self.servers[(number // 2 + 1) % 2]
            try:
                self.writes.append(self._write_and_check(number, writer_url, reader_url))
            except Exception as error:  # noqa: BLE001 - every failure is a finding of the run
                self.problems.append(f"write {number} on {writer_url}: {error!r}")
                if len(self.problems) >= MAX_PROBLEMS:
                    return
            number += 1

    def _write_and_check(self, number: int, writer_url: str, reader_url: str) -> dict:
        before = self._answers(reader_url)
        started = time.monotonic()
        if number % 2 == 0:
            kind, detail = "import", self._import(writer_url, number)
        else:
            kind, detail = "retirement", self._retire(writer_url, number)
        written_s = time.monotonic() - started
        after = {url: self._answers(url) for url in self.servers}
        fresh = self.fresh_answers()
        agree = all(answers == fresh for answers in after.values())
        changed = after[reader_url] != before
        if not agree:
            self.problems.append(f"write {number} ({kind}): the servers' exports differ")
        if not changed:
            self.problems.append(f"write {number} ({kind}): {reader_url} shows the old figures")
        return {
            "number": number,
            "kind": kind,
            "written_on": writer_url,
            "read_on": reader_url,
            "seconds": round(written_s, 2),
            "servers_agree_with_a_fresh_process": agree,
            "other_server_shows_the_change": changed,
            **detail,
        }

    def _answers(self, url: str) -> dict:
        """Each export as `url` answers it, asked READS_PER_CHECK times; all must agree."""
        answers = {}
        for path in self.paths:
            bodies = set()
            for _ in range(READS_PER_CHECK):
                response = self.session.get(f"{url}{path}")
                bodies.add(response.text if response.status_code == 200 else response.status_code)
            if len(bodies) != 1:
                self.problems.append(f"{url}{path}: {len(bodies)} different answers in a row")
            answers[path] = sorted(map(str, bodies))[0]
        return answers

    def fresh_answers(self) -> dict:
        return json.loads(harness.shell(self.env, FRESH_SCRIPT, WRITER, json.dumps(self.paths)))

    def _import(self, url: str, number: int) -> dict:
        lines = ["facility,activity_type,period_start,period_end,quantity,unit,data_quality"]
        for row in range(IMPORT_ROWS):
            month = row % 11 + 1  # never a month still ahead of today
            day = row // 11 + 1
            quantity = f"{1000 + number}.{row:03d}"  # distinct: no duplicate warnings
            lines.append(
                f"{self.facility},grid_electricity,{self.year}-{month:02d}-{day:02d},"
                f"{self.year}-{month:02d}-{day:02d},{quantity},kWh,metered"
            )
        content = ("\n".join(lines) + "\n").encode()
        name = f"scale-out-{self.run_id}-{number}.csv"
        upload = self.session.post(f"{url}/import/", {}, files={"file": (name, content)})
        match = re.search(r"/import/(\d+)/", upload.headers.get("Location", ""))
        if upload.status_code != 302 or not match:
            raise RuntimeError(f"upload answered HTTP {upload.status_code}")
        batch_url = f"{url}/import/{match[1]}/"
        page = self.session.get(batch_url).text
        sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page)
        if not sha:
            raise RuntimeError(f"the import's preview offers no commit: {batch_url}")
        commit = self.session.post(f"{batch_url}commit/", {"sha256": sha[1]})
        if commit.status_code != 302:
            raise RuntimeError(f"commit answered HTTP {commit.status_code}")
        status = wait_for_import(self.cfg.database_url, int(match[1]))
        if status != "committed":
            raise RuntimeError(f"import {match[1]} ended {status}")
        return {"import": int(match[1]), "rows": IMPORT_ROWS}

    def _retire(self, url: str, number: int) -> dict:
        response = self.retire(url, f"SCALE-OUT-{self.run_id}-{number}")
        if response.status_code != 302:
            raise RuntimeError(f"retirement answered HTTP {response.status_code}")
        return {"retired_t": RETIRED_T}

    def retire(self, url: str, reference: str):
        page = self.session.get(f"{url}/offsets/?year={self.year}").text
        form = page[page.find('name="batch"') :]
        batch = re.search(r'<option value="(\d+)"', form)
        if not batch:
            raise RuntimeError(f"the offsets page of {self.year} offers no batch to retire from")
        return self.session.post(
            f"{url}/offsets/retire/?year={self.year}",
            {
                "batch": batch[1],
                "quantity_t": RETIRED_T,
                "claimed_year": self.year,
                "retired_on": dt.date.today().isoformat(),
                "registry_reference": reference,
                "beneficiary_statement": "",
            },
        )


def wait_for_import(database_url: str, pk: int, timeout: float = 120) -> str:
    """The import's status once no longer "previewed" (its commit job has run)."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            status = conn.execute(
                "SELECT status FROM activities_importbatch WHERE id = %s", [pk]
            ).fetchone()[0]
            if status != "previewed":
                return status
            time.sleep(0.2)
    return "still previewed after {timeout} s: no worker took its job"


def race(writer: Writer) -> dict:
    """Both servers are sent the same retirement at once: exactly one may record it."""
    reference = f"SCALE-OUT-{writer.run_id}-RACE"
    barrier = threading.Barrier(2)

    def send(url):
        barrier.wait()
        return writer.retire(url, reference).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(send, writer.servers))
    import psycopg

    with psycopg.connect(writer.cfg.database_url) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM offsets_retirement WHERE registry_reference = %s", [reference]
        ).fetchone()[0]
    return {
        "answers": codes,
        "retirements_stored": stored,
        "exactly_one": stored == 1 and sorted(codes) == [302, 400],
    }


def jobs_by_worker(database_url: str, since: dt.datetime) -> dict:
    """How many of the run's tasks each task worker ran (django-tasks-db's worker_ids)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT worker_ids, status FROM django_tasks_database_dbtaskresult"
            " WHERE enqueued_at >= %s",
            [since],
        ).fetchall()
    counts: dict[str, int] = {}
    for worker_ids, status in rows:
        key = f"{','.join(worker_ids) or 'none'} ({status})"
        counts[key] = counts.get(key, 0) + 1
    return counts


def server_errors(log_dir: Path) -> list[str]:
    """Tracebacks and 5xx answers in the servers' logs."""
    found = []
    for path in sorted(log_dir.glob("server-*/*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if "Traceback" in line or re.search(r'" 5\d\d ', line):
                found.append(f"{path.parent.name}/{path.name}: {line[:200]}")
    return found


def run(cfg: LoadConfig) -> dict:
    users = harness.env_int("KEHUI_LOAD_SCALE_OUT_USERS", 10)
    seconds = harness.env_int("KEHUI_LOAD_SCALE_OUT_SECONDS", 90)
    cfg = replace(cfg, users=users, seconds=seconds, spawn_rate=min(cfg.spawn_rate, users))
    log_dir = OUT / "scale-out"
    log_dir.mkdir(parents=True, exist_ok=True)
    prefix = log_dir / "scale-out"
    since = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="kehui-static-") as static_root:
        env = harness.production_env(cfg, Path(static_root))
        env["IMPORT_JOB_ROWS"] = str(IMPORT_JOB_ROWS)
        env["TASKS_BACKEND"] = "database"  # not "immediate", as under pytest: the workers run them
        info = harness.prepare(cfg, env)
        where = json.loads(harness.shell(env, WRITER_SCRIPT, WRITER, cfg.password))
        where["year"] = info["year"]
        servers, workers = [], []
        try:
            for n in (1, 2):
                (log_dir / f"server-{n}").mkdir(exist_ok=True)
                servers.append(Gunicorn(env, cfg.workers, log_dir / f"server-{n}"))
                workers.append(TaskWorker(env, log_dir / f"server-{n}" / "db_worker.log"))
            for server in servers:
                server.wait_ready()
            urls = [server.url for server in servers]
            log(f"two servers ({cfg.workers} workers each) on {urls}, two task workers")
            for url in urls:
                harness.warm_up(url, cfg.password, info, cfg.workers, rounds=1)
            writer = Writer(urls, Session(urls[0], WRITER, cfg.password), env, cfg, where)
            log(f"locust: {users} viewers over both servers, {seconds} s, with writes")
            locust = harness.start_locust(cfg, urls[0], info, prefix, hosts=urls)
            writer.start()
            harness.wait_locust(locust, cfg)
            writer.stopping.set()
            writer.join(timeout=300)
            raced = race(writer)
            result = {
                "setup": {
                    "servers": urls,
                    "gunicorn_workers_per_server": cfg.workers,
                    "task_workers": len(workers),
                    "viewers": users,
                    "seconds": seconds,
                    "activity_records": info["records"],
                    "data": info["data"],
                    "database": urlsplit(cfg.database_url).path.lstrip("/"),
                    "import_rows": IMPORT_ROWS,
                    "import_job_rows": IMPORT_JOB_ROWS,
                },
                "writes": writer.writes,
                "problems": writer.problems,
                "race": raced,
                "jobs_by_worker": jobs_by_worker(cfg.database_url, since),
                "task_workers_still_running": [w.process.poll() is None for w in workers],
                "servers_still_running": [s.process.poll() is None for s in servers],
            }
            result.update(harness.parse_stats(prefix, seconds))
        finally:
            for process in [*servers, *workers]:
                process.stop()
    result["server_errors"] = server_errors(log_dir)
    imports = [w for w in result["writes"] if w["kind"] == "import"]
    retirements = [w for w in result["writes"] if w["kind"] == "retirement"]
    result["goals"] = {
        "no_viewer_errors": result["pages"]["overall"]["failures"] == 0,
        "no_server_errors": not result["server_errors"],
        "imports_and_retirements_on_both_servers": all(
            {w["written_on"] for w in kind} == set(result["setup"]["servers"])
            for kind in (imports, retirements)
        ),
        "every_write_identical_everywhere": bool(result["writes"])
        and not result["problems"]
        and all(w["servers_agree_with_a_fresh_process"] for w in result["writes"]),
        "no_stale_figure": bool(result["writes"])
        and all(w["other_server_shows_the_change"] for w in result["writes"]),
        "one_of_two_simultaneous_retirements": raced["exactly_one"],
    }
    (OUT / "scale-out.json").write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))
    return result


def report(result: dict) -> str:
    writes = result["writes"]
    lines = [
        "",
        f"Scale-out: servers {result['setup']['servers']}, "
        f"{result['setup']['task_workers']} task workers, {result['setup']['viewers']} viewers "
        f"for {result['setup']['seconds']} s, {result['setup']['activity_records']:,} records",
        harness.table(result),
        f"writes: {sum(w['kind'] == 'import' for w in writes)} imports (jobs), "
        f"{sum(w['kind'] == 'retirement' for w in writes)} retirements; "
        f"jobs by worker: {result['jobs_by_worker']}",
        f"race: {result['race']}",
        f"problems: {result['problems'] or 'none'}; server errors: "
        f"{result['server_errors'] or 'none'}",
        "goals: " + json.dumps(result["goals"]),
        f"written to {OUT.relative_to(ROOT)}/scale-out.json",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    config = LoadConfig.from_env()
    missing = harness.locust_missing() or harness.postgres_missing(config.database_url)
    if missing:
        sys.exit(missing)
    run(config)
