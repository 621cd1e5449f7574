"""Response headers that a deployment relies on: the content security policy
and when ``X-Forwarded-Proto`` is believed."""

import pytest

from tests.core.test_settings_and_ops import settings_in_subprocess

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-" + "x7Qz!pL0vB9r#Tm2" * 4,
}


def directives(header: str) -> dict[str, set[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = set(values)
    return parsed


@pytest.mark.parametrize("path", ["/accounts/login/", "/learn/", "/practice/"])
def test_site_pages_run_under_a_strict_policy(org, login, path):
    response = login(org.trainee).get(path, follow=True)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["frame-ancestors"] == {"'self'"}
    assert policy["default-src"] == {"'self'"}


def test_the_admin_allows_wagtails_inline_scripts_and_nothing_from_elsewhere(
    org, login
):
    response = login(org.coordinator).get("/admin/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == {"'self'", "'unsafe-inline'"}
    assert "'unsafe-eval'" not in policy["script-src"]
    assert all(
        source in {"'self'", "data:", "blob:", "'unsafe-inline'", "'none'"}
        for values in policy.values()
        for source in values
    )


def test_no_page_template_carries_inline_script_or_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.glob("*/**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        if (
            'style="' in text
            or "<style" in text
            or "<script>" in text
            or " on" + "click=" in text
        ):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


def test_forwarded_proto_is_ignored_without_a_trusted_proxy():
    assert settings_in_subprocess("SECURE_PROXY_SSL_HEADER", env=PRODUCTION) == ["None"]


def test_forwarded_proto_is_believed_behind_a_trusted_proxy():
    assert settings_in_subprocess(
        "SECURE_PROXY_SSL_HEADER", env={**PRODUCTION, "LMS_TRUSTED_PROXIES": "1"}
    ) == ["('HTTP_X_FORWARDED_PROTO', 'https')"]


def test_no_avatar_is_fetched_from_another_site(org, login):
    page = login(org.coordinator).get("/admin/").content.decode()
    assert "gravatar" not in page
