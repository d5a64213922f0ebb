"""Going through the application pages the way a person does, for tests.

``start_online`` opens a draft from the programme's "Apply" page and answers every question page
it is sent to (posting the same answers to each page: a page's form reads only its own fields);
``send`` posts "check your answers". ``apply_online`` does both.
"""

from __future__ import annotations

import re

from django.urls import reverse

from civitas.applications.models import Application
from civitas.programs.formspec import parse_spec


def start_online(
    client, slug: str, answers: dict, *, use_registry: bool = False, partial: bool = False
) -> Application:
    """Open a draft and answer its pages; returns the draft once only documents or "check your
    answers" are left (with ``partial``, also at the first page ``answers`` does not answer)."""
    url = reverse("applications:apply", args=[slug])
    response = client.get(url)
    if response.status_code == 200:
        key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', response.content.decode())
        response = client.post(url, {"idempotency_key": key.group(1)})
    for _ in range(40):
        assert response.status_code == 302, response.content.decode()[:2000]
        target = response.url
        reference = target.split("/")[2]
        if target.endswith("/registry/"):
            response = client.post(target, {"use_registry": "yes" if use_registry else "no"})
        elif "/questions/" in target:
            response = client.post(target, answers)
            if response.status_code == 200 and partial:
                return Application.objects.get(reference=reference)
            if response.status_code == 200:
                raise AssertionError(f"{target} refused the answers: {response.content.decode()}")
        elif target == reverse("applications:detail", args=[reference]):
            # a task list: carry on with the first section that still has a question unanswered
            application = Application.objects.get(reference=reference)
            page = parse_spec(application.program_version.form).first_unanswered_page(
                application.answers
            )
            if page is None:
                return application
            response = client.post(
                reverse("applications:question", args=[reference, page.name]), answers
            )
            if response.status_code == 200 and partial:
                return application
        else:
            return Application.objects.get(reference=reference)
    raise AssertionError("the application pages never ended")


def send(client, application: Application):
    """Press "Accept and send" on "check your answers"."""
    return client.post(reverse("applications:check", args=[application.reference]))


def apply_online(client, slug: str, answers: dict, *, use_registry: bool = False) -> Application:
    draft = start_online(client, slug, answers, use_registry=use_registry)
    response = send(client, draft)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    return draft
