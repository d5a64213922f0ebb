from django.urls import path

from civitas.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("apply/<slug:slug>/", views.apply, name="apply"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/confirmation/", views.confirmation, name="confirmation"),
    path("<str:reference>/withdraw/", views.withdraw, name="withdraw"),
]
