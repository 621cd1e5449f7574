"""The database itself refuses changes to an approved practice entry."""

import pytest
from django.db import DatabaseError, transaction

from supervision.models import PracticeEntry
from tests.factories.supervision import make_entry


def test_queryset_update_of_an_approved_entry_is_refused_by_the_database(org):
    # given an approved entry
    entry = make_entry(
        org.trainee, status=PracticeEntry.Status.APPROVED, approved_by=org.supervisor
    )
    # when anything updates it past the services
    with pytest.raises(DatabaseError), transaction.atomic():
        PracticeEntry.objects.filter(pk=entry.pk).update(minutes=600)
    # then it is unchanged
    entry.refresh_from_db()
    assert entry.minutes == 60


def test_an_entry_not_yet_approved_can_be_approved_in_the_database(org):
    entry = make_entry(org.trainee, status=PracticeEntry.Status.SUBMITTED)
    PracticeEntry.objects.filter(pk=entry.pk).update(
        status=PracticeEntry.Status.APPROVED, approved_by=org.supervisor
    )
    entry.refresh_from_db()
    assert entry.status == PracticeEntry.Status.APPROVED
