"""
A story's permanent address, ``/s/<id>/``, and its citation files beside it
(``/s/<id>/cite.bib``, ``cite.ris``): the roads a citation leads to. Unprefixed,
like every machine road (docs/architecture.md, "Languages").
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from ..models import Story
from . import citations, records


def story_permalink(request, story_id):
    """``/s/<id>/``: the address citations use, which outlives a change of title.

    It leads to a public story's page. A story withdrawn after publication
    answers 410 here, without leading on: its slug spells its old title, and
    ids can be walked.
    """
    story = Story.objects.published().filter(pk=story_id).only("slug").first()
    if story is not None:
        # Not permanent: the slug it leads to can change.
        return redirect(story.get_absolute_url())
    if Story.objects.withdrawn_after_publication().filter(pk=story_id).exists():
        return render(request, "stories/story_withdrawn.html", status=410)
    raise Http404


def public_record(story_id):
    story = records.public_stories().filter(pk=story_id).first()
    if story is None:
        raise Http404
    return records.PublicRecord.of(story)


def citation_file(request, story_id, extension):
    if extension not in ("bib", "ris"):
        raise Http404
    record = public_record(story_id)
    base = records.base_url(request)
    if extension == "bib":
        body, content_type = citations.bibtex(record, base), "application/x-bibtex"
    else:
        body, content_type = (
            citations.ris(record, base),
            "application/x-research-info-systems",
        )
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="perspectives-{record.id}.{extension}"'
    return response
