"""Private stored files (consent forms, qualification documents,
certificates) handed out as downloads, after the caller's permission check.

Always an attachment, with a content type we chose when storing the file
(never the uploader's), ``nosniff``, and a sandboxing Content-Security-Policy
so a document opened in the browser runs nothing and reaches nothing.
"""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

#: Content types by the extension the storing service chose.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
}


def private_download(stored: FieldFile, *, filename: str) -> FileResponse:
    """``stored`` as a download named ``filename``; 404 when it is not
    stored (never made, or lost)."""
    name, storage = stored.name, stored.storage
    if not name or not storage.exists(name):
        raise Http404
    extension = name.rsplit(".", 1)[-1]
    response = FileResponse(
        storage.open(name, "rb"),
        as_attachment=True,
        filename=f"{filename}.{extension}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
