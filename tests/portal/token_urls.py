"""A throwaway endpoint on the project's default authentication and permission classes."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView


class WhoAmIView(APIView):
    """Answers with the caller; reads and writes follow ``CatalogAccess`` like every catalog endpoint."""

    def get(self, request):
        return Response(self.describe(request))

    def post(self, request):
        return Response(self.describe(request))

    @staticmethod
    def describe(request) -> dict:
        return {
            "user": request.user.get_username() if request.user.is_authenticated else None,
            "token": request.auth.name if request.auth is not None else None,
        }


urlpatterns = [path("whoami/", WhoAmIView.as_view())]
