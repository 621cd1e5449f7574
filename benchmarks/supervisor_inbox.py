"""The supervisor inbox: queries and time with 2,000 pending items across
200 trainees, against a baseline of 20 items measured in the same run.

Run: ``.venv/bin/python benchmarks/supervisor_inbox.py`` (well under a
minute; it makes its own SQLite database in a temporary folder).  The page
must ask the database the same number of questions however many items
wait; the ratio of query counts must be 1.00.
"""

import datetime
import os
import statistics
import time

import throwaway  # benchmarks/throwaway.py, beside this script

# A throw-away database and media folder, before Django reads settings.
_VAR = throwaway.start("inbox-bench-", DJANGO_ALLOWED_HOSTS="testserver")

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
#: Per trainee: pending entries, unsupervised approved entries, and (for
#: every other trainee) a video lesson to review and a mastery to confirm.
PENDING, UNSUPERVISED = 8, 1


def _supervisor(unit, name: str):
    from lms.core.models import User, role_group

    user = User.objects.create_user(name, full_name=f"督导{name}", home_unit=unit)
    user.groups.add(role_group("supervisor"))
    return user


def _trainees(unit, supervisor, count: int, prefix: str) -> list:
    from lms.core.models import User, role_group
    from supervision.models import SupervisionKind, SupervisorAssignment

    people = User.objects.bulk_create(
        User(username=f"{prefix}{i}", full_name=f"学员{i}", home_unit=unit)
        for i in range(count)
    )
    role_group("trainee").user_set.add(*people)
    SupervisorAssignment.objects.bulk_create(
        SupervisorAssignment(
            trainee=p,
            supervisor=supervisor,
            kind=SupervisionKind.PRACTICE,
            starts_on=timezone.localdate() - datetime.timedelta(days=60),
            created_by=supervisor,
        )
        for p in people
    )
    return people


def _entries(people, supervisor, *, pending: int, unsupervised: int) -> int:
    from supervision.models import PracticeEntry

    now, today = timezone.now(), timezone.localdate()
    rows = []
    for n, person in enumerate(people):
        for i in range(pending):
            rows.append(
                PracticeEntry(
                    person=person,
                    unit=person.home_unit,
                    kind=PracticeEntry.Kind.HOTLINE,
                    status=PracticeEntry.Status.SUBMITTED,
                    occurred_on=today,
                    minutes=60,
                    reflection="接听热线，练习倾听。",
                    submitted_at=now - datetime.timedelta(minutes=n * 10 + i),
                )
            )
        for i in range(unsupervised):
            rows.append(
                PracticeEntry(
                    person=person,
                    unit=person.home_unit,
                    kind=PracticeEntry.Kind.LECTURE,
                    status=PracticeEntry.Status.APPROVED,
                    occurred_on=today - datetime.timedelta(days=10 + i),
                    minutes=90,
                    submitted_at=now,
                    approved_at=now,
                    approved_by=supervisor,
                )
            )
    PracticeEntry.objects.bulk_create(rows)
    return len(rows)


def _videos_and_masteries(people) -> int:
    """Video lessons to review (ready videos made directly, no files: the
    inbox never opens them) and masteries to confirm."""
    from courses.models import Video
    from supervision.models import Technique, TechniqueMastery, VideoLessonSubmission

    now = timezone.now()
    videos = Video.objects.bulk_create(
        Video(
            title=f"微课{i}",
            unit=p.home_unit,
            uploaded_by=p,
            status=Video.Status.READY,
            duration=180.0,
            main_name=f"bench/{i}/main.mp4",
            poster_name=f"bench/{i}/poster.jpg",
        )
        for i, p in enumerate(people)
    )
    VideoLessonSubmission.objects.bulk_create(
        VideoLessonSubmission(
            person=p,
            title=v.title,
            video=v,
            submitted_at=now - datetime.timedelta(hours=i),
        )
        for i, (p, v) in enumerate(zip(people, videos, strict=True))
    )
    technique, _ = Technique.objects.get_or_create(name="空椅子技术")
    TechniqueMastery.objects.bulk_create(
        TechniqueMastery(person=p, technique=technique, reached_at=now) for p in people
    )
    return 2 * len(people)


def build(unit, *, trainees: int, prefix: str):
    """A supervisor of ``trainees`` people; returns them and the item count."""
    supervisor = _supervisor(unit, f"{prefix}sup")
    people = _trainees(unit, supervisor, trainees, prefix)
    items = _entries(people, supervisor, pending=PENDING, unsupervised=UNSUPERVISED)
    items += _videos_and_masteries(people[::2])
    return supervisor, items


def measure(client) -> tuple[int, float, dict]:
    url = reverse("supervision:inbox_show")
    client.get(url)
    # With DEBUG on, every request start empties the query log; start the
    # capture from an empty log so the request's own queries are counted.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    totals = {k: s.total for k, s in response.context["sections"].items()}
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return len(queries), statistics.median(times), totals


def main() -> None:
    from lms.core.models import OrgUnit

    setup_test_environment()
    call_command("migrate", verbosity=0)
    unit = OrgUnit.add_root(name="基准市", code="bench")
    runs = {}
    for label, trainees in (("baseline", 2), ("large", 200)):
        supervisor, items = build(unit, trainees=trainees, prefix=f"{label[0]}")
        client = Client()
        client.force_login(supervisor)
        runs[label] = (trainees, items, *measure(client))
    print(
        f"{'run':>9}{'trainees':>9}{'items':>7}{'queries':>9}{'page ms':>9}  sections"
    )
    for label, (trainees, items, queries, seconds, totals) in runs.items():
        shown = " ".join(f"{k}={v}" for k, v in totals.items())
        print(
            f"{label:>9}{trainees:>9}{items:>7}{queries:>9}{seconds * 1000:>9.0f}  {shown}"
        )
    (_, few, few_queries, few_seconds, _), (_, many, queries, seconds, _) = (
        runs["baseline"],
        runs["large"],
    )
    ratio = queries / few_queries
    verdict = "met" if queries == few_queries else "MISSED"
    print(
        f"query ratio {ratio:.2f} ({verdict}); time ratio "
        f"{seconds / few_seconds:.2f}x for {many / few:.0f}x the items"
    )
    print(f"(date {datetime.date.today()}, load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
