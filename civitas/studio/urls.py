from django.urls import path

from civitas.studio import views

app_name = "studio"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_programme, name="new_programme"),
    path("programmes/<slug:slug>/new-version/", views.new_version, name="new_version"),
    path("versions/<int:version_id>/", views.version, name="version"),
    path("versions/<int:version_id>/rules/", views.edit_rules, name="rules"),
    path("versions/<int:version_id>/form/", views.edit_form, name="form"),
    path("versions/<int:version_id>/details/", views.edit_details, name="details"),
    path("versions/<int:version_id>/tests/", views.tests, name="tests"),
    path("versions/<int:version_id>/simulate/", views.simulate, name="simulate"),
    path("simulations/<int:simulation_id>.csv", views.simulation_csv, name="simulation_csv"),
    path("simulations/<int:simulation_id>/consult/", views.consult, name="consult"),
    path("versions/<int:version_id>/submit/", views.submit, name="submit"),
    path("versions/<int:version_id>/review/", views.review, name="review"),
]
