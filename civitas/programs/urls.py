from django.urls import path

from civitas.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<slug:slug>/", views.start, name="start"),
]
