"""The GovStack Registration building block API on Civitas's own services.

Mounted at ``/govstack/registration/``; shapes follow GovStackWorkingGroup/bb-registration
``api/GovStack_Registration_BB_API.json`` (services, eForms, applications, documents, tasks) and
``GovStack_Registration_BB_API_statistics.json`` (``/data/statistics``). Identifiers: a service is
a programme (UUID derived from its slug), an eForm a programme version, an application file an
application reference, a task a casework task's public UUID, an applicant their national ID.
"""
