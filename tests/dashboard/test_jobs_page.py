"""The Jobs page: every job with who asked, its state and how it ended; failed ones restart."""

import pytest
from django.test import Client
from django.urls import reverse

from emissions.jobs import services
from emissions.jobs.models import Job, JobKind, JobStatus
from tests.jobs import functions

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:jobs")


def restart_url(job) -> str:
    return reverse("dashboard:job_restart", args=[job.pk])


@pytest.fixture
def failed(staff_viewer):
    return services.start(
        functions.make_group_then_fail, description="Recalculate 2024", requested_by=staff_viewer,
        name="x",
    )  # fmt: skip


def test_the_page_lists_jobs_with_their_requester_state_and_outcome(staff_client, staff_viewer):
    services.start(functions.make_groups, description="Two groups", names=["a", "b"])
    failed = services.start(
        functions.make_group_then_fail, description="Breaks", requested_by=staff_viewer, name="c"
    )
    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Two groups" in html and "Breaks" in html
    assert "Finished" in html and "Failed" in html
    assert "Nothing was changed: the job stopped at an error (ValueError:" in html
    assert "staff-viewer" in html
    # Its own failed job may be started again; nothing is polling: every job has ended.
    assert f'action="{restart_url(failed)}"' in html
    assert "hx-trigger" not in html.split('id="jobs"')[1].split(">")[0]


def test_the_table_polls_while_a_job_is_queued(staff_client):
    Job.objects.create(function="tests.jobs.functions.make_groups", description="Waiting")
    html = staff_client.get(URL).content.decode()
    section = html.split('id="jobs"')[1].split(">")[0]
    assert 'hx-trigger="every 2s"' in section
    assert f'hx-get="{URL}"' in section


def test_an_htmx_poll_gets_only_the_table(staff_client):
    Job.objects.create(function="tests.jobs.functions.make_groups", description="Waiting")
    response = staff_client.get(URL, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="jobs"')
    assert "<html" not in html


def test_the_query_count_does_not_grow_with_the_jobs(staff_client, django_assert_num_queries):
    for number in range(3):
        services.start(functions.make_groups, description=f"j{number}", names=[f"g{number}"])
    staff_client.get(URL)  # session and permission caches warm
    with django_assert_num_queries(7) as first:
        staff_client.get(URL)
    for number in range(3, 20):
        services.start(functions.make_groups, description=f"j{number}", names=[f"g{number}"])
    with django_assert_num_queries(len(first.captured_queries)):
        staff_client.get(URL)


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_permission_gets_403(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(URL).status_code == 403


def test_the_list_refuses_post(staff_client):
    assert staff_client.post(URL).status_code == 405


def test_the_requester_starts_a_failed_job_again(staff_client, failed):
    response = staff_client.post(restart_url(failed))
    assert response.status_code == 302
    again = Job.objects.get(retry_of=failed)
    assert again.description == "Recalculate 2024"
    assert again.status == JobStatus.FAILED  # the same error again, nothing written
    follow = staff_client.get(URL).content.decode()
    assert f"Job #{failed.pk} was queued again as #{again.pk}." in follow


def test_another_user_may_not_restart_it(client, failed, django_user_model):
    other = django_user_model.objects.create_user("other")
    other.user_permissions.set(failed.requested_by.user_permissions.all())
    client.force_login(other)
    assert client.post(restart_url(failed)).status_code == 403
    assert not Job.objects.filter(retry_of=failed).exists()


def test_a_job_that_did_not_fail_is_not_restarted(staff_client, staff_viewer):
    done = services.start(
        functions.make_groups, description="Done", requested_by=staff_viewer, names=["d"]
    )
    assert staff_client.post(restart_url(done)).status_code == 403


def test_restarting_a_missing_job_is_404(staff_client):
    assert staff_client.post(reverse("dashboard:job_restart", args=[999999])).status_code == 404


def test_restart_refuses_get(staff_client, failed):
    assert staff_client.get(restart_url(failed)).status_code == 405


@pytest.fixture
def worker_alive(monkeypatch):
    """A running job made by the test has no worker: on PostgreSQL it would be marked dead."""
    monkeypatch.setattr("emissions.jobs.services.locks.is_held", lambda job_id: True)


def test_a_running_job_shows_how_far_it_got(staff_client, worker_alive):
    Job.objects.create(
        function="tests.jobs.functions.count_in_steps",
        description="Recalculating",
        status=JobStatus.RUNNING,
        done=1500,
        total=6000,
    )
    html = staff_client.get(URL).content.decode()
    assert '<progress max="100" value="25">25 %</progress>' in html
    assert "1,500 of 6,000 (25 %)" in html


NOTICE = reverse("dashboard:jobs_notice")


def test_every_page_loads_the_recalculation_notice_after_itself(staff_client):
    html = staff_client.get(reverse("dashboard:ledger")).content.decode()
    assert f'hx-get="{NOTICE}" hx-trigger="load"' in html


def test_the_notice_names_unfinished_jobs_and_polls(staff_client, worker_alive):
    job = Job.objects.create(
        function="tests.jobs.functions.count_in_steps",
        description="Recalculate CO2e of all records: GWP basis AR5 → AR6",
        status=JobStatus.RUNNING,
        done=1,
        total=4,
    )
    html = staff_client.get(NOTICE).content.decode()
    assert "Figures are being recalculated" in html
    assert f"#{job.pk}</a> Recalculate CO2e of all records: GWP basis AR5 → AR6" in html
    assert "(25 %)" in html
    assert 'hx-trigger="every 3s"' in html


def test_without_unfinished_jobs_the_notice_is_empty_and_stops_polling(staff_client):
    services.start(functions.make_groups, description="Done", names=["n"])
    html = staff_client.get(NOTICE).content.decode()
    assert html.strip() == "<div hidden></div>"


def test_the_notice_needs_permission_and_refuses_post(client, staff_client, django_user_model):
    assert staff_client.post(NOTICE).status_code == 405
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(NOTICE).status_code == 403


def test_the_notice_says_which_years_a_single_job_changes(staff_client, worker_alive):
    Job.objects.create(
        function="emissions.activities.jobs.recalculate_factors",
        description="Recalculate the records of cn_grid_2023",
        status=JobStatus.QUEUED,
        years=[2023, 2024],
    )
    html = staff_client.get(NOTICE).content.decode()
    assert "Figures for 2023, 2024 are being recalculated" in html
    assert "Recalculate the records of cn_grid_2023 (2023, 2024)" in html


def test_the_notice_leaves_out_jobs_that_change_no_figures(staff_client, worker_alive):
    Job.objects.create(
        function="tests.jobs.functions.count_in_steps",
        description="Export the ledger",
        kind=JobKind.EXPORT,
        status=JobStatus.RUNNING,
    )
    assert staff_client.get(NOTICE).content.decode().strip() == "<div hidden></div>"


# --- One job's page and the progress bar a page polls ------------------------------------------


def job_url(job, name="dashboard:job") -> str:
    return reverse(name, args=[job.pk])


def test_a_job_page_shows_its_kind_requester_years_and_progress(
    staff_client, staff_viewer, worker_alive
):
    job = Job.objects.create(
        function="tests.jobs.functions.count_in_steps",
        description="Import big.csv",
        kind=JobKind.IMPORT,
        status=JobStatus.RUNNING,
        requested_by=staff_viewer,
        years=[2025],
        done=3000,
        total=12000,
    )
    response = staff_client.get(job_url(job))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>Job #{job.pk}</h1>" in html
    assert "Import, requested by staff-viewer at" in html
    assert "Reporting years affected: 2025." in html
    assert '<progress max="100" value="25" aria-label="Progress">25 %</progress>' in html
    assert "3,000 of 12,000 (25 %), running since" in html
    # It follows the job while it runs.
    assert f'hx-get="{job_url(job, "dashboard:job_progress")}" hx-trigger="every 2s"' in html


def test_a_finished_job_stops_polling_and_links_its_result(staff_client):
    job = services.start(
        functions.make_groups, description="Two groups", names=["a", "b"], result_url="/ledger/"
    )
    html = staff_client.get(job_url(job, "dashboard:job_progress")).content.decode()
    assert "hx-trigger" not in html
    assert "Finished at" in html
    assert '<a href="/ledger/">See the result</a>' in html


def test_a_followed_poll_goes_to_the_result_once_the_job_has_finished(staff_client):
    job = services.start(
        functions.make_groups, description="Two groups", names=["a"], result_url="/import/7/"
    )
    url = job_url(job, "dashboard:job_progress") + "?follow=1"
    response = staff_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/import/7/"
    # A plain request (no htmx) just shows the outcome.
    assert "HX-Redirect" not in staff_client.get(url)


def test_a_failed_job_page_says_why_and_offers_a_restart_to_its_requester(staff_client, failed):
    html = staff_client.get(job_url(failed)).content.decode()
    assert "Nothing was changed: the job stopped at an error (ValueError:" in html
    assert f'action="{restart_url(failed)}"' in html


def test_job_pages_need_permission_refuse_post_and_404_for_a_missing_job(
    staff_client, failed, django_user_model
):
    client = Client()
    for name in ("dashboard:job", "dashboard:job_progress"):
        url = job_url(failed, name)
        assert staff_client.post(url).status_code == 405
        assert staff_client.get(reverse(name, args=[987654])).status_code == 404
        assert client.get(url).status_code == 302  # anonymous: to the login page
        client.force_login(django_user_model.objects.create_user(f"nobody-{name[-3:]}"))
        assert client.get(url).status_code == 403
        client.logout()


def test_a_job_page_costs_a_fixed_number_of_queries(
    staff_client, failed, django_assert_num_queries
):
    staff_client.get(job_url(failed))  # warm the session and permission caches
    # Session, user, permissions, running jobs (dead-worker check), the job and its requester.
    with django_assert_num_queries(6):
        staff_client.get(job_url(failed))


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        (JobKind.RECALCULATION, "3 records changed."),
        (JobKind.EXPORT, "3 rows written."),
        (JobKind.IMPORT, "3 records imported."),
        (JobKind.PREVIEW, "3 records would change."),
    ],
)
def test_a_finished_job_says_what_its_count_means(staff_client, kind, says):
    job = Job.objects.create(
        function="tests.jobs.functions.make_groups",
        description="Done",
        kind=kind,
        status=JobStatus.SUCCEEDED,
        records=3,
    )
    assert says in staff_client.get(job_url(job, "dashboard:job_progress")).content.decode()
