"""WCAG 3.1.2 (language of parts): programme texts kept as data are in the language they were
written in. A French or Arabic page marks an English text with ``lang="en"`` (and ``dir="ltr"`` on
a right-to-left page); a text the studio has in the reader's language is shown instead."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from civitas.programs.formspec import LocalizedText, parse_spec, text
from civitas.programs.models import Program
from civitas.studio.models import Workspace


def page(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    return html


def h1(html: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "mark"),
    [("fr", '<span lang="en">'), ("ar", '<span lang="en" dir="ltr">')],
)
def test_english_programme_texts_are_marked_on_other_language_pages(
    client, demo_country, language, mark
):
    start = page(client, reverse("programs:start", args=["child-benefit"]), language)
    assert h1(start) == f"{mark}Child benefit</span>"
    assert start.count(mark) >= 6, "name, summary and the four sections of the start page"
    catalogue = page(client, reverse("programs:catalogue"), language)
    assert f"{mark}Maternity care</span>" in catalogue
    assert catalogue.count(mark) == 2 * Program.objects.filter(is_published=True).count()


@pytest.mark.django_db
def test_english_pages_mark_nothing(client, demo_country):
    start = page(client, reverse("programs:start", args=["child-benefit"]), "en")
    assert h1(start) == "Child benefit"
    assert 'lang="en">' not in start.split("<body", 1)[1]


@pytest.mark.django_db
def test_the_studio_texts_in_the_readers_language_are_shown(client, demo_country):
    program = Program.objects.get(slug="child-benefit")
    Workspace.objects.create(
        version=program.version_in_force(),
        texts={
            "en": {"name": program.name},
            "fr": {"name": "Allocations familiales", "summary": "Une aide pour chaque enfant."},
        },
    )
    french = page(client, reverse("programs:start", args=["child-benefit"]), "fr")
    assert h1(french) == "Allocations familiales", "in the page's language: nothing to mark"
    assert "Une aide pour chaque enfant." in french
    assert re.search(r'<span lang="en">[^<]*Who', french) is None
    assert '<span lang="en">' in french, "texts the studio has no French for stay marked"
    catalogue = page(client, reverse("programs:catalogue"), "fr")
    assert ">Allocations familiales</a>" in catalogue
    arabic = page(client, reverse("programs:start", args=["child-benefit"]), "ar")
    assert h1(arabic) == '<span lang="en" dir="ltr">Child benefit</span>', "no Arabic: English"


@pytest.mark.django_db
def test_question_pages_mark_english_questions_in_arabic(client, citizen):
    client.force_login(citizen)
    apply = reverse("applications:apply", args=["maternity-care"])
    form = client.get(apply, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form).group(1)
    response = client.post(apply, {"idempotency_key": key}, HTTP_ACCEPT_LANGUAGE="ar")
    for _ in range(3):
        if "/questions/" in response.url:
            break
        assert response.url.endswith("/registry/"), response.url
        response = client.post(response.url, {"use_registry": "no"}, HTTP_ACCEPT_LANGUAGE="ar")
    question = page(client, response.url, "ar")
    assert '<span lang="en" dir="ltr">Has your baby been born?</span>' in question
    assert 'dir="ltr">Maternity care</span>' in question, "the programme's name in the caption"
    assert '<span lang="en" dir="ltr">نعم' not in question, "our own words are translated"


def test_form_texts_know_their_language(settings):
    with translation.override("fr"):
        spec = parse_spec(
            {
                "questions": [
                    {"name": "q1", "type": "text", "label": {"en": "Name", "fr": "Votre nom"}},
                    {"name": "q2", "type": "text", "label": "Your address"},
                ]
            }
        )
        first, second = spec.questions
        assert (first.label, first.label.lang) == ("Votre nom", "fr")
        assert (second.label, second.label.lang) == ("Your address", settings.LANGUAGE_CODE)
    with translation.override("ar"):
        assert text({"en": "Name", "fr": "Nom"}).lang == "en", "falls back to English"
        assert text({"fr": "Nom"}).lang == "fr", "then to any language it has"


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("fr", LocalizedText("Tom & Jerry", "en"), '<span lang="en">Tom &amp; Jerry</span>'),
        ("ar", LocalizedText("a\nb", "en"), '<span lang="en" dir="ltr">a<br>b</span>'),
        ("fr", LocalizedText("نص", "ar"), '<span lang="ar" dir="rtl">نص</span>'),
        ("fr", LocalizedText("Bonjour", "fr"), "Bonjour"),
        ("ar", "a plain <string>", "a plain &lt;string&gt;"),
    ],
)
def test_the_in_lang_filter(language, value, shown):
    template = Template('{% load design %}{{ value|in_lang:"lines" }}')
    with translation.override(language):
        assert template.render(Context({"value": value})) == shown
