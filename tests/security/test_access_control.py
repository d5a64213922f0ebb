"""Access control proven for every URL: each URL pattern is requested as an anonymous visitor, as
a citizen who does not own the object, and as staff outside the object's scope, and must refuse
them; where the registry names a real object, its rightful user must get in. A URL missing from
the registry (``url_access.py``) fails the suite."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.url_access import NAMESPACES, URLS, Rule


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the route for a pattern without a name
    name: str | None
    route: str
    namespace: str


def all_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                found.append(Pattern(name or route, name, route, namespace))

    walk(get_resolver().url_patterns, "", "")
    unique: dict[str, Pattern] = {}
    for pattern in found:
        unique.setdefault(pattern.key, pattern)  # one route may serve several methods (the API)
    return list(unique.values())


def rule_for(pattern: Pattern) -> Rule | None:
    if pattern.key in URLS:
        return URLS[pattern.key]
    return NAMESPACES.get(pattern.namespace.split(":")[0])


def test_every_url_has_an_access_rule_and_every_rule_a_url():
    patterns = all_patterns()
    missing = sorted(p.key for p in patterns if rule_for(p) is None)
    assert not missing, (
        "these URLs have no access rule: add each to URLS in tests/security/url_access.py "
        f"(who may reach it) — {missing}"
    )
    stale = sorted(set(URLS) - {p.key for p in patterns})
    assert not stale, f"rules for URLs that no longer exist (remove them): {stale}"


# --- the people and objects the checks use ---------------------------------------------------------

CHILD_BENEFIT_ANSWERS = {
    "children_count": 2,
    "household_income": "950.00",
    "bank_account": "CV12 3456 7890",
    "declaration": True,
}


class World:
    """Objects made on first use, so each URL's rule only pays for what it needs."""

    def __init__(self, owner, other):
        from civitas.accounts.models import User

        self.owner, self.other = owner, other
        try:  # the demo staff's scopes (whole country), as `civitas demo load` grants them
            from civitas.casework.demo import grant_demo_scopes
        except ImportError:
            pass
        else:
            grant_demo_scopes()
        self.staff = {
            role: User.objects.get(email=f"{email}@demo.civitas.example")
            for role, email in (
                ("caseworker", "caseworker"),
                ("supervisor", "supervisor"),
                ("finance_officer", "finance"),
                ("auditor", "auditor"),
                ("policy_author", "policy"),
                ("approver", "approver"),
                ("administrator", "admin"),
            )
        }
        self._tokens: dict[int, tuple] = {}
        self._clients: dict[int, Client] = {}

    def client_for(self, user) -> Client:
        """One signed-in browser per person, reused from URL to URL."""
        if user.pk not in self._clients:
            self._clients[user.pk] = signed_in_client(user)
        return self._clients[user.pk]

    @cached_property
    def unscoped_caseworker(self):
        """A caseworker whose scope covers no programme and no place: outside every case."""
        from civitas.accounts import services

        return services.create_staff(
            email="outside.scope@example.gov",
            password="outside-scope-pass-1",
            full_name="Outside Scope",
            roles=["caseworker"],
        )

    @cached_property
    def application(self):
        from civitas.applications import services
        from civitas.programs.models import Program

        outcome = services.submit_application(
            applicant=self.owner,
            program=Program.objects.get(slug="child-benefit"),
            answers=CHILD_BENEFIT_ANSWERS,
            idempotency_key="access-control-1",
        )
        return outcome.application

    @cached_property
    def programme_version(self):
        """A draft version of child benefit, started in the programme studio."""
        from datetime import date, timedelta

        from civitas.programs.models import Program
        from civitas.studio import services

        return services.start_version(
            actor=self.staff["policy_author"],
            program=Program.objects.get(slug="child-benefit"),
            template="copy",
            start=date.today() + timedelta(days=30),
        )

    def token_for(self, user) -> str:
        """A personal access token with every scope, acting for ``user`` (a citizen)."""
        if user.pk not in self._tokens:
            from civitas.applications import services
            from civitas.applications.models import SCOPES

            self._tokens[user.pk] = services.create_personal_token(
                user=user, name="access control test", scopes=list(SCOPES)
            )
        return self._tokens[user.pk][1]

    @property
    def owner_token_id(self) -> int:
        self.token_for(self.owner)
        return self._tokens[self.owner.pk][0].pk


# --- the checks ---------------------------------------------------------------------------------------

LOGIN_PATHS = ("/accounts/sign-in/", "/admin/login/")


def example_path(route: str, kwargs: dict) -> str:
    """A path the route matches: ``<int:pk>`` and ``(?P<pk>...)`` from kwargs or an example."""

    def group(match) -> str:
        name, body = match.group(1), match.group(2)
        if name in kwargs:
            return str(kwargs[name])
        return body.split("|")[0] if re.fullmatch(r"[\w|]+", body) else "1"

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs.get(m.group(1), "1")), route)
    path = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def url_for(pattern: Pattern, rule: Rule, world: World) -> str:
    if rule.path:
        return rule.path
    kwargs = rule.kwargs_for(world)
    if pattern.name and rule.kind != "admin":
        return reverse(pattern.name, kwargs=kwargs)
    return example_path(pattern.route, kwargs)


def send(client: Client, method: str, url: str, body: dict | None = None, **headers):
    if method in {"POST", "PUT", "PATCH"}:  # JSON: forms see no fields, APIs a valid body
        return getattr(client, method.lower())(
            url, data=json.dumps(body or {}), content_type="application/json", **headers
        )
    return getattr(client, method.lower())(url, **headers)


def sent_to_sign_in(response) -> bool:
    location = response.get("Location", "")
    return response.status_code in (301, 302) and any(p in location for p in LOGIN_PATHS)


def refused(response) -> bool:
    return sent_to_sign_in(response) or response.status_code in (401, 403, 404)


def signed_in_client(user=None) -> Client:
    """A browser signed in as ``user``, past the second factor (staff must have one)."""
    client = Client(raise_request_exception=False)  # a server error is reported, not raised
    if user is not None:
        client.force_login(user)
        try:
            from civitas.accounts.sessions import MFA_KEY
        except ImportError:
            return client
        session = client.session
        session[MFA_KEY] = {"user": user.pk, "method": "totp", "at": int(time.time())}
        session.save()
    return client


def check(pattern: Pattern, rule: Rule, world: World) -> list[str]:
    """What is wrong with one URL (empty when it behaves as its rule says)."""
    problems: list[str] = []
    url, method = url_for(pattern, rule, world), rule.method
    api = rule.kind.startswith("api_")

    def unchanged(call):
        """Runs a request and notes whether it changed anything: every write is audited, so no new
        audit event means nothing changed."""
        from civitas.audit.models import AuditEvent

        before = AuditEvent.objects.count()
        response = call()
        response.changed_nothing = AuditEvent.objects.count() == before
        return response

    def turned_away(response) -> bool:
        """403 or 404; a write may also answer otherwise (the page again with an error, a
        redirect back) provided it changed nothing."""
        if response.status_code in (403, 404):
            return True
        return method != "GET" and response.status_code < 500 and response.changed_nothing

    def expect(who: str, response, ok: bool, wanted: str) -> None:
        if response.status_code >= 500:
            problems.append(f"{who}: server error {response.status_code}")
        elif not ok:
            got = f"{response.status_code} {response.get('Location', '')}".strip()
            problems.append(f"{who}: got {got}, expected {wanted}")

    def as_user(user):
        if api:
            bearer = f"Bearer {world.token_for(user)}"
            return unchanged(
                lambda: send(
                    Client(raise_request_exception=False),
                    method,
                    url,
                    rule.body,
                    HTTP_AUTHORIZATION=bearer,
                )
            )
        client = world.client_for(user)
        return unchanged(lambda: send(client, method, url, rule.body))

    anonymous = send(Client(raise_request_exception=False), method, url, rule.body)
    if rule.kind in {"public", "api_public"}:
        expect("anonymous", anonymous, anonymous.status_code not in (401, 403), "to be let in")
        return problems
    if rule.kind == "api_client":
        expect("anonymous", anonymous, anonymous.status_code in (400, 401), "400 or 401")
        return problems
    if rule.kind == "admin":
        expect("anonymous", anonymous, sent_to_sign_in(anonymous), "the admin sign-in")
        citizen = send(world.client_for(world.other), method, url)
        expect("a citizen", citizen, sent_to_sign_in(citizen), "the admin sign-in")
        return problems

    if api:
        expect("anonymous", anonymous, anonymous.status_code == 401, "401")
    elif rule.kind == "signed_in" and not rule.kwargs:
        expect("anonymous", anonymous, sent_to_sign_in(anonymous), "a redirect to sign in")
    else:
        expect("anonymous", anonymous, refused(anonymous), "a redirect to sign in, 403 or 404")

    if rule.kind in {"signed_in", "api_signed_in"}:
        response = as_user(world.other)
        expect("a citizen", response, response.status_code not in (401, 403), "to be let in")
    elif rule.kind in {"owner", "api_owner"}:
        other = as_user(world.other)
        expect("another citizen", other, other.status_code == 404, "404, as for a missing object")
        if not api:
            outsider = as_user(world.staff["finance_officer"])
            expect("staff", outsider, turned_away(outsider), "403 or 404")
        if rule.real and method == "GET":
            mine = as_user(world.owner)
            expect("the owner", mine, mine.status_code < 400, "to be let in")
    elif rule.kind == "staff":
        citizen = as_user(world.other)
        expect("a citizen", citizen, turned_away(citizen), "403 or 404")
        outsiders = [
            user
            for role, user in world.staff.items()
            if role not in rule.roles and role != "administrator"
        ]
        if rule.kwargs and set(rule.roles) & {"caseworker", "supervisor"}:
            outsiders.append(world.unscoped_caseworker)  # the role, not the object's scope
        for outsider in outsiders:
            response = as_user(outsider)
            expect(f"staff ({outsider.email})", response, turned_away(response), "403 or 404")
        if rule.real and method == "GET":
            insider = world.staff[rule.roles[0]]
            response = as_user(insider)
            expect(f"staff ({insider.email})", response, response.status_code < 400, "to be let in")
    else:
        problems.append(f"unknown rule kind {rule.kind!r}")
    return problems


@pytest.mark.django_db
def test_every_url_refuses_whoever_it_should(
    citizen, other_citizen, django_capture_on_commit_callbacks
):
    world = World(citizen, other_citizen)
    with django_capture_on_commit_callbacks(execute=True):
        world.application  # noqa: B018 - made first, so what follows its submission has happened
    failures: dict[str, list[str]] = {}
    for pattern in all_patterns():
        rule = rule_for(pattern)
        if rule is None:
            continue  # reported by the registry test
        with django_capture_on_commit_callbacks(execute=True):
            problems = check(pattern, rule, world)
        if problems:
            failures[pattern.key] = problems
    assert not failures, "\n".join(f"{key}: {'; '.join(p)}" for key, p in sorted(failures.items()))
