"""The demo's national eID (``make demo``): the provider script started the way ``civitas demo
serve`` starts it, on 127.0.0.1, and people of the demo registry signing in with it end to end."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.core.management import CommandError, call_command

from civitas.accounts.models import User
from civitas.accounts.oidc.config import forget_cached_metadata
from civitas.demo import eid
from civitas.registry.models import Person
from tests.accounts.conftest import ProviderBrowser, _unavailable, eid_sign_in
from tests.conftest import free_port


def _install_as_make_does() -> None:
    """``make demo`` runs ``npm ci`` in deploy/demo-eid; do the same when it has not run yet."""
    if eid.unavailable_reason() is None:
        return
    npm = shutil.which("npm")
    if not npm or not eid.node_binary():
        _unavailable("node and npm are needed for the demo eID")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=eid.SERVER_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        _unavailable(f"npm ci failed in {eid.SERVER_DIR}: {result.stderr[-500:]}")


@pytest.fixture(scope="module")
def demo_eid(tmp_path_factory):
    _install_as_make_does()
    running = eid.start(
        tmp_path_factory.mktemp("demo-eid"), port=free_port(), app_urls=["http://testserver"]
    )
    try:
        yield running
    finally:
        running.stop()
    assert running.process.poll() is not None, "stopping the demo stops its eID"


@pytest.fixture
def demo_settings(settings, demo_eid, demo_country):
    """Civitas configured with exactly the settings ``civitas demo serve`` gives ``civitas serve``,
    and the first households of the synthetic population that ``civitas demo load`` adds."""
    demo_country.populate(households=50, seed=1)
    for name, value in demo_eid.env.items():
        setattr(settings, name, value)
    forget_cached_metadata()
    yield demo_eid
    forget_cached_metadata()


def signed_in_user(client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


@pytest.mark.django_db
def test_the_demo_citizen_signs_in_with_the_demo_eid(client, citizen, demo_settings):
    page = client.get("/accounts/sign-in/").content.decode()
    assert "Sign in with CivitasID" in page

    started, done = eid_sign_in(client, "amina", start="/accounts/eid/start/?next=/applications/")

    assert urlsplit(started.url).netloc == urlsplit(demo_settings.issuer).netloc
    assert done.status_code == 302 and done.url == "/applications/"
    assert signed_in_user(client) == citizen, "the same account as her password sign-in"
    assert client.get("/applications/").status_code == 200


@pytest.mark.django_db
def test_a_demo_person_without_an_account_gets_one_linked_to_the_registry(
    client, demo_country, demo_settings
):
    pensioner = next(p for p in demo_settings.identities if p.login == "pensioner")
    person = Person.objects.with_national_id(pensioner.claims["national_id"]).get()
    assert person.account is None

    _, done = eid_sign_in(client, "pensioner")

    assert done.status_code == 302
    person.refresh_from_db()
    assert person.account == signed_in_user(client)
    assert person.given_name == pensioner.claims["given_name"]
    assert person.account.email == pensioner.claims["email"], "her messages reach her"


@pytest.mark.django_db
def test_every_demo_identity_is_a_person_of_the_demo_registry(demo_country, demo_settings):
    """Amina and Omar come with the demo citizen; the others with ``civitas demo load``'s
    population (its first households here)."""
    numbers = [person.claims["national_id"] for person in demo_settings.identities]
    assert len(numbers) == 4
    assert sum(Person.objects.with_national_id(n).count() for n in numbers) == 4


@pytest.mark.django_db
def test_the_demo_eid_speaks_the_persons_language_and_can_be_cancelled(
    client, citizen, demo_settings
):
    started = client.get("/accounts/eid/start/", HTTP_ACCEPT_LANGUAGE="ar")
    assert parse_qs(urlsplit(started.url).query)["ui_locales"] == ["ar"]
    browser = ProviderBrowser()
    status, headers, _ = browser._open(started.url)
    assert status in (302, 303)
    interaction = urljoin(started.url, headers["Location"])
    status, _, body = browser._open(interaction)
    assert status == 200
    assert '<html lang="ar" dir="rtl">' in body and "من أنت؟" in body

    # "Cancel and go back": the provider says access_denied, Civitas says the person stopped
    abort = body.split('action="')[2].split('"', 1)[0]
    url, data = urljoin(interaction, abort), b""
    for _ in range(5):
        status, headers, _ = browser._open(url, data)
        data = None
        url = urljoin(url, headers["Location"])
        if url.startswith("http://testserver/"):
            break
    parts = urlsplit(url)
    assert parse_qs(parts.query)["error"] == ["access_denied"]
    back = client.get(f"{parts.path}?{parts.query}")
    assert back.status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_demo_eid_serves_its_discovery_document(demo_eid):
    with urllib.request.urlopen(f"{demo_eid.issuer}/.well-known/openid-configuration") as reply:
        assert reply.status == 200
    assert demo_eid.issuer.startswith("http://127.0.0.1:")


def test_without_node_the_demo_says_why_it_has_no_eid(tmp_path):
    assert "Node.js is not installed" in eid.unavailable_reason(node=str(tmp_path / "no-node"))
    reason = eid.unavailable_reason(node=shutil.which("python3"), server_dir=tmp_path)
    assert "server.mjs" in reason
    (tmp_path / "server.mjs").write_text("")
    reason = eid.unavailable_reason(node=shutil.which("python3"), server_dir=tmp_path)
    assert "npm ci" in reason
    with pytest.raises(eid.EidUnavailable):
        eid.start(tmp_path / "var", port=free_port(), app_urls=[], server_dir=tmp_path)


def test_a_busy_port_is_named_instead_of_a_stranger_being_trusted(tmp_path, demo_eid):
    port = int(demo_eid.issuer.rsplit(":", 1)[1])
    with pytest.raises(eid.EidUnavailable, match=f"port {port} is in use"):
        eid.start(tmp_path, port=port, app_urls=["http://testserver"])


def test_the_demo_eid_never_runs_in_production(settings):
    settings.CIVITAS_ENV = "production"
    with pytest.raises(CommandError, match="for the demo"):
        call_command("demo", "serve", "--port", str(free_port()))


@pytest.mark.slow
def test_civitas_demo_serve_runs_the_eid_beside_the_server_and_stops_it(tmp_path):
    """What ``make demo`` runs last: ``civitas demo serve`` starts the demo eID, then the server
    signed in to it; a person signs in with the eID over real HTTP; Ctrl+C stops both."""
    import http.cookiejar
    import os
    import signal
    import sys
    import time

    if os.environ.get("DATABASE_URL"):
        pytest.skip("exercised on the embedded default (SQLite)")
    _install_as_make_does()
    env = {
        **os.environ,
        "CIVITAS_ENV": "development",
        "DEBUG": "false",
        "CIVITAS_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "demo-" * 12,
        "EMAIL_URL": f"file://{tmp_path}/mail",
    }
    for name in list(env):
        if name.startswith("OIDC_") or name == "TASKS_BACKEND":
            env.pop(name)
    manage = [sys.executable, "-m", "civitas.manage"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=180)
    port, eid_port = free_port(), free_port()
    server = subprocess.Popen(
        [*manage, "demo", "serve", "--port", str(port), "--eid-port", str(eid_port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 60
        while True:
            try:
                page = browser.open(f"{base}/accounts/sign-in/", timeout=5).read().decode()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the demo did not start"
                time.sleep(0.5)
        assert "Sign in with CivitasID" in page
        # the browser's trip: Civitas → demo eID → its sign-in form → back to Civitas, signed in
        at_provider = browser.open(f"{base}/accounts/eid/start/", timeout=10)
        assert at_provider.url.startswith(f"http://127.0.0.1:{eid_port}/interaction/")
        form = at_provider.read().decode()
        action = form.split('action="', 1)[1].split('"', 1)[0]
        back = browser.open(urljoin(at_provider.url, action), data=b"login=omar", timeout=10)
        assert back.url == f"{base}/", back.url
        account = browser.open(f"{base}/accounts/", timeout=10).read().decode()
        assert "Omar Haddad" in account or "omar@demo.civitas.example" in account
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl+C in the terminal of `make demo`
        output = server.communicate(timeout=30)[0].decode()
    assert "Demo national eID (CivitasID) on" in output
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{eid_port}/.well-known/openid-configuration")
