"""Civitas objects in the shapes of the GovStack Registration BB OpenAPI document."""

from __future__ import annotations

from civitas.applications.lifecycle import Status
from civitas.casework.govstack.ids import eform_id, service_id, user_id
from civitas.casework.lifecycles import TaskState

# application status -> (statusModel code, title)
STATUS = {
    Status.DRAFT: ("PENDING", "Draft"),
    Status.SUBMITTED: ("PENDING", "Pending"),
    Status.UNDER_REVIEW: ("PENDING", "Under review"),
    Status.INFORMATION_REQUESTED: ("SENDBACK", "Sent back for more information"),
    Status.APPROVED: ("APPROVED", "Approved"),
    Status.REJECTED: ("REJECTED", "Rejected"),
    Status.WITHDRAWN: ("REJECTED", "Withdrawn"),
}
FINAL = {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN}


def when(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def status_of(application) -> dict:
    code, title = STATUS.get(application.status, ("PENDING", application.status))
    return {"code": code, "title": title}


def task_status(task) -> dict:
    if task.state == TaskState.WAITING:
        return {"code": "SENDBACK", "title": "Waiting for the applicant"}
    if task.state == TaskState.OPEN:
        return {"code": "PENDING", "title": "Open"}
    outcome = (task.outcome or "").lower()
    if outcome in {"approved", "upheld", "resolved", "proposed"}:
        return {"code": "APPROVED", "title": task.outcome}
    if outcome in {"returned"}:
        return {"code": "SENDBACK", "title": task.outcome}
    return {"code": "REJECTED", "title": task.outcome or task.state}


def service(program) -> dict:
    version = program.version_in_force()
    return {
        "id": service_id(program),
        "name": program.name,
        "version": str(version.number if version else 0),
        "type": "Public",
        "isExecutable": version is not None and program.is_published,
        "isClosed": True,
        "description": program.summary,
        "serviceBody": [
            {"code": "slug", "value": program.slug},
            {"code": "whoCanApply", "value": program.who_can_apply},
            {"code": "whatYouNeed", "value": program.what_you_need},
            {"code": "howLong", "value": program.how_long},
            {"code": "legalBasis", "value": version.legal_basis if version else ""},
        ],
    }


def eform_item(version, *, latest: bool) -> dict:
    return {
        "eFormId": eform_id(version),
        "name": f"{version.program.slug}-v{version.number}",
        "description": f"Application form for {version.program.name}",
        "version": str(version.number),
        "latest": latest,
    }


def eform(version, *, latest: bool) -> dict:
    return {**eform_item(version, latest=latest), "schema": json_schema(version.form)}


_TYPES = {
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "yes_no": {"type": "string", "enum": ["yes", "no"]},
    "text": {"type": "string"},
}


def json_schema(form: dict) -> dict:
    """The application form as a JSON Schema: one property per question."""
    properties = {}
    required = []
    for question in form.get("questions", []):
        kind = dict(_TYPES.get(question.get("type"), {"type": "string"}))
        if "min" in question:
            kind["minimum"] = question["min"]
        if "max" in question:
            kind["maximum"] = question["max"]
        if "max_length" in question:
            kind["maxLength"] = question["max_length"]
        if question.get("choices"):
            kind["enum"] = [c["value"] if isinstance(c, dict) else c for c in question["choices"]]
        kind["title"] = question.get("label", question["name"])
        if question.get("hint"):
            kind["description"] = question["hint"]
        properties[question["name"]] = kind
        if question.get("required", True) and not question.get("show_if"):
            required.append(question["name"])
    documents = {
        d["name"]: {"type": "string", "title": d.get("label", d["name"]), "format": "uri"}
        for d in form.get("documents", [])
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": properties,
        "required": required,
        "x-documents": documents,
    }


def applicant_id(application) -> str:
    if application.person is not None:
        return application.person.national_id
    return user_id(application.applicant)


def application_file(application) -> dict:
    program = application.program
    return {
        "fileId": application.reference,
        "applicantId": applicant_id(application),
        "registered": when(application.submitted_at or application.created_at),
        "serviceId": service_id(program),
        "serviceName": program.name,
        "status": status_of(application),
        "ended": application.status in FINAL,
        "applicationData": {
            "applicationName": program.name,
            "applicantId": applicant_id(application),
            "created": when(application.created_at),
            "formData": {
                # the document wants every value to be an object: {"name": {"value": ...}}
                "data": {name: {"value": value} for name, value in application.answers.items()},
                "eFormId": eform_id(application.program_version),
            },
            "documentUrls": [f"urn:civitas:document:{d.pk}" for d in application.documents.all()],
        },
    }


def application_list_item(application, main_task) -> dict:
    program = application.program
    return {
        "fileId": application.reference,
        "mainTaskId": str(main_task.public_id) if main_task else "",
        "taskTitle": f"{program.name} {application.reference}",
        "roleId": "",
        "roleName": "Caseworker",
        "assigneeId": user_id(main_task.assignee) if main_task and main_task.assignee else "",
        "operatorName": str(main_task.assignee) if main_task and main_task.assignee else "",
        "status": status_of(application),
        "applicantId": applicant_id(application),
        "created": when(application.created_at),
        "registered": when(application.submitted_at),
        "description": program.summary,
        "serviceName": program.name,
        "serviceId": service_id(program),
        "eformId": eform_id(application.program_version),
        "documentUrls": [f"urn:civitas:document:{d.pk}" for d in application.documents.all()],
        "additionalMeta": {"data": {}},
    }


def user_task(task) -> dict:
    application = task.application
    body = {
        "taskId": str(task.public_id),
        "mainTaskId": str(task.public_id),
        "name": task.get_kind_display(),
        "assigneeId": user_id(task.assignee) if task.assignee else "",
        "roleId": "supervisor" if task.kind == "second_approval" else "caseworker",
        "created": when(task.created_at),
        "description": f"due {task.due_at.date().isoformat()}",
        "fileId": application.reference if application else "",
        "status": task_status(task),
    }
    if application is not None:
        body.update(
            serviceId=service_id(application.program),
            serviceName=application.program.name,
            eFormId=eform_id(application.program_version),
        )
    return body


def data_user_task(task) -> dict:
    body = user_task(task)
    body["taskName"] = body.pop("name")
    body.pop("mainTaskId")
    application = task.application
    body["formVariables"] = {
        "decision": {"outcome": ["approve", "reject"], "reason": "text", "rule": "text"}
        if task.kind == "review"
        else {"agree": [True, False], "note": "text"}
        if task.kind == "second_approval"
        else {"upheld": [True, False], "reason": "text"}
        if task.kind == "appeal"
        else {"resolved": [True, False], "response": "text"}
    }
    body["data"] = {"answers": dict(application.answers)} if application else {}
    return body
