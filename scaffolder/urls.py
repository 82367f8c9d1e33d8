"""The Software templates pages."""

from django.urls import path

from .views.create import TemplateListView
from .views.form import PickerOptionsView, TemplateFormView

app_name = "scaffolder"

urlpatterns = [
    path("create/", TemplateListView.as_view(), name="template_list"),
    path("create/templates/<str:namespace>/<str:name>/", TemplateFormView.as_view(), name="template_form"),
    path(
        "create/templates/<str:namespace>/<str:name>/pickers/<str:field>/",
        PickerOptionsView.as_view(),
        name="picker_options",
    ),
]
