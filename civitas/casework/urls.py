from django.urls import path

from civitas.casework.views import case, corrections, enrolment, queue, redress

app_name = "casework"
urlpatterns = [
    path("", queue.queue, name="queue"),
    path("redress/", queue.redress_queue, name="redress_queue"),
    path("queue/bulk/", queue.bulk, name="bulk"),
    path("queue/share-out/", queue.share_out, name="share_out"),
    path("cases/<str:reference>/", case.case, name="case"),
    path("cases/<str:reference>/take/", case.take, name="take"),
    path(
        "cases/<str:reference>/request-information/",
        case.request_information,
        name="request_information",
    ),
    path(
        "cases/<str:reference>/information-received/",
        case.information_received,
        name="information_received",
    ),
    path("cases/<str:reference>/second-approval/", case.second_approval, name="second_approval"),
    path("cases/<str:reference>/documents/<int:document_id>/", case.document, name="document"),
    path("cases/<str:reference>/letter/", case.letter, name="letter"),
    path("cases/<str:reference>/letter.pdf", case.letter_pdf_view, name="letter_pdf"),
    path("appeals/<str:reference>/", redress.appeal, name="appeal"),
    path("complaints/<str:reference>/", redress.grievance, name="grievance"),
    path("enrolment/proactive/", enrolment.runs, name="proactive"),
    path("enrolment/proactive/<int:run_id>/", enrolment.run, name="proactive_run"),
    path("corrections/", corrections.queue, name="corrections"),
    path("corrections/<int:pk>/", corrections.resolve, name="correction"),
]
