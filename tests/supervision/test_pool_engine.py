"""The certificate requirement kind in the certification engine, tier-rules
tracks kept out of enrolment, and the property that a tier's candidates
are exactly the people meeting its rules."""

import datetime
import functools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.core.models import HoursCategory, Role
from supervision.forms.certification import RequirementForm
from supervision.models import Certificate, Requirement, Track
from supervision.selectors.certification import evaluate, evaluate_many
from supervision.selectors.enrolments import tracks_open_to
from supervision.selectors.next_steps import next_step
from supervision.selectors.pool import candidates
from supervision.services.certification import track_enrol
from tests.factories.certificates import make_certificate
from tests.factories.certification import make_requirement
from tests.factories.core import UserFactory
from tests.factories.pool import (
    certify,
    credit_hours,
    make_certification_track,
    make_rules,
    make_scheme,
    make_tier,
)
from tests.factories.tracks import enrol

K = Requirement.Kind
TODAY = timezone.localdate()


@pytest.fixture
def lead(org):
    return make_certification_track(org.city, "group-lead", name="团辅带领")


def _certificate_rules(org, track, **fields):
    return make_rules(
        org.city,
        [
            {
                "kind": K.CERTIFICATE,
                "need": 1,
                "certificate_track": track,
                "title": "持有有效的团辅带领证书",
                **fields,
            }
        ],
    )


def test_a_valid_certificate_meets_the_requirement(org, lead):
    rules = _certificate_rules(org, lead)
    (before,) = evaluate(org.trainee, rules)
    assert not before.met and "团辅带领" in before.missing
    certificate = certify(org.trainee, lead)
    (after,) = evaluate(org.trainee, rules)
    assert after.met and after.have == 1
    assert after.records == (("supervision.certificate", certificate.pk),)


@pytest.mark.parametrize(
    "state",
    ["expired", "revoked", "other_track", "other_person", "future", "before_period"],
)
def test_certificates_that_do_not_count(org, lead, state):
    rules = _certificate_rules(org, lead, period_months=12)
    other = make_certification_track(org.city, "other")
    if state == "expired":
        certify(org.trainee, lead, expires_in_days=-1)
    elif state == "revoked":
        certify(org.trainee, lead, status=Certificate.Status.REVOKED)
    elif state == "other_track":
        certify(org.trainee, other)
    elif state == "other_person":
        certify(org.west_trainee, lead)
    elif state == "future":
        make_certificate(
            org.trainee, lead, issued_on=TODAY + datetime.timedelta(days=2)
        )
    else:
        make_certificate(
            org.trainee, lead, issued_on=TODAY.replace(year=TODAY.year - 2)
        )
    (result,) = evaluate(org.trainee, rules, today=TODAY)
    assert not result.met and result.have == 0


def test_the_certificate_expiring_today_still_counts_today(org, lead):
    rules = _certificate_rules(org, lead)
    certify(org.trainee, lead, expires_in_days=0)
    (result,) = evaluate(org.trainee, rules, today=TODAY)
    assert result.met
    (tomorrow,) = evaluate(org.trainee, rules, today=TODAY + datetime.timedelta(1))
    assert not tomorrow.met


def test_one_query_for_the_certificate_kind_whatever_the_people(org, lead):
    rules = _certificate_rules(org, lead)
    few = [UserFactory(home_unit=org.east_room) for _ in range(2)]
    evaluate_many(few, rules)  # warm caches (content types)
    with CaptureQueriesContext(connection) as small:
        evaluate_many(few, rules)
    many = few + [UserFactory(home_unit=org.east_room) for _ in range(20)]
    for person in many[:10]:
        certify(person, lead)
    with CaptureQueriesContext(connection) as large:
        evaluate_many(many, rules)
    assert len(large) == len(small)


def test_the_next_step_leads_to_the_tracks_page(org, lead):
    rules = _certificate_rules(org, lead)
    (result,) = evaluate(org.trainee, rules)
    step = next_step(org.trainee, result)
    assert step.url == reverse("supervision:certification_home")
    assert "团辅带领" in step.label
    enrolment = enrol(org.trainee, lead)
    step = next_step(org.trainee, result)
    assert step.url == reverse("supervision:certification_track", args=[enrolment.pk])


# --- tier-rules tracks stay out of certification -------------------------------------


def test_tier_rules_tracks_are_never_offered_nor_enrolled_in(org, lead):
    rules = _certificate_rules(org, lead)
    offered = set(tracks_open_to(person=org.trainee))
    assert lead in offered and rules.track not in offered
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        track_enrol(actor=org.trainee, person=org.trainee, track=rules.track)


def test_the_trainees_home_page_lists_no_tier_rules_track(org, lead, client):
    rules = _certificate_rules(org, lead)
    rules.track.name = "层级规则-不应出现"
    rules.track.save()
    client.force_login(org.trainee)
    page = client.get(reverse("supervision:certification_home")).content.decode()
    assert "团辅带领" in page and "层级规则-不应出现" not in page


# --- the requirement form ---------------------------------------------------------


def _draft(org):
    from tests.factories.certification import make_track

    _track, version = make_track(org.east, published=False)
    return version


def _form(org, **data):
    version = _draft(org)
    values = {
        "version": version.pk,
        "position": 1,
        "kind": K.CERTIFICATE,
        "title": "持证",
        "need": "1",
        "measure": "count",
        **data,
    }
    return RequirementForm(data=values, for_user=org.coordinator)


def test_the_requirement_form_accepts_a_certificate_requirement(org, lead):
    form = _form(org, certificate_track=lead.pk)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "__all__"),  # a certificate requirement without its track
        ({"kind": K.SHIFTS, "certificate_track": "LEAD"}, "__all__"),
        ({"certificate_track": "999999"}, "certificate_track"),
        ({"certificate_track": "<script>alert(1)</script>"}, "certificate_track"),
        ({"certificate_track": "RULES"}, "certificate_track"),  # issues none
        ({"title": "x" * 100_000, "certificate_track": "LEAD"}, "title"),
        ({"title": "", "certificate_track": "LEAD"}, "title"),
        ({"title": "<b>持证</b>", "need": "-1", "certificate_track": "LEAD"}, "need"),
    ],
)
def test_the_requirement_form_refuses_bad_input(org, lead, data, field):
    rules = _certificate_rules(org, lead)
    swap = {"LEAD": str(lead.pk), "RULES": str(rules.track.pk)}
    data = {k: swap.get(v, v) if isinstance(v, str) else v for k, v in data.items()}
    form = _form(org, **data)
    assert not form.is_valid()
    # then the field says what is wrong, in a sentence
    assert field in form.errors, form.errors
    assert all(message.strip() for message in form.errors[field])
    assert not Requirement.objects.filter(kind=K.CERTIFICATE, title="持证").exists()


def test_the_form_explains_a_missing_certificate_track_in_english(org, lead):
    from django.utils import translation

    with translation.override("en"):
        form = _form(org)
        assert not form.is_valid()
        assert "needs the track" in " ".join(form.non_field_errors())
        form = _form(org, kind=K.SHIFTS, certificate_track=lead.pk)
        assert not form.is_valid()
        assert "Only a certificate requirement" in " ".join(form.non_field_errors())


# --- the property -------------------------------------------------------------------

examples = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def rolled_back(check):
    @functools.wraps(check)
    def run(*args, **kwargs):
        with transaction.atomic():
            check(*args, **kwargs)
            transaction.set_rollback(True)

    return run


def test_candidates_are_exactly_those_meeting_every_rule(org):
    # a tier whose rules ask for a valid certificate and 10 practice hours
    lead = make_certification_track(org.city, "group-lead", name="团辅带领")
    rules = make_rules(org.city, [])
    make_requirement(rules, K.CERTIFICATE, 1, certificate_track=lead)
    make_requirement(
        rules, K.HOURS, 10, measure="hours", hours_categories=[HoursCategory.PRACTICE]
    )
    tier = make_tier(make_scheme(org.city), 2, rules=rules)
    people = [
        UserFactory(home_unit=org.east_room, roles=[Role.TRAINEE]) for _ in range(5)
    ]
    person_state = st.tuples(
        st.sampled_from(["none", "valid", "expired", "revoked"]),
        st.integers(min_value=0, max_value=20),  # practice hours
    )

    @examples
    @given(st.lists(person_state, min_size=5, max_size=5))
    @rolled_back
    def check(states):
        for person, (certificate, hours) in zip(people, states, strict=True):
            if certificate == "valid":
                certify(person, lead)
            elif certificate == "expired":
                certify(person, lead, expires_in_days=-3)
            elif certificate == "revoked":
                certify(person, lead, status=Certificate.Status.REVOKED)
            if hours:
                credit_hours(person, HoursCategory.PRACTICE, hours)
        found = {p.pk for p in candidates(tier, people)}
        for person in people:
            results = evaluate(person, rules)
            assert (person.pk in found) == all(r.met for r in results)

    check()


def test_a_tier_without_rules_has_no_candidates(org):
    tier = make_tier(make_scheme(org.city), 3)
    assert candidates(tier, [org.trainee]) == []
    assert Track.objects.filter(purpose=Track.Purpose.TIER).count() == 0
