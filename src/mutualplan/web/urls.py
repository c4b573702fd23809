"""The web app's pages: seller workspace and buyer share view."""

from django.contrib.auth import views as auth_views
from django.urls import path

from mutualplan.web.views import (
    account,
    buyer,
    call,
    dashboard,
    people,
    plans,
    seller,
    workspace,
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", account.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("workspace/", account.switch_workspace, name="switch_workspace"),
    path("settings/", workspace.workspace_settings, name="workspace_settings"),
    path("settings/tokens/", account.tokens, name="tokens"),
    path("plans/new/", plans.new_plan, name="new_plan"),
    path("plans/<int:plan_id>/", plans.plan_page, name="plan"),
    path("plans/<int:plan_id>/timeline/", plans.timeline_page, name="plan_timeline"),
    path("plans/<int:plan_id>/fragments/<slug:name>/", plans.plan_fragment, name="plan_fragment"),
    path("plans/<int:plan_id>/call/", call.call_page, name="plan_call"),
    path("plans/<int:plan_id>/call/log/", call.log_call, name="log_call"),
    path("plans/<int:plan_id>/retarget/", plans.retarget, name="retarget"),
    path("plans/<int:plan_id>/send/", plans.send_version, name="send_version"),
    path("plans/<int:plan_id>/send-email/", plans.send_to_buyer, name="send_to_buyer"),
    path("plans/<int:plan_id>/contact/", plans.set_contact, name="set_contact"),
    path("plans/<int:plan_id>/rows/", seller.row_fragment, name="rows"),
    path("plans/<int:plan_id>/rows/add/", seller.add_row, name="add_row"),
    path("plans/<int:plan_id>/rows/reorder/", seller.reorder_rows, name="reorder_rows"),
    path("plans/<int:plan_id>/rows/<int:row_id>/", seller.row_fragment, name="row"),
    path("plans/<int:plan_id>/rows/<int:row_id>/edit/", seller.edit_row, name="edit_row"),
    path("plans/<int:plan_id>/rows/<int:row_id>/delete/", seller.delete_row, name="delete_row"),
    path("plans/<int:plan_id>/rows/<int:row_id>/comment/", seller.comment_row, name="comment_row"),
    path("plans/<int:plan_id>/share-links/", seller.create_share_link, name="create_share_link"),
    path("plans/<int:plan_id>/stakeholders/add/", people.add_stakeholder, name="add_stakeholder"),
    path(
        "plans/<int:plan_id>/stakeholders/<int:stakeholder_id>/edit/",
        people.edit_stakeholder,
        name="edit_stakeholder",
    ),
    path(
        "plans/<int:plan_id>/stakeholders/<int:stakeholder_id>/remove/",
        people.remove_stakeholder,
        name="remove_stakeholder",
    ),
    path("share-links/<int:link_id>/revoke/", seller.revoke_share_link, name="revoke_share_link"),
    path("s/<str:token>/", buyer.shared_plan, name="shared_plan"),
    path("s/<str:token>/rows/", buyer.row_fragment, name="shared_rows"),
    path("s/<str:token>/rows/add/", buyer.add_row, name="shared_add_row"),
    path("s/<str:token>/rows/<int:row_id>/", buyer.row_fragment, name="shared_row"),
    path("s/<str:token>/rows/<int:row_id>/edit/", buyer.edit_row, name="shared_edit_row"),
    path("s/<str:token>/rows/<int:row_id>/comment/", buyer.comment_row, name="shared_comment_row"),
    path("s/<str:token>/fragments/<slug:name>/", buyer.shared_fragment, name="shared_fragment"),
    path("s/<str:token>/confirm/", buyer.confirm, name="shared_confirm"),
]
