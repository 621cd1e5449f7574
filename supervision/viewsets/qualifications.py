"""Wagtail admin for the kinds of external qualification a requirement
may ask for: one catalogue for every coordinator
(``policies.CataloguePolicy``).  A kind someone holds cannot be deleted
(their qualifications protect it)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.core.viewsets import ScopedViewSet

from ..models import QualificationKind


class QualificationKindForm(WagtailAdminModelForm):
    class Meta:
        model = QualificationKind
        fields = ["code", "name", "validity_months"]
        error_messages = {
            "code": {"unique": _("A qualification with this code is already listed.")}
        }

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the qualification a name."))
        return name


class QualificationKindViewSet(ScopedViewSet):
    model = QualificationKind
    url_namespace = "qualification_kinds_admin"
    icon = "doc-full"
    menu_label = _("Qualification kinds")
    menu_order = 352
    add_to_admin_menu = True
    inspect_view_enabled = False
    list_display = ["name", "code", "validity_months"]
    search_fields = ["name", "code"]
    ordering = ["name"]
    list_export = ["name", "code", "validity_months"]
    export_filename = "qualification-kinds"

    def get_form_class(self, for_update=False):
        return QualificationKindForm


VIEWSETS = [QualificationKindViewSet("qualification_kinds")]
