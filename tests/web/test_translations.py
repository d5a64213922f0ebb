"""Translations: compiled without GNU gettext, read by Python's gettext exactly as msgfmt's
output is, and used by the pages in French and Arabic (with Arabic's six plural forms)."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess

import pytest

from civitas.web.translations import build_mo, parse_po

SAMPLE = r"""# a translator's comment
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n"
"%100<=10 ? 3 : n%100>=11 && n%100<=99 ? 4 : 5;\n"

#: civitas/web/templates/base.html
msgid "Sign in"
msgstr "تسجيل الدخول"

msgctxt "button"
msgid "Back"
msgstr "رجوع"

msgid "Say \"hello\"\n"
"on two lines"
msgstr "قل \"مرحبا\"\n"
"على سطرين"

#, fuzzy
msgid "Not sure yet"
msgstr "غير متأكد"

msgid "Untranslated"
msgstr ""

msgid "{{ counter }} case"
msgid_plural "{{ counter }} cases"
msgstr[0] "لا حالات"
msgstr[1] "حالة واحدة"
msgstr[2] "حالتان"
msgstr[3] "{{ counter }} حالات"
msgstr[4] "{{ counter }} حالة"
msgstr[5] "{{ counter }} حالة"

#~ msgid "Gone"
#~ msgstr "ذهب"
"""


def catalog(mo: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(mo))


def test_our_compiler_reads_what_makemessages_writes():
    translations = catalog(build_mo(parse_po(SAMPLE)))
    assert translations.gettext("Sign in") == "تسجيل الدخول"
    assert translations.pgettext("button", "Back") == "رجوع"
    assert translations.gettext('Say "hello"\non two lines') == 'قل "مرحبا"\nعلى سطرين'
    assert translations.gettext("Not sure yet") == "Not sure yet", "fuzzy is left out"
    assert translations.gettext("Untranslated") == "Untranslated"
    forms = [
        translations.ngettext("{{ counter }} case", "{{ counter }} cases", n)
        for n in (0, 1, 2, 5, 11, 100)
    ]
    assert forms == [
        "لا حالات",
        "حالة واحدة",
        "حالتان",
        "{{ counter }} حالات",
        "{{ counter }} حالة",
        "{{ counter }} حالة",
    ]
    assert translations.gettext("Gone") == "Gone"


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext is not installed to compare")
def test_same_catalog_as_gnu_msgfmt(tmp_path):
    po = tmp_path / "sample.po"
    po.write_text(SAMPLE, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(tmp_path / "gnu.mo"), str(po)], check=True)
    ours = catalog(build_mo(parse_po(SAMPLE)))
    gnu = catalog((tmp_path / "gnu.mo").read_bytes())
    assert ours._catalog == gnu._catalog


def test_the_committed_catalogs_compile_and_cover_the_portal(settings):
    from pathlib import Path

    for folder in settings.LOCALE_PATHS:
        for po in Path(folder).glob("*/LC_MESSAGES/django.po"):
            entries = parse_po(po.read_text(encoding="utf-8"), name=str(po))
            translations = catalog(build_mo(entries))
            for msgid in (
                "Sign in",
                "Create an account",
                "Benefits you can apply for",
                "Apply now",
            ):
                assert translations.gettext(msgid) != msgid, f"{po}: {msgid!r} untranslated"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Se connecter"), ("ar", "تسجيل الدخول")],
)
def test_pages_speak_the_chosen_language(client, language, expected):
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/accounts/sign-in/").content.decode()
    assert f'lang="{language}"' in html and expected in html
