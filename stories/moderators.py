"""The Moderators and Translators groups: their permissions are kept here, in code, and
synced after every migrate."""

from django.contrib.auth.models import Group, Permission

MODERATORS_GROUP = "Moderators"
TRANSLATORS_GROUP = "Translators"

# Exactly what moderation needs. Deliberately absent: deleting stories or
# events (the audit trail must stay whole), anything on users or groups, and the
# About page's text and the requests for data (ArchiveStatement, DataRequest): they
# speak for the institution and are a legal matter, so administrators keep them.
MODERATOR_PERMISSIONS = {
    "stories": [
        "view_story",
        "change_story",
        "view_moderationevent",
        "view_perspective",
        "add_perspective",
        "change_perspective",
        "view_theme",
        "add_theme",
        "change_theme",
        # Merging themes deletes the themes merged away.
        "delete_theme",
        "view_taggedtheme",
        # The questions the share form offers narrators: curated like perspectives and themes.
        "view_questionprompt",
        "add_questionprompt",
        "change_questionprompt",
        "delete_questionprompt",
        # The bilingual glossary search reads: curated vocabulary, like the themes.
        "view_glossaryterm",
        "add_glossaryterm",
        "change_glossaryterm",
        "delete_glossaryterm",
        # Moderators read the consent texts; adding a version is for administrators.
        "view_consenttext",
        # And the licences narrators choose from: administrators configure the list.
        "view_licence",
        # Reports and theme suggestions are read and decided on ("change"), never
        # written or deleted: they are what readers and narrators sent.
        "view_report",
        "change_report",
        "view_themesuggestion",
        "change_themesuggestion",
        "view_storylink",
        "add_storylink",
        "change_storylink",
        "delete_storylink",
        # A recording is uploaded, replaced, cleared or taken away on its story's page,
        # and its transcript edited paragraph by paragraph there.
        "view_recording",
        "add_recording",
        "change_recording",
        "delete_recording",
        "view_transcriptsegment",
        "add_transcriptsegment",
        "change_transcriptsegment",
        "delete_transcriptsegment",
        # The timeline's events, curated like the question prompts.
        "view_timelineevent",
        "add_timelineevent",
        "change_timelineevent",
        "delete_timelineevent",
        # The translation page, as volunteer translators have it (any status for a moderator).
        "translate_story",
    ],
}

# A volunteer translator: the translation page of published stories and nothing else.
# Not even "view_story": the story's read-only page would show the contact email, the
# notes and the stories still waiting (docs/moderation.md, "Translations").
TRANSLATOR_PERMISSIONS = {"stories": ["translate_story"]}


def moderator_permissions(granted=MODERATOR_PERMISSIONS):
    permissions = Permission.objects.none()
    for app_label, codenames in granted.items():
        permissions |= Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    return permissions


def sync_moderators_group(**kwargs):
    group, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    group.permissions.set(moderator_permissions())
    translators, _created = Group.objects.get_or_create(name=TRANSLATORS_GROUP)
    translators.permissions.set(moderator_permissions(TRANSLATOR_PERMISSIONS))
