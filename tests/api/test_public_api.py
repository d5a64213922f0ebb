"""The public API: programmes and eligibility without a token; applications through a token that
acts for one person; idempotent creation; errors as 4xx JSON naming the field, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civitas.applications.models import ApiToken, Application, Document
from tests.api.conftest import ApiClient, make_token
from tests.applications.conftest import pdf

CHILD_BENEFIT = {
    "children_count": 2,
    "household_income": 950,
    "bank_account": "CV12 3456 7890",
    "declaration": True,
}


@pytest.mark.django_db
def test_the_openapi_document_describes_the_api(anonymous_api):
    response = anonymous_api.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in (
        "/api/v1/programmes",
        "/api/v1/programmes/{slug}",
        "/api/v1/programmes/{slug}/eligibility",
        "/api/v1/applications",
        "/api/v1/applications/{reference}",
        "/api/v1/applications/{reference}/submit",
        "/api/v1/applications/{reference}/documents/{requirement}",
    ):
        assert path in paths, path
    create = paths["/api/v1/applications"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in create["parameters"])
    upload = paths["/api/v1/applications/{reference}/documents/{requirement}"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    schemes = document["components"]["securitySchemes"]
    assert schemes["OAuth2"]["flows"]["authorizationCode"]["tokenUrl"] == "/oauth/token/"


@pytest.mark.django_db
def test_programmes_and_their_forms_are_public(anonymous_api):
    listing = anonymous_api.get("/programmes").json()
    assert [p["slug"] for p in listing][:2] == ["maternity-care", "child-benefit"]
    maternity = anonymous_api.get("/programmes/maternity-care").json()
    pages = {p["name"]: p for p in maternity["form"]["pages"]}
    assert pages["due_date"]["questions"][0]["show_if"] == {
        "question": "baby_born",
        "equals": False,
    }
    [document] = maternity["form"]["documents"]
    assert document["formats"] == ["pdf", "png", "jpeg"] and document["max_size_mb"] == 5
    assert anonymous_api.get("/programmes/no-such-thing").status_code == 404


@pytest.mark.django_db
def test_eligibility_is_explained_with_the_law(anonymous_api):
    response = anonymous_api.post(
        "/programmes/child-benefit/eligibility",
        {"answers": {"children_count": 2, "household_income": "950"}},
    )
    assert response.status_code == 200
    result = response.json()
    assert result["eligible"] is True and result["amount"] == 110
    assert result["headline"] == "You may get 110 CVT a month."
    assert "Social Protection (Rates) Regulations 2025, reg. 3(a)" in result["references"]
    invalid = anonymous_api.post(
        "/programmes/child-benefit/eligibility", {"answers": {"children_count": "many"}}
    )
    assert invalid.status_code == 422
    locations = [e["loc"] for e in invalid.json()["detail"]]
    assert ["body", "answers", "children_count"] in locations
    assert ["body", "answers", "household_income"] in locations


@pytest.mark.django_db
def test_creating_is_idempotent(api):
    headers = {"Idempotency-Key": "7b0c9d4e-first"}
    first = api.post(
        "/applications", {"programme": "child-benefit", "answers": CHILD_BENEFIT}, headers=headers
    )
    assert first.status_code == 201, first.content
    replay = api.post(
        "/applications", {"programme": "child-benefit", "answers": CHILD_BENEFIT}, headers=headers
    )
    assert replay.status_code == 200
    assert replay.json()["reference"] == first.json()["reference"]
    assert Application.objects.count() == 1
    body = first.json()
    assert body["status"] == "submitted" and body["channel"] == "api"
    assert body["decide_by"] is not None
    missing = api.post("/applications", {"programme": "child-benefit", "answers": CHILD_BENEFIT})
    assert missing.status_code == 422
    assert ["header", "Idempotency-Key"] in [e["loc"] for e in missing.json()["detail"]]


@pytest.mark.django_db
def test_a_submission_and_a_status_read_stay_within_their_query_budget(
    api, django_assert_max_num_queries
):
    """Guards against N+1s and repeated work on the hottest paths (bench/load.py measures them):
    the token and its person, the replay check (once), the version in force and its programme,
    the person and their household (for the rules), then one write transaction: the application,
    its audit event, the acknowledgement, its audit event and its delivery task. The one-row reads
    are compiled once (civitas.db.prepared), so two primary-key reads cost less than one join
    compiled on every request."""
    assert api.get("/applications").status_code == 200  # the token's first use is recorded once
    with django_assert_max_num_queries(19):
        sent = api.post(
            "/applications",
            {"programme": "child-benefit", "answers": CHILD_BENEFIT},
            headers={"Idempotency-Key": "budget-1"},
        )
    assert sent.status_code == 201, sent.content
    with django_assert_max_num_queries(6):
        read = api.get(f"/applications/{sent.json()['reference']}")
    assert read.status_code == 200 and read.json()["status"] == "submitted"


@pytest.mark.django_db
def test_a_form_that_requires_a_document_cannot_be_sent_in_one_step(api):
    """Maternity care asks for a document: sending it at once is refused, naming the document,
    and keeps nothing; a draft can take the document first."""
    response = api.post(
        "/applications",
        {
            "programme": "maternity-care",
            "answers": {
                "baby_born": True,
                "baby_birth_date": (date.today() - timedelta(days=10)).isoformat(),
                "bank_account": "CV12 3456 7890",
                "declaration": True,
            },
        },
        headers={"Idempotency-Key": "needs-a-document"},
    )
    assert response.status_code == 422, response.content
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["documents", "pregnancy_or_birth_proof"]
    assert problem["type"] == "missing"
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_wrong_answers_are_named_and_nothing_is_kept(api):
    response = api.post(
        "/applications",
        {
            "programme": "child-benefit",
            "answers": {**CHILD_BENEFIT, "children_count": 0, "colour": "red"},
        },
        headers={"Idempotency-Key": "k1"},
    )
    assert response.status_code == 422
    detail = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}
    assert detail[("body", "answers", "children_count")] == "Enter a number that is 1 or more"
    assert ("body", "answers", "colour") in detail
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_draft_gets_documents_then_is_sent(api, private_dir, no_scanner):
    created = api.post(
        "/applications",
        {
            "programme": "maternity-care",
            "answers": {"baby_born": False, "due_date": "2030-01-01"},
            "submit": False,
        },
        headers={"Idempotency-Key": "draft-1"},
    )
    assert created.status_code == 201
    reference = created.json()["reference"]
    assert created.json()["status"] == "draft"
    api.patch(
        f"/applications/{reference}/answers",
        {"answers": {"bank_account": "CV1", "declaration": True}},
    )
    early = api.post(f"/applications/{reference}/submit")
    assert early.status_code == 422
    assert early.json()["detail"][0]["loc"] == ["documents", "pregnancy_or_birth_proof"]
    refused = api.upload(
        f"/applications/{reference}/documents/pregnancy_or_birth_proof",
        SimpleUploadedFile("c.pdf", b"not a pdf", content_type="application/pdf"),
    )
    assert refused.status_code == 422 and "PDF, PNG or JPEG" in refused.json()["detail"][0]["msg"]
    uploaded = api.upload(
        f"/applications/{reference}/documents/pregnancy_or_birth_proof",
        SimpleUploadedFile("c.pdf", pdf(), content_type="application/pdf"),
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["format"] == "pdf" and uploaded.json()["virus_scan"] == "not_scanned"
    too_big = api.upload(
        f"/applications/{reference}/documents/pregnancy_or_birth_proof",
        SimpleUploadedFile("big.pdf", pdf(5 * 1024 * 1024 + 5), content_type="application/pdf"),
    )
    assert too_big.status_code == 413
    assert Document.objects.count() == 1
    sent = api.post(f"/applications/{reference}/submit")
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    status = api.get(f"/applications/{reference}").json()
    assert status["status_explained"].startswith("We have your application.")
    assert [d["requirement"] for d in status["documents"]] == ["pregnancy_or_birth_proof"]


@pytest.mark.django_db
def test_someone_elses_application_is_the_same_404(client, api, other_citizen):
    reference = api.post(
        "/applications",
        {"programme": "child-benefit", "answers": CHILD_BENEFIT},
        headers={"Idempotency-Key": "x"},
    ).json()["reference"]
    other = ApiClient(client, make_token(other_citizen))
    theirs = other.get(f"/applications/{reference}")
    missing = other.get("/applications/CIV-XXXX-XXXX")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert other.get("/applications").json() == []


@pytest.mark.django_db
def test_tokens_are_checked_and_scoped(client, citizen):
    anonymous = ApiClient(client, None)
    assert anonymous.get("/applications").status_code == 401
    assert ApiClient(client, "cvt_pat_forged").get("/applications").status_code == 401
    read_only = ApiClient(client, make_token(citizen, ["applications:read"]))
    assert read_only.get("/applications").status_code == 200
    refused = read_only.post(
        "/applications",
        {"programme": "child-benefit", "answers": CHILD_BENEFIT},
        headers={"Idempotency-Key": "y"},
    )
    assert refused.status_code == 403 and "applications:write" in refused.json()["detail"]
    token = ApiToken.objects.get(scopes=["applications:read"])
    assert token.token_hash and token.prefix.startswith("cvt_pat_")
    assert not ApiToken.objects.filter(token_hash__startswith="cvt_").exists(), "hashed at rest"


@pytest.mark.django_db
def test_a_revoked_or_staff_token_does_not_work(client, citizen, caseworker):
    from civitas.applications import services

    raw = make_token(citizen)
    services.revoke_token(token=ApiToken.objects.get(), actor=citizen)
    assert ApiClient(client, raw).get("/applications").status_code == 401
    with pytest.raises(ValueError, match="Staff accounts"):
        make_token(caseworker)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("[" * 50 + "]" * 50, 400),
        ('{"programme": "child-benefit", "answers": ' + '{"a":' * 40 + "1" + "}" * 40 + "}", 400),
        ('{"programme": "child-benefit", "answers": {"children_count": {"deep": 1}}}', 422),
        ('{"programme": "' + "x" * 300_000 + '"}', 413),
    ],
)
def test_bad_bodies_get_4xx_json_never_500(api, raw, status):
    response = api.post("/applications", raw=raw, headers={"Idempotency-Key": "z"})
    assert response.status_code == status, response.content[:300]
    assert "detail" in response.json()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_withdraw_and_reply_through_the_api(api, caseworker):
    from civitas.applications import services

    reference = api.post(
        "/applications",
        {"programme": "child-benefit", "answers": CHILD_BENEFIT},
        headers={"Idempotency-Key": "w"},
    ).json()["reference"]
    assert api.post(f"/applications/{reference}/reply", {"message": "hello"}).status_code == 409
    services.request_information(
        application=Application.objects.get(reference=reference),
        actor=caseworker,
        body="Send the lease.",
    )
    status = api.get(f"/applications/{reference}").json()
    assert status["status"] == "information_requested"
    assert status["messages"][0]["body"] == "Send the lease."
    replied = api.post(f"/applications/{reference}/reply", {"message": "Sent by post."})
    assert replied.json()["status"] == "under_review"
    assert api.post(f"/applications/{reference}/withdraw").json()["status"] == "withdrawn"
    assert api.post(f"/applications/{reference}/withdraw").status_code == 409
