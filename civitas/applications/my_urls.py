"""A person's own pages, mounted at /my/."""

from django.urls import path

from civitas.applications.views import my

app_name = "my"
urlpatterns = [
    path("data/", my.data, name="data"),
    path("data.json", my.data_json, name="data_json"),
    path("data/correction/", my.correction, name="correction"),
    path("messages/", my.inbox, name="messages"),
    path("api-access/", my.tokens, name="tokens"),
    path("api-access/<int:token_id>/revoke/", my.revoke_token, name="revoke_token"),
]
