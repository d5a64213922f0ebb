"""OAuth 2 endpoints for third-party apps, mounted at /oauth/."""

from django.urls import path

from civitas.applications.views import oauth

app_name = "oauth"
urlpatterns = [
    path("authorize/", oauth.authorize, name="authorize"),
    path("token/", oauth.token, name="token"),
    path("revoke/", oauth.revoke, name="revoke"),
]
