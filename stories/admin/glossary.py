"""The bilingual glossary, as moderators extend it: a search for one of its words also finds the
stories told in the other language (docs/languages.md)."""

from django.contrib import admin

from ..models import GlossaryTerm


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ("english", "spanish")
    list_display_links = ("english", "spanish")
    search_fields = ("english", "spanish")
    fields = ("english", "spanish")
