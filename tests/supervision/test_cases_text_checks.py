"""Personal data in free text about clients: the checks themselves, the
absence of any field for it on a case, and the case services using them."""

import pytest
from django.core.exceptions import ValidationError

from supervision.models import Case, CaseNote
from supervision.services import cases as services
from supervision.text_checks import (
    looks_like_id_number,
    looks_like_mobile,
    personal_data_warnings,
)
from tests.factories.cases import days_ago
from tests.factories.supervision import make_case

ID_NUMBER = "110105199003071234"


@pytest.mark.parametrize(
    "text",
    [
        ID_NUMBER,
        "身份证号 11010519900307123X 的来访者",
        "１１０１０５１９９００３０７１２３４",  # full-width, from a Chinese IME
        "110105 19900307 1234",
        "11010519900307123x",
    ],
)
def test_an_id_number_is_spotted_however_it_is_typed(text):
    assert looks_like_id_number(text)
    assert personal_data_warnings(text)


@pytest.mark.parametrize(
    "text",
    [
        "110105199013071234",  # month 13
        "110105199002301234",  # 30 February
        "110105180002301234",  # no such day either
        "1101051990030712345",  # 19 digits: not an ID number
        "订单号2023112312345678",
    ],
)
def test_a_long_number_without_a_real_birth_date_is_not_an_id_number(text):
    assert not looks_like_id_number(text)


def test_a_first_generation_15_digit_id_number_is_spotted():
    assert looks_like_id_number("110105900307123")


def test_a_15_digit_number_is_not_taken_for_an_18_digit_id_number():
    assert not looks_like_id_number("110105199003071")


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "电话138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "8613812345678",
        "１３８１２３４５６７８",
        "1 3 8 1 2 3 4 5 6 7 8",
    ],
)
def test_a_mobile_number_is_spotted_however_it_is_typed(text):
    assert looks_like_mobile(text)
    assert personal_data_warnings(text)


@pytest.mark.parametrize(
    "text", ["12812345678", "138123456789", "座机 021-12345678", "第3次会谈，共50分钟"]
)
def test_other_numbers_are_not_mobile_numbers(text):
    assert not looks_like_mobile(text)


def test_plain_text_gives_no_warning():
    assert personal_data_warnings("来访者工作压力大，睡眠不好") == []
    assert personal_data_warnings("") == []


def test_a_case_has_no_field_for_a_name_phone_or_id_number():
    names = {field.name for field in Case._meta.concrete_fields}
    assert names == {
        "id",
        "client_code",
        "unit",
        "practitioner",
        "presenting_issue",
        "risk_level",
        "opened_on",
        "closed_on",
        "created_by",
        "created_at",
    }


def test_the_presenting_issue_refuses_a_mobile_number_outright(org):
    with pytest.raises(ValidationError) as refused:
        services.case_open(actor=org.trainee, presenting_issue="失眠，电话13812345678")
    assert "presenting_issue" in refused.value.error_dict
    assert not Case.objects.exists()


def test_the_presenting_issue_refuses_a_full_width_id_number(org):
    with pytest.raises(ValidationError):
        services.case_open(
            actor=org.trainee, presenting_issue="１１０１０５１９９００３０７１２３４"
        )
    assert not Case.objects.exists()


def test_a_note_with_a_spaced_mobile_number_needs_confirmation(org):
    # given a case
    case = make_case(org.trainee)
    # when a note holds a number that looks like a phone number
    with pytest.raises(ValidationError) as refused:
        services.case_note_add(
            actor=org.trainee,
            case=case,
            session_on=days_ago(1),
            body="来访者留了电话 +86 138-1234-5678",
        )
    # then it is refused with the sentence until confirmed
    assert "body" in refused.value.error_dict
    assert not CaseNote.objects.exists()
    note = services.case_note_add(
        actor=org.trainee,
        case=case,
        session_on=days_ago(1),
        body="第13812345678号文件（不是电话）",
        confirmed=True,
    )
    assert note.pk


def test_a_note_with_an_id_number_is_refused_without_confirmation(org):
    case = make_case(org.trainee)
    with pytest.raises(ValidationError):
        services.case_note_add(
            actor=org.trainee, case=case, session_on=days_ago(1), body=ID_NUMBER
        )
    assert not CaseNote.objects.exists()
