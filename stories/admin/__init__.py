"""
The admin, where moderators work. Django's autodiscover imports this package,
and importing the modules below registers their ModelAdmins:

- ``stories``: StoryAdmin, the story's change page, list, actions and redaction;
- ``desk``: the moderation desk and the one-story review, views of StoryAdmin;
- ``inlines``: the story's recording, transcript, links and history, and the recording filter;
- ``forms``: the story's and recording's forms, and those the actions ask to fill in;
- ``actions``: the workflow action and the page that asks before acting;
- ``taxonomy``: perspectives, themes, theme suggestions and question prompts;
- ``timeline``: the timeline's events; ``glossary``: the bilingual glossary that search reads;
- ``licences``: the archive's licences (administrators configure them; moderators read them);
- ``reports``: readers' reports; ``history``: moderation events; ``consent``: consent texts;
- ``trust``: the About page's text and the requests for data (administrators only);
- ``language``: the admin in the moderator's language, their choice of it, and its title;
- ``widgets``: Django's date-and-time and two-box widgets, named for assistive technology;
- ``signins``: the records of who signed in, read-only, and the staff's passkeys
  (administrators only).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import (  # noqa: F401  (registers them)
    consent,
    glossary,
    history,
    language,
    licences,
    reports,
    signins,
    stories,
    taxonomy,
    timeline,
    trust,
)

admin.site.site_header = admin.site.site_title = _("Perspectives moderation")
admin.site.index_title = _("Moderation home")
