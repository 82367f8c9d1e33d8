"""The Software templates pages: runs and their history (the Create page lives beside them)."""

from django.urls import path

from . import views

app_name = "scaffolder"

urlpatterns = [
    path("create/tasks/", views.TaskListView.as_view(), name="task_list"),
    path("create/tasks/<uuid:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("create/tasks/<uuid:pk>/cancel/", views.TaskCancelView.as_view(), name="task_cancel"),
    path("create/tasks/<uuid:pk>/retry/", views.TaskRetryView.as_view(), name="task_retry"),
]
