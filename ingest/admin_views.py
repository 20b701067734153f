"""Admin pages for importing minutes: upload, preview, confirm or cancel, download an original.

They hang off the source documents' admin (``SourceDocumentAdmin.get_urls``), behind the admin's
sign-in, and need the ``meetings.import_minutes`` permission. What happens to each file is in
``ingest.uploads``; these views only do form → service → message → redirect or render.
"""

import logging
from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from ingest import converters, services, topics, uploads
from meetings.models import SourceDocument, can_view_restricted
from meetings.views import original_file_response

logger = logging.getLogger(__name__)


def get_urls(model_admin) -> list:
    """URLs of these pages, named ``admin:meetings_sourcedocument_import`` and so on."""
    admin_site = model_admin.admin_site

    def wrap(view):
        def wrapper(request, *args, **kwargs):
            return view(request, model_admin, *args, **kwargs)

        # admin_view: staff only (others go to the sign-in page), never cached.
        return admin_site.admin_view(wrapper)

    prefix = f"{model_admin.opts.app_label}_{model_admin.opts.model_name}"
    return [
        path("import/", wrap(upload), name=f"{prefix}_import"),
        path("import/preview/", wrap(preview), name=f"{prefix}_import_preview"),
        path("<int:object_id>/original/", wrap(original), name=f"{prefix}_original"),
    ]


def _require_import_permission(request) -> None:
    if not uploads.can_import(request.user):
        raise PermissionDenied


# Forms


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MinutesFilesField(forms.Field):
    """Any number of files, each kept as received: the import gives each one its own verdict.

    ``forms.FileField`` would refuse the whole form for one empty file; here an empty file is
    recorded as failed, with its reason, like any other file that cannot be imported.
    """

    widget = MultipleFileInput
    default_error_messages = {"required": "Choose one or more minutes files."}

    def to_python(self, data):
        return [uploaded for uploaded in (data or []) if uploaded]

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class UploadForm(forms.Form):
    files = MinutesFilesField(
        label="Minutes files",
        widget=MultipleFileInput(attrs={"accept": ",".join(converters.ACCEPTED_SUFFIXES)}),
    )


class ConfirmForm(forms.Form):
    """One held upload on the preview: import it or not, and what the document does not state."""

    selected = forms.BooleanField(required=False, initial=True, label="Import this file")
    date = forms.DateField(
        required=False,
        label="Meeting date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The document states none. Leave it empty to import the meeting with its date "
        "unknown; it will then be listed as needing review.",
    )
    body = forms.CharField(
        required=False,
        max_length=300,
        label="Body",
        help_text='The document names none, e.g. "Safer Stockton Partnership".',
    )


# Views


@require_http_methods(["GET", "POST"])
def upload(request, model_admin):
    """Choose files; each is read at once and held for the preview, or refused with a reason."""
    _require_import_permission(request)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            documents = [uploads.receive(f, request.user) for f in form.cleaned_data["files"]]
            return redirect(_preview_url(model_admin, [document.pk for document in documents]))
    else:
        form = UploadForm()
    pending = list(uploads.pending_for(request.user))
    context = {
        **_context(request, model_admin, "Import minutes"),
        "form": form,
        "pending": pending,
        "pending_url": _preview_url(model_admin, [document.pk for document in pending]),
        "max_size": settings.MINUTES_MAX_BYTES,
        "max_files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        "accepted": "{}, or {}".format(
            ", ".join(converters.ACCEPTED_SUFFIXES[:-1]), converters.ACCEPTED_SUFFIXES[-1]
        ),
    }
    return TemplateResponse(request, "admin/ingest/upload.html", context)


@require_http_methods(["GET", "POST"])
def preview(request, model_admin):
    """What each held upload of a batch would store; confirm some or all, or cancel them."""
    _require_import_permission(request)
    ids = _ids(request.GET.get("ids", ""))
    documents = list(
        SourceDocument.objects.filter(
            pk__in=ids,
            imported_by=request.user,
            status__in=[SourceDocument.Status.PENDING, SourceDocument.Status.FAILED],
        )
        .defer("original_text")
        .order_by("pk")
    )
    pending = [d for d in documents if d.status == SourceDocument.Status.PENDING]
    rejected = [d for d in documents if d.status == SourceDocument.Status.FAILED]
    if not documents or (request.method == "POST" and not pending):
        messages.info(request, "These uploads have already been imported or cancelled.")
        return redirect(_upload_url(model_admin))

    forms_by_pk = {
        document.pk: ConfirmForm(
            request.POST if request.method == "POST" else None, prefix=f"file-{document.pk}"
        )
        for document in pending
    }
    if request.method == "POST":
        if "_cancel" in request.POST:
            cancelled = uploads.cancel([document.pk for document in pending], request.user)
            messages.info(request, f"Cancelled {_files(cancelled)}: nothing was imported.")
            return redirect(_upload_url(model_admin))
        if all(form.is_valid() for form in forms_by_pk.values()):
            chosen = [d for d in pending if forms_by_pk[d.pk].cleaned_data["selected"]]
            if chosen:
                _confirm(request, model_admin, chosen, forms_by_pk, rejected)
                left = [document.pk for document in pending if document not in chosen]
                uploads.cancel(left, request.user)
                return redirect(_upload_url(model_admin))
            messages.error(request, "Tick the files to import, or cancel them all.")

    terms = topics.topic_terms()
    show_restricted = can_view_restricted(request.user)
    previews = [
        (uploads.preview(d, terms, show_restricted=show_restricted), forms_by_pk[d.pk])
        for d in pending
    ]
    context = {
        **_context(request, model_admin, "Check the minutes before importing"),
        "previews": previews,
        "rejected": rejected,
        "show_restricted": show_restricted,
        "action_url": request.get_full_path(),
    }
    return TemplateResponse(request, "admin/ingest/preview.html", context)


def _confirm(request, model_admin, chosen, forms_by_pk, rejected) -> None:
    """Import each chosen upload in its own transaction, then say what became of each."""
    outcomes = []
    for document in chosen:
        data = forms_by_pk[document.pk].cleaned_data
        try:
            outcome = uploads.confirm(
                document.pk, request.user, body=data["body"], meeting_date=data["date"]
            )
        except Exception as exc:
            # Its transaction was rolled back: the upload is still held, original and all.
            logger.exception("Importing the upload %s failed", document.file_name)
            outcome = services.ImportOutcome(
                services.FAILED, document.file_name, f"unexpected error: {exc}"
            )
        if outcome is not None:  # None: confirmed or cancelled meanwhile, in another tab
            outcomes.append(outcome)

    counts = Counter(outcome.status for outcome in outcomes)
    counts[services.FAILED] += len(rejected)
    summary = ", ".join(f"{counts[status]} {status}" for status in services.OUTCOMES)
    level = messages.WARNING if counts[services.FAILED] else messages.SUCCESS
    messages.add_message(request, level, f"Minutes imported: {summary}.")
    for outcome in outcomes:
        if outcome.failed:
            messages.error(request, _failure_message(outcome.file_name, outcome.message))
        else:
            messages.success(request, _outcome_message(request, outcome))
    for document in rejected:
        messages.error(request, _failure_message(document.file_name, document.error))


def _failure_message(file_name: str, reason: str):
    # Messages start with a word of ours: the admin capitalises the first letter of each.
    return format_html("Failed: {} – {}", file_name, reason)


def _outcome_message(request, outcome: services.ImportOutcome):
    meeting = outcome.meeting
    message = format_html(
        '{}: {} → <a href="{}">{}</a>',
        outcome.status,
        outcome.file_name,
        meeting.get_absolute_url(),
        outcome.message,
    )
    if request.user.has_perm("meetings.view_meeting") or request.user.has_perm(
        "meetings.change_meeting"
    ):
        admin_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
        message = format_html('{} (<a href="{}">in the admin</a>)', message, admin_url)
    if outcome.needs_review:
        message = format_html("{}; needs review: {}", message, ", ".join(outcome.review_reasons))
    return message


@require_GET
def original(request, model_admin, object_id):
    """The file exactly as received, as a download that no browser will display or run."""
    document = get_object_or_404(SourceDocument.objects.defer("original_text"), pk=object_id)
    # The original holds the text of any restricted items.
    if not (
        model_admin.has_view_permission(request, document) and can_view_restricted(request.user)
    ):
        raise PermissionDenied
    if not len(document.original_bytes):
        raise Http404("No copy of this file was kept.")
    return original_file_response(document)


# Helpers


def _context(request, model_admin, title: str) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "upload_url": _upload_url(model_admin),
        "changelist_url": reverse("admin:meetings_sourcedocument_changelist"),
        "has_view_permission": model_admin.has_view_permission(request),
    }


def _upload_url(model_admin) -> str:
    return reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_import")


def _preview_url(model_admin, ids) -> str:
    name = f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_import_preview"
    return f"{reverse(name)}?ids={','.join(str(pk) for pk in ids)}"


def _ids(value: str) -> list[int]:
    # Digits a database id can hold: "²" is a digit to Python but no number, and an id of
    # more than 18 digits overflows the column.
    parts = [part.strip() for part in value.split(",")]
    ids = [int(part) for part in parts if part.isascii() and part.isdigit() and len(part) <= 18]
    return ids[:100]


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"
