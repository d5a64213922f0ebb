from django.urls import path

from civitas.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/<str:reference>/", views.case, name="case"),
]
