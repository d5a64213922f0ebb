from django.urls import path

from civitas.payments import views

app_name = "payments"
urlpatterns = [
    path("", views.cycles, name="cycles"),
    path("cycles/<int:cycle_id>/", views.cycle, name="cycle"),
    path("cycles/<int:cycle_id>/approve/", views.approve, name="approve"),
    path("cycles/<int:cycle_id>/issue/", views.issue, name="issue"),
    path("cycles/<int:cycle_id>/results/", views.results, name="results"),
    path("batches/<int:batch_id>/file/", views.batch_file, name="batch_file"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
