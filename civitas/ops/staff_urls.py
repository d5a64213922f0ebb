"""The data-protection officer's pages, mounted at /staff/privacy/ (see privacy_views.py)."""

from django.urls import path

from civitas.ops import privacy_views as views

app_name = "privacy"
urlpatterns = [
    path("", views.find, name="find"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/erase/", views.erase_person, name="person_erase"),
    path("people/<int:pk>/export/", views.export_person, name="person_export"),
    path("accounts/<int:pk>/", views.account, name="account"),
    path("accounts/<int:pk>/erase/", views.erase_account, name="account_erase"),
    path("accounts/<int:pk>/export/", views.export_account, name="account_export"),
    path("erasures/<int:seq>/", views.done, name="done"),
]
