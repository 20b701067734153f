"""The upload page's answer to more files than a request may carry."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import TooManyFilesSent
from django.shortcuts import redirect

UPLOAD_URL_NAME = "meetings_sourcedocument_import"


def too_many_files_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
    return (
        f"You chose more than {limit} files. Upload at most {limit} files at a time: "
        "choose the rest in another upload."
    )


class TooManyFilesMiddleware:
    """Send an upload of more files than ``DATA_UPLOAD_MAX_NUMBER_FILES`` back to the upload
    page with a message saying how many are allowed.

    Django refuses such a request while reading its body, and the first to read it is the CSRF
    check, before any view runs: the admin would otherwise see a bare "Bad Request". This
    reads the body first (placed before ``CsrfViewMiddleware``), for the upload page only.
    Nothing is stored: the files are dropped unread and the page is shown again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.url_name != UPLOAD_URL_NAME:
            return None
        try:
            request.FILES  # noqa: B018 (read here, where the error can be answered)
        except TooManyFilesSent:
            messages.error(request, too_many_files_message())
            return redirect(request.path)
        return None
