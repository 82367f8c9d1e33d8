"""Admin screens for API tokens (issue one, shown once; see when each was used; revoke), the audit log,
and accounts and groups (Django's screens, saving through ``portal.services.accounts``)."""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers

from .admin_bases import ReadOnlyAdmin
from .models import ApiToken, AuditEvent
from .permissions import is_platform_admin
from .services import accounts
from .services.tokens import delete_token, issue_token, revoke_token, update_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "name",
        "user",
        "is_service_account",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_select_related = ("user",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), ("expires_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    actions = ("revoke",)
    issued_template = "admin/portal/apitoken/token_issued.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name", "expires_at")
        return ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # The owner and the secret are fixed at issue; a new owner means a new token.
        return ("user", "prefix", "created_at", "last_used_at", "revoked_at")

    @admin.display(boolean=True, description="service account")
    def is_service_account(self, obj: ApiToken) -> bool:
        # A service account is a user who cannot sign in with a password (see ApiToken).
        return not obj.user.has_usable_password()

    def save_model(self, request, obj, form, change):
        if change:
            update_token(obj, form.changed_data)
            return
        token, plain_token = issue_token(obj.user, obj.name, expires_at=obj.expires_at)
        obj.pk, obj.prefix, obj.digest = token.pk, token.prefix, token.digest
        obj.created_at = token.created_at
        obj._state.adding = False
        # Kept in memory for the response that shows it; never saved.
        obj.plain_token = plain_token

    def delete_model(self, request, obj):
        delete_token(obj)

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            delete_token(token)

    def response_add(self, request, obj, post_url_continue=None):
        # The plain token is rendered into this response only, not put in a message: messages
        # live in a cookie or the session until read.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "API token issued",
            "token": obj,
            "plain_token": obj.plain_token,
        }
        response = TemplateResponse(request, self.issued_template, context)
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke selected API tokens", permissions=["change"])
    def revoke(self, request, queryset):
        tokens = [token for token in queryset if token.revoked_at is None]
        for token in tokens:
            revoke_token(token)
        messages.success(request, f"{len(tokens)} API token(s) revoked")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log, for platform admins only, and read-only: a log that can be edited proves nothing."""

    list_display = ("created_at", "actor", "channel", "action", "target", "token_prefix", "remote_address")
    list_filter = ("action", "channel", "actor", ("created_at", admin.DateFieldListFilter))
    search_fields = ("target",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_module_permission(self, request) -> bool:
        return is_platform_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_platform_admin(request.user)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" form, storing the password through the accounts service."""

    def save(self, commit: bool = True):
        user = self.set_password_and_save(self.user, commit=False)
        return accounts.save_account_password(user) if commit else user


class AccountAdmin(auth_admin.UserAdmin):
    """Django's account screens; each save or delete records one audit event."""

    change_password_form = AuditedPasswordChangeForm

    def save_model(self, request, obj, form, change):
        accounts.save_account(obj, created=not change, changed_fields=form.changed_data)

    def save_related(self, request, form, formsets, change):
        accounts.save_account_relations(form)

    def delete_model(self, request, obj):
        accounts.delete_account(obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            accounts.delete_account(user)


class GroupAdmin(auth_admin.GroupAdmin):
    def save_model(self, request, obj, form, change):
        accounts.save_group(obj, created=not change, changed_fields=form.changed_data)

    def save_related(self, request, form, formsets, change):
        accounts.save_account_relations(form)

    def delete_model(self, request, obj):
        accounts.delete_group(obj)

    def delete_queryset(self, request, queryset):
        for group in queryset:
            accounts.delete_group(group)


for _model, _admin in ((get_user_model(), AccountAdmin), (Group, GroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
