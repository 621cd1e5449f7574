"""Which Wagtail documents (lesson attachments) a person may download.

A document goes to a reader who may open a lesson linking it, as one of
the lesson's attachments or from its text (``courses.selectors.learn``
``lessons_visible_to``: published, and past any page privacy), and to a
person who may edit it in the admin (Wagtail's document permissions, by
collection: coordinators and platform administrators).  Anyone else gets a
404, whether the document exists or not.
"""

from django.db.models import QuerySet
from django.http import Http404
from wagtail.documents import get_document_model
from wagtail.documents.models import AbstractDocument
from wagtail.permissions import policy_registry
from wagtail.rich_text import extract_references_from_rich_text

from lms.core.models import User

from ..models import LessonPage
from .learn import lessons_visible_to


def _linked_from_text(lessons: QuerySet[LessonPage], document) -> bool:
    """Whether a lesson's text links the document.  The database narrows
    the lessons down to those whose text may; Wagtail's own reading of the
    rich text decides."""
    candidates = (
        lessons.filter(body__contains='linktype="document"')
        .filter(body__contains=f'"{document.pk}"')
        .values_list("body", flat=True)
    )
    model = type(document)
    return any(
        target is model and str(object_id) == str(document.pk)
        for body in candidates
        for target, object_id, _path, _content in extract_references_from_rich_text(
            body
        )
    )


def document_get_for(*, user: User, pk: int) -> AbstractDocument:
    """The document ``pk`` if the user may download it, else ``Http404``."""
    document = get_document_model().objects.filter(pk=pk).first()
    if document is None or not user.is_authenticated:
        raise Http404
    policy = policy_registry.get_by_type(type(document))
    if policy.user_has_permission_for_instance(user, "change", document):
        return document
    lessons = lessons_visible_to(user=user)
    if lessons.filter(attachments__document=document).exists():
        return document
    if _linked_from_text(lessons, document):
        return document
    raise Http404
