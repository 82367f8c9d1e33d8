"""The template form: one page per parameters page, then a review, then the run."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from portal.views import HtmxPageMixin

from .. import pickers, submission
from ..form_fields import build_fields
from ..parameters import parameter_pages, secret_fields, template_body_of, unknown_ui_fields
from ..template_catalog import card_of, get_template
from ..wizard import ACTIONS, BadState, Step, first_step, move, read_state, review_rows, sign_state


def _template_or_404(namespace: str, name: str):
    template = get_template(namespace, name)
    if template is None:
        raise Http404("No such template")
    return template


class TemplateFormView(LoginRequiredMixin, HtmxPageMixin, View):
    """GET shows the first step; every POST is a move (next, back, refresh, goto, create)."""

    template_name = "scaffolder/template_form.html"
    partial_name = "scaffolder/partials/form_step.html"

    def get(self, request: HttpRequest, namespace: str, name: str) -> HttpResponse:
        template = _template_or_404(namespace, name)
        return self.show(request, template, first_step(template.body))

    def post(self, request: HttpRequest, namespace: str, name: str) -> HttpResponse:
        template = _template_or_404(namespace, name)
        body = template.body
        try:
            values = read_state(template.ref, request.POST.get("state", ""))
        except BadState as error:
            step = first_step(body)
            step.form_error = str(error)
            return self.show(request, template, step)
        # The review's "Change" buttons send only ``goto``: a button submits its own name alone.
        action = request.POST.get("action") or ("goto" if "goto" in request.POST else "")
        action = action if action in ACTIONS else "refresh"
        index = _int(request.POST.get("step"))
        step = move(body, index, action, request.POST, values, request.user)
        if step.ready:
            try:
                task_id = submission.submit(template, step.values, request.user, dry_run=step.dry_run)
            except submission.SubmissionRefused as refused:
                step.errors = {error.field: error.for_form for error in refused.errors}
                said = [f"{item.field}: {item.for_form}" if item.field else item.for_form for item in refused.errors]
                step.form_error = "The run was refused: " + "; ".join(said[:5])
                return self.show(request, template, step)
            return redirect(reverse("scaffolder:task_detail", args=[task_id]))
        return self.show(request, template, step)

    def show(self, request: HttpRequest, template, step: Step) -> HttpResponse:
        body = template_body_of(template)
        pages = parameter_pages(body)
        is_review = step.index >= len(pages)
        context: dict[str, Any] = {
            "template": card_of(template),
            "pages": pages,
            "step": step,
            "is_review": is_review,
            "state": sign_state(template.ref, step.values),
            "problems": unknown_ui_fields(body),
            "labels": _button_labels(body),
            "action_url": request.path,
            "form_level_error": step.errors.get(""),
        }
        if is_review:
            secrets = secret_fields(body)
            context["review"] = [(page, review_rows(page, step.values, secrets)) for page in pages]
        else:
            page = pages[step.index]
            context["page"] = page
            context["fields"] = build_fields(page, step.values, step.errors, template.ref, request.user)
        # Only a refresh (a picker's dependent field) swaps the step in place; other moves are whole pages.
        return self.render_page(context, fragment=self.is_htmx() and request.POST.get("action") == "refresh")


def _button_labels(body: dict[str, Any]) -> dict[str, str]:
    spec = body.get("spec") or {}
    presentation = spec.get("presentation") if isinstance(spec.get("presentation"), dict) else {}
    labels = presentation.get("buttonLabels") if isinstance(presentation.get("buttonLabels"), dict) else {}
    return {
        "back": str(labels.get("backButtonText") or "Back"),
        "review": str(labels.get("reviewButtonText") or "Review"),
        "create": str(labels.get("createButtonText") or "Create"),
    }


def _int(text: Any) -> int:
    try:
        return int(str(text))
    except ValueError:
        return 0


class PickerOptionsView(LoginRequiredMixin, View):
    """Suggestions for a picker as ``<option>`` elements, for the text input's datalist (htmx); the
    personal pickers (OwnedEntityPicker, MyGroupsPicker) suggest only what the signed-in person may choose."""

    def get(self, request: HttpRequest, namespace: str, name: str, field: str) -> HttpResponse:
        template = _template_or_404(namespace, name)
        ui = _field_ui(template.body, field)
        if ui is None or not pickers.is_picker(ui):
            raise Http404("No such picker")
        text = (request.GET.get(field) or request.GET.get(f"{field}.add") or request.GET.get("q", ""))[:100]
        if ui.get("ui:field") in pickers.MULTI_PICKER_FIELDS:
            # A multiple picker's "add" input may hold several items: suggest for the last one typed.
            text = text.replace(",", " ").split(" ")[-1]
        choices = pickers.picker_choices(ui, text=text.strip(), limit=pickers.SUGGESTION_LIMIT, user=request.user)
        return render(request, "scaffolder/partials/picker_options.html", {"choices": choices})


def _field_ui(body: dict[str, Any], field: str) -> dict[str, Any] | None:
    for page in parameter_pages(body):
        ui = page.ui_schema
        for part in field.split("."):
            ui = ui.get(part) if isinstance(ui, dict) else None
        if isinstance(ui, dict):
            return ui
    return None
