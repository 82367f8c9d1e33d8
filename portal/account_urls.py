"""A signed-in person's own pages, beside allauth's under ``/accounts/``."""

from django.urls import path

from . import account_views

app_name = "accounts"

urlpatterns = [
    path("profile/", account_views.ProfileView.as_view(), name="profile"),
    path("tokens/", account_views.ApiTokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", account_views.ApiTokenRevokeView.as_view(), name="token_revoke"),
    # allauth's Google One Tap endpoint is exempt from CSRF and fails with a 500 when Google is not
    # configured; Greenroom signs in with Google through the ordinary redirect flow only.
    path("google/login/token/", account_views.not_offered, name="google_login_by_token"),
]
