"""Wagtail admin of certification tracks, for coordinators of the track's
unit: tracks (name, description, validity, open for enrolment), their
versions (make a new draft, publish it) and the requirements of a draft.

A published version is read-only: its requirements are shown but any
edit is refused (``services.certification.track_draft_save``); a change
to a published track is a new draft, a copy of the latest version, made
with "New draft" and published with "Publish".

Requirements have their own listing rather than an inline panel on the
version: Wagtail's ``InlinePanel`` needs a ``ParentalKey`` from
``Requirement`` to a ``ClusterableModel`` version, which the models do
not have.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from lms.core.policies import ACTIONS
from lms.core.viewsets import (
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedViewSet,
    ServiceCreateView,
    ServiceEditView,
    YesNoColumn,
)

from ..forms.certification import (
    PublishForm,
    RequirementForm,
    TrackEditForm,
    TrackForm,
    TrackVersionForm,
)
from ..models import Requirement, Track, TrackVersion
from ..services import certification as services


def _track_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data.get("name", ""),
        "description": data.get("description", ""),
        "validity_months": data.get("validity_months"),
        "is_active": data.get("is_active", False),
    }


def _new_track_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "code": data["code"],
        "unit": data["unit"],
        "purpose": data.get("purpose") or Track.Purpose.CERTIFICATION,
        **_track_fields(form),
    }


class TrackCreateView(ServiceCreateView):
    create_service = services.track_create
    form_arguments = _new_track_fields


class TrackEditView(ServiceEditView):
    update_service = services.track_update
    object_argument = "track"
    form_arguments = _track_fields


class TrackIndexView(ScopedIndexView):
    row_links = [
        (_("Versions"), "track_versions_admin:for_track", "list-ul"),
        (_("New draft"), "track_versions_admin:new_draft", "plus"),
    ]


class TrackViewSet(ScopedViewSet):
    model = Track
    url_namespace = "tracks_admin"
    menu_label = _("Certification tracks")
    icon = "tasks"
    menu_order = 350
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = TrackIndexView
    add_view_class = TrackCreateView
    edit_view_class = TrackEditView
    list_display = [
        "name",
        "code",
        "purpose",
        "unit",
        "validity_months",
        YesNoColumn("is_active", label=_("open for enrolment")),
    ]
    list_filter = ["purpose", "is_active"]
    search_fields = ["name", "code", "description"]
    ordering = ["name"]

    def get_form_class(self, for_update=False):
        return TrackEditForm if for_update else TrackForm


# --- versions -----------------------------------------------------------------


class _DraftSave:
    """The form's save goes through ``track_draft_save``: refused for a
    published version, its refusal shown on the form."""

    def draft_of(self) -> TrackVersion:
        raise NotImplementedError

    def save_instance(self):
        version = self.draft_of()
        return services.track_draft_save(
            actor=self.request.user,
            version=version,
            save=super().save_instance,
            request=self.request,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(getattr(error, "messages", [str(error)]))
            form.add_error(None, message or _("You cannot do this."))
            return self.form_invalid(form)


class VersionEditView(_DraftSave, ScopedEditView):
    def draft_of(self):
        return self.object


class VersionIndexView(ScopedIndexView):
    row_links = [
        (_("Requirements"), "requirements_admin:for_version", "list-ul"),
        (_("Add a requirement"), "requirements_admin:add_to_version", "plus"),
        (_("Publish"), "track_versions_admin:publish", "upload"),
    ]

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(requirement_count=Count("requirements"))
        )


class _VersionAction(PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView):
    """A confirmation page of an action on one row of the policy's rows (a
    row outside them is not found); the POST calls one service and goes
    on to ``next_url``, a refusal comes back as an error message."""

    permission_required = "change"
    permission_policy = None
    model = None
    template_name = "supervision/certification/admin_confirm.html"
    form_class = PublishForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        rows = self.permission_policy.instances_user_has_any_permission_for(
            request.user, ACTIONS
        )
        self.object = get_object_or_404(rows, pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            object=self.object,
            message=self.message(),
            back_url=self.back_url(),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            made = self.act(form)
        except (ValidationError, PermissionDenied) as error:
            messages.error(
                self.request, " ".join(getattr(error, "messages", [str(error)]))
            )
            return redirect(self.back_url())
        return redirect(self.next_url(made))


class NewDraftView(_VersionAction):
    """Make (or open) the track's draft, then edit its requirements."""

    page_title = _("New draft")
    header_icon = "plus"

    def message(self):
        return _(
            "Make a draft of %(track)s holding a copy of its latest published "
            "requirements? Enrolled trainees keep their version."
        ) % {"track": self.object}

    def get_form_class(self):
        from django import forms

        return forms.Form

    def act(self, form):
        return services.track_draft(
            actor=self.request.user, track=self.object, request=self.request
        )

    def back_url(self):
        return reverse("tracks_admin:index")

    def next_url(self, made):
        return reverse("requirements_admin:for_version", args=[made.pk])


class PublishView(_VersionAction):
    page_title = _("Publish")
    header_icon = "upload"

    def message(self):
        return _(
            "Publish %(version)s? From then on new enrolments are held to it, "
            "and it can no longer be changed."
        ) % {"version": self.object}

    def act(self, form):
        return services.track_publish(
            actor=self.request.user,
            version=self.object,
            note=form.cleaned_data.get("note", ""),
            request=self.request,
        )

    def back_url(self):
        return reverse("track_versions_admin:index")

    def next_url(self, made):
        messages.success(
            self.request, _("%(version)s is published.") % {"version": made}
        )
        return reverse("track_versions_admin:index")


class TrackVersionViewSet(ScopedViewSet):
    model = TrackVersion
    url_namespace = "track_versions_admin"
    menu_label = _("Track versions")
    icon = "history"
    menu_order = 351
    add_to_admin_menu = True
    inspect_view_enabled = False
    index_view_class = VersionIndexView
    edit_view_class = VersionEditView
    list_display = [
        "__str__",
        "track",
        "number",
        "published_at",
        "note",
        Column("requirement_count", label=_("Requirements")),
    ]
    list_filter = ["track"]
    ordering = ["track__name", "-number"]

    def get_form_class(self, for_update=False):
        return TrackVersionForm

    def get_urlpatterns(self):
        policy = self.permission_policy
        return super().get_urlpatterns() + [
            path(
                "track/<int:pk>/",
                self.for_track_view,
                name="for_track",
            ),
            path(
                "track/<int:pk>/new-draft/",
                NewDraftView.as_view(permission_policy=_policy(Track), model=Track),
                name="new_draft",
            ),
            path(
                "publish/<int:pk>/",
                PublishView.as_view(permission_policy=policy, model=TrackVersion),
                name="publish",
            ),
        ]

    def for_track_view(self, request, pk):
        return redirect(reverse("track_versions_admin:index") + f"?track={int(pk)}")


def _policy(model):
    from wagtail.permissions import policy_registry

    return policy_registry.get_by_type(model)


# --- requirements -------------------------------------------------------------


class RequirementCreateView(_DraftSave, ScopedCreateView):
    def get_initial(self):
        initial = super().get_initial()
        version = self.request.GET.get("version", "")
        if version.isdigit():
            initial["version"] = int(version)
        return initial

    def draft_of(self):
        return self.form.cleaned_data["version"]


class RequirementEditView(_DraftSave, ScopedEditView):
    def draft_of(self):
        return self.object.version


class RequirementDeleteView(ScopedDeleteView):
    def delete_action(self):
        services.track_draft_save(
            actor=self.request.user,
            version=self.object.version,
            save=super().delete_action,
            request=self.request,
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            messages.error(
                self.request, " ".join(getattr(error, "messages", [str(error)]))
            )
            return redirect(self.get_success_url())


class RequirementViewSet(ScopedViewSet):
    model = Requirement
    url_namespace = "requirements_admin"
    menu_label = _("Track requirements")
    icon = "list-ol"
    menu_order = 352
    add_to_admin_menu = True
    inspect_view_enabled = True
    add_view_class = RequirementCreateView
    edit_view_class = RequirementEditView
    delete_view_class = RequirementDeleteView
    list_display = [
        "title",
        "version",
        "kind",
        "need",
        "measure",
        YesNoColumn("for_renewal", label=_("also required to renew")),
    ]
    list_filter = ["version", "kind"]
    search_fields = ["title"]
    ordering = ["version__track__name", "-version__number", "position", "id"]

    def get_form_class(self, for_update=False):
        return RequirementForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("version/<int:pk>/", self.for_version_view, name="for_version"),
            path(
                "version/<int:pk>/add/", self.add_to_version_view, name="add_to_version"
            ),
        ]

    def for_version_view(self, request, pk):
        return redirect(reverse("requirements_admin:index") + f"?version={int(pk)}")

    def add_to_version_view(self, request, pk):
        return redirect(reverse("requirements_admin:add") + f"?version={int(pk)}")


VIEWSETS = [
    TrackViewSet("certification_tracks"),
    TrackVersionViewSet("track_versions"),
    RequirementViewSet("track_requirements"),
]
