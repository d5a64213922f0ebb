from django.urls import path

from civitas.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/check/", views.check_start, name="check_start"),
    path("<slug:slug>/check/result/", views.check_result, name="check_result"),
    path("<slug:slug>/check/<str:page>/", views.check_question, name="check_question"),
]
