"""Issue to PDF through a real Celery worker process."""

import io

import pytest
from pypdf import PdfReader

from supervision.models import Certificate
from supervision.services.certificates import certificate_issue, verify_url
from tests.conftest import wait_for
from tests.factories.certificates import make_enrolment, make_track

pytestmark = pytest.mark.worker


def test_an_issued_certificate_gets_its_pdf_from_the_worker(celery_worker_process, org):
    # given an approved enrolment
    enrolment = make_enrolment(org.trainee, make_track(org.east, name="个体咨询与热线"))
    # when a coordinator issues the certificate (the transaction commits)
    certificate = certificate_issue(actor=org.coordinator, enrolment=enrolment)
    # then the worker makes the PDF, naming the holder, the track and the URL
    made = wait_for(
        lambda: Certificate.objects.filter(pk=certificate.pk).exclude(pdf="").first(),
        timeout=60,
    )
    assert made, "the worker made no PDF"
    with made.pdf.open("rb") as handle:
        text = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    assert org.trainee.full_name in text
    assert "个体咨询与热线" in text
    assert verify_url(made) in text
