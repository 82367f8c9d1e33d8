"""Webhook routes, relative to ``/api/catalog/``; ``catalog/api/urls.py`` includes them."""

from django.urls import path, register_converter

from .webhooks import GitProviderWebhookView, GitWebhookView


class ProviderConverter:
    """A forge name in the path; any other name is a 404."""

    regex = "github|gitlab|gitea|forgejo"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProviderConverter, "git_provider")

urlpatterns = [
    path("webhooks/git", GitWebhookView.as_view(), name="git-webhook"),
    path("webhooks/git/<git_provider:provider>", GitProviderWebhookView.as_view(), name="git-webhook-provider"),
]
