from pathlib import Path

import polib
import pytest
from django.utils import translation

from lms.core.models import HoursCategory, Role

CATALOG = Path(__file__).resolve().parents[2] / "lms/locale/zh_Hans/LC_MESSAGES"


def test_chinese_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(CATALOG / "django.po"))
    assert po.untranslated_entries() == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    mo = polib.mofile(str(CATALOG / "django.mo"))
    compiled = {entry.msgid: entry.msgstr for entry in mo}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert compiled.get(entry.msgid) == entry.msgstr, (
                f"django.mo is stale for {entry.msgid!r}: run `make messages`"
            )


@pytest.mark.parametrize("choices", [Role.choices, HoursCategory.choices])
def test_domain_words_have_chinese_names(choices):
    with translation.override("zh-hans"):
        labels = [str(label) for _value, label in choices]
    with translation.override("en"):
        english = [str(label) for _value, label in choices]
    assert all(zh != en for zh, en in zip(labels, english, strict=True))


def test_pages_default_to_chinese_and_switch_to_english(org, login):
    client = login(org.trainee)
    zh = client.get("/learn/").content.decode()
    assert '<html lang="zh-hans">' in zh and "My learning" not in zh
    client.post("/i18n/setlang/", {"language": "en", "next": "/learn/"})
    en = client.get("/learn/").content.decode()
    assert '<html lang="en">' in en and "My learning" in en


def test_times_are_shown_in_shanghai(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in page.content.decode()


def test_login_page_does_not_offer_sign_up(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert "/accounts/signup/" not in body
