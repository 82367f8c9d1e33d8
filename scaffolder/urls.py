"""The Software templates pages: the Create page, template forms, runs and their history."""

from django.urls import path

from .views.create import TemplateListView
from .views.form import PickerOptionsView, TemplateFormView
from .views.tasks import TaskCancelView, TaskDetailView, TaskListView, TaskRetryView
from .views.workspaces import TaskWorkspaceView

app_name = "scaffolder"

urlpatterns = [
    path("create/", TemplateListView.as_view(), name="template_list"),
    path("create/templates/<str:namespace>/<str:name>/", TemplateFormView.as_view(), name="template_form"),
    path(
        "create/templates/<str:namespace>/<str:name>/pickers/<str:field>/",
        PickerOptionsView.as_view(),
        name="picker_options",
    ),
    path("create/tasks/", TaskListView.as_view(), name="task_list"),
    path("create/tasks/<uuid:pk>/", TaskDetailView.as_view(), name="task_detail"),
    path("create/tasks/<uuid:pk>/cancel/", TaskCancelView.as_view(), name="task_cancel"),
    path("create/tasks/<uuid:pk>/retry/", TaskRetryView.as_view(), name="task_retry"),
    path(
        "create/tasks/<uuid:pk>/workspace.<str:archive_format>",
        TaskWorkspaceView.as_view(),
        name="task_workspace",
    ),
]
