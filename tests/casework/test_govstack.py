"""The GovStack Registration building block API: every response checked against the published
OpenAPI document (tests/casework/data/), the Information-Mediator-Client header required, and the
same services underneath (scope, four-eyes, audit)."""

from __future__ import annotations

import pytest

from civitas.applications.lifecycle import Status
from civitas.applications.models import Application
from civitas.casework import services
from civitas.casework.govstack.ids import service_id
from civitas.casework.models import Decision, Task
from civitas.registry.models import Person, Region
from tests.applications.conftest import pdf
from tests.casework.conftest import program, submit
from tests.casework.openapi import Spec

BB = Spec("GovStack_Registration_BB_API.json")
STATS = Spec("GovStack_Registration_BB_API_statistics.json")
ROOT = "/govstack/registration"
IM = "eGovStack/GOV/90000009/digitalregistries"


@pytest.fixture
def operator(caseworker, scoped):
    _client, token = services.register_api_client(
        name="Registry hub", im_client=IM, acts_as=caseworker, actor="tests", may_submit=True
    )
    return {"HTTP_INFORMATION_MEDIATOR_CLIENT": IM, "HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(client, headers, method: str, path: str, template: str, spec: Spec = BB, **kwargs):
    response = getattr(client, method.lower())(ROOT + path, **headers, **kwargs)
    spec.check(template, method, response)
    return response


@pytest.mark.django_db
def test_the_header_is_required_and_checked(client, operator):
    assert "Information-Mediator-Client" in BB.required_headers("/applications", "get")
    missing = client.get(f"{ROOT}/applications")
    assert missing.status_code == 400 and missing.json()["code"] == "MISSING_IM_CLIENT"
    wrong = client.get(
        f"{ROOT}/applications",
        HTTP_INFORMATION_MEDIATOR_CLIENT=IM,
        HTTP_AUTHORIZATION="Bearer nope",
    )
    assert wrong.status_code == 401
    assert "traceId" in wrong.json() and "Traceback" not in wrong.content.decode()


@pytest.mark.django_db
def test_services_and_eforms(client, operator):
    services_ = call(client, operator, "GET", "/services", "/services").json()
    child = next(s for s in services_ if s["name"] == "Child benefit")
    assert child["id"] == service_id(program("child-benefit"))
    call(client, operator, "GET", f"/services/{child['id']}", "/services/{serviceId}")
    forms = call(
        client, operator, "GET", f"/services/{child['id']}/eForms", "/services/{serviceId}/eForms"
    ).json()
    assert forms and forms[0]["latest"] is True
    form = call(
        client, operator, "GET", f"/eForms/{forms[0]['eFormId']}", "/eForms/{eFormId}"
    ).json()
    assert "children_count" in form["schema"]["properties"]
    missing = call(
        client,
        operator,
        "GET",
        "/services/00000000-0000-0000-0000-000000000000",
        "/services/{serviceId}",
    )
    assert missing.status_code == 404
    filtered = call(client, operator, "GET", "/services", "/services", data={"name": "pension"})
    assert [s["name"] for s in filtered.json()] == ["Old-age pension"]


@pytest.mark.django_db
def test_submitting_with_a_document_then_deciding_through_tasks(
    client, operator, citizen, supervisor, second_supervisor
):
    upload = call(
        client,
        operator,
        "POST",
        "/documents",
        "/documents",
        data={"file": _file()},
        QUERY_STRING="additionalMetadata=birth_certificates",
    )
    assert upload.status_code == 200 and upload.json()["url"].startswith("urn:civitas:upload:")
    amina = Person.objects.get(account=citizen)
    body = {
        "applicantId": amina.national_id,
        "formData": {
            "data": {
                "children_count": {"value": 2},
                "household_income": "950.00",
                "bank_account": "CV12 3456 7890",
                "declaration": "yes",
            }
        },
        "documentUrls": [upload.json()["url"]],
    }
    sid = service_id(program("child-benefit"))
    created = call(
        client,
        operator,
        "POST",
        f"/services/{sid}/applications",
        "/services/{serviceId}/applications",
        data=body,
        content_type="application/json",
    )
    assert created.status_code == 200, created.content
    file_id = created.json()["fileId"]
    again = client.post(
        f"{ROOT}/services/{sid}/applications",
        data=body,
        content_type="application/json",
        **operator,
    )
    assert again.json()["fileId"] == file_id, "the same request twice makes one application"
    application = Application.objects.get(reference=file_id)
    assert (application.channel, application.created_by.email) == (
        "api",
        "caseworker@demo.civitas.example",
    )

    files = call(client, operator, "GET", "/applications", "/applications").json()
    assert file_id in [f["fileId"] for f in files]
    call(client, operator, "GET", f"/applications/{file_id}", "/applications/{fileId}")
    tasks = call(client, operator, "GET", "/tasks", "/tasks", data={"fileId": file_id}).json()
    assert len(tasks) == 1
    call(client, operator, "GET", f"/tasks/{tasks[0]['taskId']}", "/tasks/{taskId}")
    done = call(
        client,
        operator,
        "POST",
        f"/tasks/{tasks[0]['taskId']}/complete",
        "/tasks/{taskId}/complete",
        data={
            "data": {
                "decision": {
                    "outcome": "approve",
                    "reason": "Meets the rules.",
                    "rule": "Social Protection Act 2024, s.12",
                }
            }
        },
        content_type="application/json",
    )
    assert done.status_code == 200
    decision = Decision.objects.get(application=application)
    assert decision.status == "awaiting_second", "the client's account entered the data: four eyes"
    second = Task.objects.get(application=application, queue="cases")
    sup_client, sup_token = services.register_api_client(
        name="Supervisor desk",
        im_client="eGovStack/GOV/90000009/supervision",
        acts_as=second_supervisor,
        actor="tests",
    )
    sup = {
        "HTTP_INFORMATION_MEDIATOR_CLIENT": sup_client.im_client,
        "HTTP_AUTHORIZATION": f"Bearer {sup_token}",
    }
    call(
        client,
        sup,
        "POST",
        f"/tasks/{second.public_id}/complete",
        "/tasks/{taskId}/complete",
        data={"data": {"secondApproval": {"agree": True}}},
        content_type="application/json",
    )
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert application.documents.count() == 1

    stats = call(
        client,
        operator,
        "GET",
        "/data/statistics",
        "/data/statistics",
        spec=STATS,
        data={"timeframe": "month"},
    ).json()
    assert sum(row["approved"] for row in stats) == 1


@pytest.mark.django_db
def test_outside_the_scope_is_the_same_404(client, operator, citizen, caseworker):
    application = submit(citizen)
    services.set_scope(
        user=caseworker,
        actor="tests",
        all_programmes=True,
        regions=[Region.objects.get(code="north")],
    )
    theirs = client.get(f"{ROOT}/applications/{application.reference}", **operator)
    missing = client.get(f"{ROOT}/applications/CIV-XXXX-XXXX", **operator)
    assert theirs.status_code == missing.status_code == 404
    BB.check("/applications/{fileId}", "get", theirs)
    assert call(client, operator, "GET", "/tasks", "/tasks").json() == []


@pytest.mark.django_db
def test_bad_input_is_refused_with_a_reason(client, operator):
    sid = service_id(program("child-benefit"))
    refused = client.post(
        f"{ROOT}/services/{sid}/applications",
        data="{not json",
        content_type="application/json",
        **operator,
    )
    assert refused.status_code == 400 and "JSON" in refused.json()["message"]
    unknown = client.post(
        f"{ROOT}/services/{sid}/applications",
        data={"applicantId": "0000000000"},
        content_type="application/json",
        **operator,
    )
    assert unknown.status_code == 400 and unknown.json()["code"] == "UNKNOWN_APPLICANT"
    stats = client.get(f"{ROOT}/data/statistics", {"startDate": "soon"}, **operator)
    assert stats.status_code == 400


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("certificate.pdf", pdf(), content_type="application/pdf")
