"""URLs of e-participation, mounted at /participate/."""

from django.urls import path

from civitas.participation.views import (
    budgets,
    comments,
    consultations,
    conversations,
    proposals,
    setup,
    staff,
    surveys,
)

app_name = "participation"
urlpatterns = [
    path("", consultations.index, name="index"),
    # consultations, their documents, impact and comments
    path("consultations/<slug:slug>/", consultations.consultation, name="consultation"),
    path(
        "consultations/<slug:slug>/documents/<slug:document_slug>/",
        consultations.document,
        name="document",
    ),
    path("consultations/<slug:slug>/impact/", consultations.impact, name="impact"),
    path("consultations/<slug:slug>/comments/", consultations.post_comment, name="comment"),
    path("comments/<int:pk>/reply/", comments.reply, name="reply"),
    path("comments/<int:pk>/endorse/", comments.endorse, name="endorse"),
    path("report/<str:kind>/<int:pk>/", comments.report, name="report"),
    path("moderation/", comments.moderation_policy, name="moderation-policy"),
    path("moderation/log/", comments.moderation_log, name="moderation-log"),
    # proposals
    path("proposals/", proposals.proposals, name="proposals"),
    path("proposals/new/", proposals.new_proposal, name="proposal-new"),
    path("proposals/<int:pk>/", proposals.proposal, name="proposal"),
    path("proposals/<int:pk>/support/", proposals.support, name="support"),
    path("proposals/<int:pk>/comments/", proposals.post_comment, name="proposal-comment"),
    # surveys
    path("surveys/<slug:slug>/", surveys.survey, name="survey"),
    path("surveys/<slug:slug>/results/", surveys.survey_results, name="survey-results"),
    # participatory budgets
    path("budgets/<slug:slug>/", budgets.budget, name="budget"),
    path("budgets/<slug:slug>/vote/", budgets.vote, name="vote"),
    path("budgets/<slug:slug>/results/", budgets.results, name="budget-results"),
    path(
        "budgets/<slug:slug>/results/<slug:region>/verification/",
        budgets.verification,
        name="verification",
    ),
    path("budgets/<slug:slug>/<slug:region>.pb", budgets.export_pb, name="budget-pb"),
    # opinion maps
    path("conversations/<slug:slug>/", conversations.conversation, name="conversation"),
    path(
        "conversations/<slug:slug>/statements/<int:pk>/vote/",
        conversations.vote,
        name="statement-vote",
    ),
    path(
        "conversations/<slug:slug>/statements/",
        conversations.add_statement,
        name="statement-add",
    ),
    path("conversations/<slug:slug>/map/", conversations.opinion_map, name="opinion-map"),
    # back office
    path("staff/", staff.index, name="staff"),
    path("staff/moderation/", staff.moderation, name="staff-moderation"),
    path("staff/moderation/<str:kind>/<int:pk>/", staff.moderate, name="staff-moderate"),
    path("staff/proposals/<int:pk>/answer/", staff.answer, name="staff-answer"),
    path("staff/consultations/new/", staff.new_consultation, name="staff-consultation-new"),
    path("staff/consultations/<slug:slug>/", staff.consultation, name="staff-consultation"),
    path(
        "staff/consultations/<slug:slug>/details/",
        setup.edit_consultation,
        name="staff-consultation-edit",
    ),
    path("staff/budgets/import/", staff.import_budget, name="staff-budget-import"),
    path("staff/budgets/new/", setup.new_budget, name="staff-budget-new"),
    path("staff/budgets/<slug:slug>/", staff.budget, name="staff-budget"),
    path("staff/budgets/<slug:slug>/settings/", setup.edit_budget, name="staff-budget-edit"),
    path(
        "staff/budgets/<slug:slug>/<slug:region>/projects/new/",
        setup.new_project,
        name="staff-project-new",
    ),
    path(
        "staff/budgets/<slug:slug>/<slug:region>/projects/<str:code>/",
        setup.edit_project,
        name="staff-project",
    ),
    path("staff/surveys/new/", setup.new_survey, name="staff-survey-new"),
    path("staff/surveys/<slug:slug>/", setup.survey, name="staff-survey"),
    path("staff/surveys/<slug:slug>/details/", setup.edit_survey, name="staff-survey-edit"),
    path("staff/conversations/new/", setup.new_conversation, name="staff-conversation-new"),
    path("staff/conversations/<slug:slug>/", setup.conversation, name="staff-conversation"),
    path(
        "staff/conversations/<slug:slug>/details/",
        setup.edit_conversation,
        name="staff-conversation-edit",
    ),
    path("staff/surveys/<slug:slug>/status/", staff.survey_status, name="staff-survey-status"),
    path(
        "staff/conversations/<slug:slug>/status/",
        staff.conversation_status,
        name="staff-conversation-status",
    ),
]
