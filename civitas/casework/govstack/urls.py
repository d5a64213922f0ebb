"""/govstack/registration/... (GovStack Registration building block API)."""

from django.urls import path

from civitas.casework.govstack import views

app_name = "govstack"
urlpatterns = [
    path("services", views.service_list, name="services"),
    path("services/<str:service>", views.service_detail, name="service"),
    path("services/<str:service>/eForms", views.service_eforms, name="service_eforms"),
    path("services/<str:service>/applications", views.submit, name="submit"),
    path("eForms/<str:eform>", views.eform_detail, name="eform"),
    path("documents", views.upload_document, name="documents"),
    path("applications", views.application_list, name="applications"),
    path("applications/<str:reference>", views.application_detail, name="application"),
    path("tasks", views.task_list, name="tasks"),
    path("tasks/<str:task>", views.task_detail, name="task"),
    path("tasks/<str:task>/complete", views.task_complete, name="task_complete"),
    path("data/statistics", views.statistics, name="statistics"),
]
