"""Every citizen page, signed out and signed in, in English, French and Arabic, checked by axe-core
in headless Chromium: 0 violations. Pages are found by following the links people can follow
from the home page, plus the pages behind forms (error states, the first question of each
application). No request may leave the server under test.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.web.browser import axe_source, launch, run_axe, sync_playwright

LANGUAGES = ["en", "fr", "ar"]
# not citizen pages, or not pages at all
SKIP = ("/admin", "/staff", "/static", "/i18n", "/media", "/public", "/api", "/accounts/eid/")
ANONYMOUS_EXTRA = [
    "/accounts/sign-in/",
    "/accounts/sign-up/",
    "/accounts/password-reset/",
    "/accounts/password-reset/sent/",
    "/accounts/check-your-email/",
    "/accounts/session/",
    "/benefits/no-such-benefit/",  # the designed 404 page
]
SIGNED_IN_EXTRA = ["/accounts/", "/accounts/session/", "/accounts/two-factor/set-up/"]
# forms whose error state is checked too: (page, submit button selector)
EMPTY_SUBMITS_ANONYMOUS = ["/accounts/sign-in/", "/accounts/sign-up/", "/accounts/password-reset/"]
EMPTY_SUBMITS_SIGNED_IN = [
    "/accounts/two-factor/set-up/",
    "/participate/surveys/child-benefit-2027-survey/",  # the demo survey: checkboxes and radios
]
MAX_PAGES = 80

pytestmark = pytest.mark.slow


def route_of(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


class Checker:
    def __init__(self, page, base: str, axe: str, language: str):
        self.page, self.base, self.axe, self.language = page, base, axe, language
        self.problems: list[str] = []
        self.seen_routes: set[tuple[str, str]] = set()
        self.visited: list[str] = []

    def check(self, label: str) -> None:
        page = self.page
        lang = page.evaluate("document.documentElement.lang")
        direction = page.evaluate("document.documentElement.dir")
        if lang != self.language:
            self.problems.append(f"{label}: <html lang={lang!r}>, expected {self.language!r}")
        expected_dir = "rtl" if self.language == "ar" else "ltr"
        if direction != expected_dir:
            self.problems.append(f"{label}: dir={direction!r}, expected {expected_dir!r}")
        for violation in run_axe(page, self.axe):
            self.problems.append(
                f"{label} [{self.language}]: {violation['id']} ({violation['impact']}): "
                f"{violation['help']} at {violation['nodes']}"
            )

    def visit(self, path: str, state: str) -> list[str]:
        """Check a page unless this state already saw its route: one programme's start page
        stands for all (their text is data; the page is the same), whatever the query string."""
        key = (state, route_of(urlsplit(path).path))
        if key in self.seen_routes:
            return []
        self.seen_routes.add(key)
        if urlsplit(path).path.rsplit("/", 1)[-1].count("."):
            return []  # a file to download (data.json, a letter as PDF), not a page
        response = self.page.goto(self.base + path)
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            return []
        self.visited.append(path)
        self.check(path)
        return self.links()

    def links(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        found = []
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != self.base:
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not path.startswith(SKIP) and "sign-out" not in path:
                found.append(path)
        return found

    def crawl(self, starts: list[str], state: str) -> None:
        queue = list(starts)
        done: set[str] = set()
        while queue and len(done) < MAX_PAGES:
            path = queue.pop(0)
            if path in done:
                continue
            done.add(path)
            queue.extend(p for p in self.visit(path, state) if p not in done)

    def submit_empty(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_load_state()
        self.check(f"{path} (submitted empty)")


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/accounts/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/sign-in/" not in page.url, "signed in"


def start_each_application(checker: Checker, slugs: list[str]) -> None:
    """Open each programme's application and check its first question, blank and with errors."""
    page = checker.page
    for slug in slugs:
        page.goto(f"{checker.base}/applications/apply/{slug}/")
        checker.check(f"/applications/apply/{slug}/")
        button = page.query_selector("main form button[type=submit]")
        if button is None:
            continue
        button.click()
        page.wait_for_load_state()
        label = urlsplit(page.url).path
        checker.check(label)
        button = page.query_selector("main form button[type=submit]")
        if button is not None:
            button.click()
            page.wait_for_load_state()
            checker.check(f"{label} (after pressing continue)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_citizen_page_has_no_axe_violations(
    language, live_server, demo_country, citizen, tmp_path
):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("pages do not depend on the database engine: checked on the embedded default")
    from civitas.demo.catalogue import DEMO_PASSWORD
    from civitas.participation.demo import load_demo_participation
    from civitas.programs.models import Program

    load_demo_participation()  # consultation, survey, budget and opinion map under /participate/
    slugs = list(Program.objects.order_by("display_order").values_list("slug", flat=True))
    axe = axe_source()
    base = live_server.url
    outside: list[str] = []
    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path / "profile")
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.on(
                "request",
                lambda request: (
                    None if request.url.startswith((base, "data:")) else outside.append(request.url)
                ),
            )
            page.goto(base + "/")
            if language != "en":
                page.click(f"button[name=language][value={language}]")
                page.wait_for_load_state()
            checker = Checker(page, base, axe, language)
            checker.crawl(["/", *ANONYMOUS_EXTRA], "anonymous")
            for path in EMPTY_SUBMITS_ANONYMOUS:
                checker.submit_empty(path)

            sign_in(page, base, citizen.email, DEMO_PASSWORD)
            checker.crawl(["/", "/applications/", *SIGNED_IN_EXTRA], "citizen")
            for path in EMPTY_SUBMITS_SIGNED_IN:
                checker.submit_empty(path)
            # each programme asks its own questions: all of them in English, one in the others
            start_each_application(checker, slugs if language == "en" else slugs[:1])
            checker.crawl(["/applications/"], "citizen with drafts")
        finally:
            context.close()
    print(f"{language}: {len(checker.visited)} pages checked")
    assert len(checker.visited) >= 10, checker.visited
    assert not outside, f"requests to other hosts: {outside}"
    assert not checker.problems, "\n".join(checker.problems)


@pytest.mark.django_db(transaction=True)
def test_arabic_pages_are_mirrored(live_server, demo_country, tmp_path):
    """In Arabic the page reads from the right: headings start at the right edge of the column,
    and the header's language switch sits on the left."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("layout does not depend on the database engine")
    base = live_server.url
    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path / "profile")
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.set_viewport_size({"width": 1200, "height": 900})
            edges = {}
            for language in ("en", "ar"):
                page.goto(base + "/accounts/sign-in/")
                if language == "ar":
                    page.click("button[name=language][value=ar]")
                    page.wait_for_load_state()
                edges[language] = page.evaluate(
                    """() => {
                      const box = e => document.querySelector(e).getBoundingClientRect();
                      const main = box('main'), h1 = box('main h1'), field = box('#id_username');
                      return {h1Left: h1.left - main.left, h1Right: main.right - h1.right,
                              fieldLeft: field.left - main.left, fieldRight: main.right - field.right,
                              switchLeft: box('.civitas-language-switcher').left - main.left};
                    }"""
                )
        finally:
            context.close()
    en, ar = edges["en"], edges["ar"]
    assert en["h1Left"] < 5 and ar["h1Right"] < 5, edges
    assert ar["h1Left"] > 100 and en["h1Right"] > 100, edges
    assert ar["fieldRight"] < 5 and en["fieldLeft"] < 5, edges
    assert ar["switchLeft"] < en["switchLeft"], edges
