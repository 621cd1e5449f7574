"""Strings of Wagtail's admin worded again in our catalogue.

Wagtail 8's zh_Hans catalogue lacks these msgids, so a Chinese coordinator
read them in English ("New: 培训班", "There are no 值班 to display…",
"Sort by '名称' in ascending order.", "Search all pages…", "Exploring",
"Page types usage", the theme settings).  Django reads ``LOCALE_PATHS``
before any app's catalogue, so a msgid translated in ``lms/locale`` wins;
listing the msgids here, exactly as Wagtail writes them, keeps
``makemessages`` from dropping them as obsolete.
``tests/core/test_admin_words_catalogue.py`` renders the admin pages a
coordinator reaches and fails on English left in them.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_WORDS = [
    # Listings, composed from our verbose names.
    gettext_noop("New: %(model_name)s"),
    gettext_noop("Sort by '%(label)s' in ascending order."),
    gettext_noop("Sort by '%(label)s' in descending order."),
    gettext_noop(
        'There are no %(model_name)s to display. Why not <a href="%(add_url)s">add one</a>?'
    ),
    gettext_noop("Go to the first error"),
    gettext_noop("Actions (footer)"),
    gettext_noop("(blank)"),
    # The page explorer's count above its title column.
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    gettext_noop(
        "%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s "
        "across entire site."
    ),
    gettext_noop(
        "%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s in "
        "'<span class=\"w-title-ellipsis\">%(title)s</span>'."
    ),
    # The dashboard and the account menu.
    gettext_noop("Search all pages…"),
    gettext_noop("Edit account avatar"),
    gettext_noop("Wagtail %(current_version)s editor guide"),
    # The page explorer.
    gettext_noop("Exploring"),
    gettext_noop("Date updated"),
    gettext_noop("Edited by"),
    gettext_noop("Page type"),
    gettext_noop("Has child pages"),
    gettext_noop("Any"),
    gettext_noop(
        "The root level is where you can add new sites to your Wagtail installation. "
        "Pages created here will not be accessible at any URL until they are "
        "associated with a site."
    ),
    gettext_noop(
        "If you just want to add pages to an existing site, create them as children "
        "of the homepage instead."
    ),
    gettext_noop(
        "Pages created here will not be accessible at any URL. To add pages to an "
        "existing site, create them as children of the homepage."
    ),
    # A page's side panel.
    gettext_noop("Anyone can edit this %(model_name)s"),
    gettext_noop(
        "Anyone can edit this %(model_name)s – lock it to prevent others from editing"
    ),
    gettext_noop("Locking: "),
    gettext_noop("Show disabled"),
    # The page editor: autosave and the checks panel.
    gettext_noop("Autosave is paused"),
    gettext_noop("Saved"),
    gettext_noop("Checks"),
    gettext_noop("Toggle checks"),
    gettext_noop("Show issue"),
    gettext_noop("Content metrics"),
    gettext_noop("This data explained"),
    gettext_noop("Readability"),
    gettext_noop("Reading time"),
    gettext_noop("Words"),
    gettext_noop(
        "Correct the validation errors to resume preview (saving will highlight errors)"
    ),
    # Reports.
    gettext_noop("Page types usage"),
    gettext_noop("Locked by"),
    gettext_noop("Anyone"),
    gettext_noop("Is commenting action"),
    # Account settings: the theme.
    gettext_noop("Theme preferences"),
    gettext_noop("admin theme"),
    gettext_noop("contrast"),
    gettext_noop("More contrast"),
    gettext_noop("density"),
    gettext_noop("Snug"),
    gettext_noop("Enable custom keyboard shortcuts specific to Wagtail."),
    gettext_noop("Use server language: %(language_name)s"),
    # Images and documents.
    gettext_noop("Grid layout"),
    gettext_noop("List layout"),
    gettext_noop("Oldest"),
    gettext_noop("Usage count: (low to high)"),
    gettext_noop("Usage count: (high to low)"),
]

#: The dashboard's counts and a page's usage (Chinese has one plural form).
WAGTAIL_COUNTS = [
    ngettext_lazy("Referenced %(count)s time", "Referenced %(count)s times", "count"),
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
]
