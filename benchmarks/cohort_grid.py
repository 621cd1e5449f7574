"""The cohort progress grid: queries and time for 10 and for 500 members.

Run: ``.venv/bin/python benchmarks/cohort_grid.py`` (about half a minute;
it makes its own SQLite database in a temporary folder).  The page must
ask the database the same number of questions whatever the class size;
the 10-member page is the baseline the 500-member page is compared with.
"""

import datetime
import os
import statistics
import time

import throwaway  # benchmarks/throwaway.py, beside this script

# A throw-away database and media folder, before Django reads settings.
_VAR = throwaway.start("grid-bench-", DJANGO_ALLOWED_HOSTS="testserver")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

REPEATS = 5


def build():
    from wagtail.models import Site

    from courses.models import (
        Cohort,
        CohortAssignment,
        CohortMember,
        LessonPage,
        LessonProgress,
        ModulePage,
        SyllabusIndexPage,
    )
    from lms.core.models import OrgUnit, User, role_group

    unit = OrgUnit.add_root(name="基准市", code="bench")
    coordinator = User.objects.create_user("coord", full_name="协调员", home_unit=unit)
    coordinator.groups.add(role_group("coordinator"))
    home = Site.objects.get(is_default_site=True).root_page
    syllabus = home.add_child(instance=SyllabusIndexPage(title="大纲", slug="s"))
    module = syllabus.add_child(instance=ModulePage(title="模块", slug="m"))
    lessons = [
        module.add_child(instance=LessonPage(title=f"课{i}", slug=f"l{i}"))
        for i in range(8)
    ]
    today = timezone.localdate()
    cohorts = {}
    for size in (10, 500):
        cohort = Cohort.objects.create(
            name=f"{size} 人班", unit=unit, starts_on=today, ends_on=today
        )
        CohortAssignment.objects.create(
            cohort=cohort, page=module, release_on=today, due_on=today
        )
        people = User.objects.bulk_create(
            User(username=f"p{size}-{i}", full_name=f"学员{i}", home_unit=unit)
            for i in range(size)
        )
        CohortMember.objects.bulk_create(
            CohortMember(cohort=cohort, person=p) for p in people
        )
        LessonProgress.objects.bulk_create(
            LessonProgress(person=p, lesson=lessons[i % 8], completed_at=timezone.now())
            for i, p in enumerate(people)
        )
        cohorts[size] = cohort
    return coordinator, cohorts


def measure(client, cohort) -> tuple[int, float]:
    url = reverse("cohort_grid:show", args=[cohort.pk])
    client.get(url)
    # With DEBUG on, every request start empties the query log; start the
    # capture from an empty log so the request's own queries are counted.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert response.context["grid"]["rows"], "empty grid"
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return len(queries), statistics.median(times)


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    coordinator, cohorts = build()
    client = Client()
    client.force_login(coordinator)
    small = measure(client, cohorts[10])
    large = measure(client, cohorts[500])
    print(f"{'members':>8}{'queries':>9}{'page ms':>9}")
    for size, (queries, seconds) in ((10, small), (500, large)):
        print(f"{size:>8}{queries:>9}{seconds * 1000:>9.0f}")
    verdict = "met" if small[0] == large[0] else "MISSED"
    print(
        f"queries 500 vs 10: {large[0]} vs {small[0]} ({verdict}); "
        f"time ratio {large[1] / small[1]:.1f}x for 50x the members"
    )
    print(f"(date {datetime.date.today()}, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
