"""The portal's URLs plus a stand-in task page, for tests run before the task pages exist."""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns
from scaffolder.urls import urlpatterns as scaffolder_urlpatterns


def task_page(request, task_id):
    return HttpResponse(f"task {task_id}")


scaffolder_with_task_page = (
    [*scaffolder_urlpatterns, path("create/tasks/<uuid:task_id>/", task_page, name="task_detail")],
    "scaffolder",
)
urlpatterns = [
    path("", include(scaffolder_with_task_page)),
    *[pattern for pattern in portal_urlpatterns if getattr(pattern, "namespace", None) != "scaffolder"],
]
