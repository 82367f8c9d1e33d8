"""The Software templates API (``/api/scaffolder/v2/``), with Backstage's paths."""

from django.urls import path

from . import views

urlpatterns = [
    path("tasks", views.TaskListView.as_view(), name="scaffolder-tasks"),
    path("tasks/<str:task_id>", views.TaskDetailView.as_view(), name="scaffolder-task"),
    path("tasks/<str:task_id>/events", views.TaskEventsView.as_view(), name="scaffolder-task-events"),
    path("tasks/<str:task_id>/eventstream", views.TaskEventStreamView.as_view(), name="scaffolder-task-eventstream"),
    path("tasks/<str:task_id>/cancel", views.TaskCancelView.as_view(), name="scaffolder-task-cancel"),
    path("tasks/<str:task_id>/retry", views.TaskRetryView.as_view(), name="scaffolder-task-retry"),
    path("dry-run", views.DryRunView.as_view(), name="scaffolder-dry-run"),
    path("actions", views.ActionListView.as_view(), name="scaffolder-actions"),
    path(
        "templates/<str:namespace>/<str:kind>/<str:name>/parameter-schema",
        views.ParameterSchemaView.as_view(),
        name="scaffolder-parameter-schema",
    ),
]
