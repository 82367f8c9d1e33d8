"""A signed-in person's own pages: their profile (who they are in the catalog) and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views import View

from portal.forms import ApiTokenForm
from portal.identity import identity_entity, ownership_refs
from portal.models import ApiToken
from portal.permissions import is_platform_admin
from portal.services.tokens import issue_token, revoke_token
from portal.throttles import TokenIssueThrottle


class ProfileView(LoginRequiredMixin, View):
    """The account, the catalog User entity it resolves to, and the groups that make "owned by me"."""

    def get(self, request: HttpRequest) -> HttpResponse:
        refs = ownership_refs(request.user)
        entity = identity_entity(refs[0]) if refs else None
        context = {
            "entity": entity,
            "group_refs": refs[1:],
            "is_platform_admin": is_platform_admin(request.user),
            "identity_annotation": settings.IDENTITY_ANNOTATION,
        }
        return render(request, "portal/profile.html", context)


class ApiTokenListView(LoginRequiredMixin, View):
    """List one's own tokens and issue a new one; the plain token is in that one response only."""

    template_name = "portal/api_tokens.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, ApiTokenForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiTokenForm(request.POST)
        throttle = TokenIssueThrottle()
        if not throttle.allow_request(request, self):
            wait = int(throttle.wait() or 0)
            form.add_error(None, f"Too many tokens issued recently: try again in {wait} seconds.")
            response = self.render_page(request, form, status=429)
            response["Retry-After"] = str(wait)
            return response
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        token, plain_token = issue_token(request.user, form.cleaned_data["name"], expires_at=form.expires_at)
        # Rendered, not redirected: the plain token must not travel through the session or a cookie.
        response = self.render_page(request, ApiTokenForm(), issued=token, plain_token=plain_token)
        add_never_cache_headers(response)
        return response

    def render_page(self, request: HttpRequest, form: ApiTokenForm, status: int = 200, **extra) -> HttpResponse:
        context = {"form": form, "tokens": ApiToken.objects.filter(user=request.user), **extra}
        return render(request, self.template_name, context, status=status)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    """Revoke one of one's own tokens; another person's token is not found (404), not forbidden."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        if token.is_revoked:
            messages.info(request, f"The token {token.prefix}… was already revoked.")
        else:
            revoke_token(token)
            messages.success(request, f"The token {token.prefix}… ({token.name}) is revoked.")
        return redirect("accounts:tokens")


def not_offered(request: HttpRequest) -> HttpResponse:
    """A third-party route the portal does not offer (a 404 for every method)."""
    raise Http404("not offered by this portal")
