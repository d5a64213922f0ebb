"""The citizen's redress pages, mounted at /appeals/."""

from django.urls import path

from civitas.casework.views import citizen

app_name = "redress"
urlpatterns = [
    path("", citizen.home, name="home"),
    path("complaint/", citizen.complaint, name="complaint"),
    path("decisions/<str:reference>/", citizen.appeal, name="appeal"),
    path("decisions/<str:reference>/letter/", citizen.letter, name="letter"),
    path("decisions/<str:reference>/letter.pdf", citizen.letter_pdf, name="letter_pdf"),
]
