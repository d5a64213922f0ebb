from django.urls import path

from civitas.applications.views import applying, assisted, documents, following

app_name = "applications"
urlpatterns = [
    path("", following.mine, name="mine"),
    path("apply/<slug:slug>/", applying.apply, name="apply"),
    path("on-behalf/", assisted.find_person, name="on_behalf"),
    path("on-behalf/<str:token>/", assisted.start, name="on_behalf_start"),
    path("<str:reference>/", applying.detail, name="detail"),
    path("<str:reference>/registry/", applying.prefill, name="prefill"),
    path("<str:reference>/questions/<str:page>/", applying.question, name="question"),
    path("<str:reference>/documents/", applying.documents, name="documents"),
    path("<str:reference>/documents/<str:name>/upload/", applying.upload, name="upload"),
    path("<str:reference>/documents/<int:document_id>/", documents.download, name="document"),
    path(
        "<str:reference>/documents/<int:document_id>/remove/",
        applying.remove_document,
        name="remove_document",
    ),
    path("<str:reference>/check/", applying.check, name="check"),
    path("<str:reference>/confirmation/", applying.confirmation, name="confirmation"),
    path("<str:reference>/discard/", applying.discard, name="discard"),
    path("<str:reference>/reply/", following.respond, name="respond"),
    path("<str:reference>/withdraw/", following.withdraw, name="withdraw"),
]
