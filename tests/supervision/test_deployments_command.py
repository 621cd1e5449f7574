"""``manage.py team_propose``: the same ranked proposal as the page, with
each person's reasons, from the whole tree; bad arguments end with a
sentence and exit status 2."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests.factories.certificates import make_track
from tests.factories.deployments import certify, days, make_person, make_scheme, place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def run(*args) -> str:
    out = io.StringIO()
    call_command("team_propose", *args, stdout=out)
    return out.getvalue()


def window():
    return ["--from", days(1).isoformat(), "--to", days(3).isoformat()]


def test_the_command_prints_the_ranked_proposal_with_reasons(org):
    track = make_track(org.city, code="crisis", name="危机干预")
    near = make_person(org.east_room, "near", full_name="近处")
    far = make_person(org.west_room, "far", full_name="远处")
    make_person(org.east_room, "uncertified")
    for person in (near, far):
        certify(person, track)
    out = run("--unit", "east-room", "--size", "1", "--track", "crisis", *window())
    lines = out.splitlines()
    assert "危机干预" in lines[0]
    first = next(i for i, line in enumerate(lines) if "近处" in line)
    second = next(i for i, line in enumerate(lines) if "远处" in line)
    assert first < second
    assert lines[first].strip().startswith("1.")
    assert "Reserves:" in out and out.index("Reserves:") < out.index("远处")
    assert "uncertified" not in out
    assert "Holds the required certificate 危机干预" in out


def test_the_command_draws_from_the_whole_tree_and_honours_the_tier(org):
    tiers = make_scheme(org.city, code="pool")
    place(make_person(org.west_room, "senior", full_name="资深"), tiers[2])
    place(make_person(org.east_room, "junior", full_name="初级"), tiers[0])
    out = run("--unit", "east", "--size", "3", "--tier", "pool/t2", *window())
    assert "资深" in out and "初级" not in out
    assert "Only 1 people qualify" in out


def test_nobody_qualifies_is_said(org):
    make_track(org.city, code="rare")
    out = run("--unit", "east", "--size", "2", "--track", "rare", *window())
    assert "Nobody is free" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (["--unit", "nowhere", "--size", "2"], "No unit has the code nowhere"),
        (["--unit", "east", "--size", "0"], "--size takes a whole number"),
        (["--unit", "east", "--size", "abc"], "--size takes a whole number"),
        (["--unit", "east", "--size", "9" * 1000], "--size takes a whole number"),
        (
            ["--unit", "east", "--size", "2", "--track", "nope"],
            "No certification track",
        ),
        (["--unit", "east", "--size", "2", "--tier", "x/y"], "No tier has the codes"),
        (["--unit", "east", "--size", "2", "--reserves", "-1"], "--reserves takes"),
    ],
)
def test_bad_arguments_end_with_a_sentence_and_status_2(org, args, words):
    with pytest.raises(CommandError) as refused:
        run(*args, *window())
    assert words in str(refused.value)
    assert refused.value.returncode == 2


@pytest.mark.parametrize(
    "start, end, words",
    [
        ("2026-02-30", "2026-03-01", "--from takes a date"),
        ("tomorrow", "2026-03-01", "--from takes a date"),
        ("2026-03-05", "2026-03-01", "--to comes before --from"),
        ("2026-01-01", "2027-06-01", "at most 366 days"),
    ],
)
def test_bad_dates_end_with_a_sentence_and_status_2(org, start, end, words):
    with pytest.raises(CommandError) as refused:
        run("--unit", "east", "--size", "2", "--from", start, "--to", end)
    assert words in str(refused.value)
    assert refused.value.returncode == 2


def test_a_missing_option_is_refused(org):
    with pytest.raises(CommandError):
        run("--unit", "east", *window())


def test_the_command_line_exits_with_status_2():
    # given a shell (no database needed: the arguments are checked first)
    done = subprocess.run(
        [sys.executable, "manage.py", "team_propose", "--unit", "x", "--size", "many"]
        + window(),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        timeout=120,
    )
    # then one sentence on stderr and status 2
    assert done.returncode == 2
    assert "--size" in done.stderr
    assert "Traceback" not in done.stderr
