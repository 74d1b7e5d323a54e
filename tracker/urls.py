from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, register_converter

from tracker import account_views, audit_views, bulk_views, calendar_views, error_views, export_views, report_views, views, workbook_views, workflow_views


class RefConverter:
    """Commitment references such as HKBJ-4-6.5."""

    regex = r"[A-Za-z0-9][A-Za-z0-9.\-]{0,39}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RefConverter, "ref")

urlpatterns = [
    path("", views.home, name="home"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<str:code>/<int:number>/", views.session_detail, name="session-detail"),
    path("commitments/", views.CommitmentListView.as_view(), name="commitment-list"),
    # Bulk actions (POST only). Before commitments/<ref:ref>/, which "bulk" would also match.
    path("commitments/bulk/", bulk_views.commitments_bulk, name="commitment-bulk"),
    path("reviews/accept/", bulk_views.reviews_accept, name="reviews-accept"),
    path("commitments/<ref:ref>/", views.commitment_detail, name="commitment-detail"),
    path("commitments/<ref:ref>/update/", workflow_views.update_create, name="update-create"),
    path("commitments/<ref:ref>/manage/", workflow_views.commitment_manage, name="commitment-manage"),
    path("commitments/<ref:ref>/carry-forward/undo/", views.commitment_carry_forward_undo, name="commitment-carry-forward-undo"),
    path("updates/<int:pk>/", workflow_views.update_detail, name="update-detail"),
    path("updates/<int:pk>/edit/", workflow_views.update_edit, name="update-edit"),
    path("updates/<int:pk>/review/", workflow_views.update_review, name="update-review"),
    path("updates/<int:pk>/withdraw/", workflow_views.update_withdraw, name="update-withdraw"),
    path("evidence/<int:pk>/", workflow_views.evidence_download, name="evidence-download"),
    path("my/", workflow_views.my_commitments, name="my-commitments"),
    path("exports/", export_views.export_job_list, name="export-job-list"),
    path("exports/new/", export_views.export_job_start, name="export-job-start"),
    path("exports/<uuid:pk>/", export_views.export_job_detail, name="export-job"),
    path("exports/<uuid:pk>/download/", export_views.export_job_download, name="export-job-download"),
    path("my/workbook/", workbook_views.my_workbook, name="my-workbook"),
    path("my/upload/", workbook_views.my_upload, name="my-upload"),
    # Open without signing in (calendar apps cannot): the token is the credential.
    path("calendar/<str:token>.ics", calendar_views.calendar_feed_ics, name="calendar-feed"),
    path("reviews/", workflow_views.review_queue, name="review-queue"),
    path("cycles/", workflow_views.cycle_list, name="cycle-list"),
    path("cycles/new/", workflow_views.cycle_create, name="cycle-create"),
    path("cycles/<int:pk>/", workflow_views.cycle_detail, name="cycle-detail"),
    path("cycles/<int:pk>/workbook/", workbook_views.cycle_workbook, name="cycle-workbook"),
    path("cycles/<int:pk>/upload/", workbook_views.cycle_upload, name="cycle-upload"),
    path("cycles/<int:pk>/remind/", workflow_views.cycle_remind, name="cycle-remind"),
    path("cycles/<int:pk>/close/", workflow_views.cycle_close, name="cycle-close"),
    path("cycles/<int:pk>/reopen/", workflow_views.cycle_reopen, name="cycle-reopen"),
    path("reports/", report_views.report_list, name="report-list"),
    path("reports/sessions/<str:code>/<int:number>/", report_views.session_report, name="session-report"),
    path("reports/sessions/<str:code>/<int:number>/snapshots/", report_views.snapshot_create, name="snapshot-create"),
    path("reports/sessions/<str:code>/<int:number>/compare/", report_views.snapshot_compare, name="snapshot-compare"),
    path("reports/mechanisms/<str:code>/", report_views.mechanism_report, name="mechanism-report"),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages (such as the admin's) that do not name an icon.
    path("favicon.ico", views.favicon),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", account_views.account, name="account"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", account_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"), name="password_reset_complete"),
    path("accounts/two-factor/", account_views.two_factor_verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", account_views.two_factor_enrol, name="two-factor-enrol"),
    path("accounts/two-factor/backup-codes/", account_views.two_factor_backup_codes, name="two-factor-backup-codes"),
    # The language can be chosen before signing in, on the login page.
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    path("admin/", admin.site.urls),
]

# Uploaded files are never served from MEDIA_URL: evidence goes through its permission-checked view.

# A refusal says why and whom to ask (templates/403.html).
handler403 = error_views.permission_denied
