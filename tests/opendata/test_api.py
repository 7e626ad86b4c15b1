"""The read-only JSON API: filters, pagination, conditional requests and error answers."""

import datetime

import pytest
from django.utils import timezone

from stories.models import Story
from stories.opendata.api import openapi_description

from ..factories import make_published, make_story
from ..readers import queries_made

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(moderator):
    older = make_published(
        title="Older clinic story",
        perspective="critics",
        themes=["public-safety"],
        year_happened=2017,
    )
    Story.objects.filter(pk=older.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=3)
    )
    newer = make_published(
        title="Historia de la clínica", language="es", themes=["legal-aid"], year_happened=2019
    )
    hidden = make_story(title="Pending clinic story", contact_email="zq@example.org")
    return {"older": older, "newer": newer, "hidden": hidden}


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response


def test_the_story_list_is_newest_first_and_paginated(client, archive):
    data = get(client, "/api/v1/stories/").json()
    assert data["count"] == 2 and data["pages"] == 1
    assert [story["title"] for story in data["results"]] == [
        "Historia de la clínica",
        "Older clinic story",
    ]
    first = get(client, "/api/v1/stories/?page_size=1").json()
    assert first["pages"] == 2 and first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/stories/?page_size=1&page=2"
    second = get(client, first["next"]).json()
    assert [story["title"] for story in second["results"]] == ["Older clinic story"]
    assert second["previous"] == "http://testserver/api/v1/stories/?page_size=1&page=1"


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("perspective=critics", ["Older clinic story"]),
        ("theme=legal-aid", ["Historia de la clínica"]),
        ("language=es", ["Historia de la clínica"]),
        ("year=2017", ["Older clinic story"]),
        ("q=older", ["Older clinic story"]),
        ("q=clínica&language=es", ["Historia de la clínica"]),
        ("q=pending", []),
        ("q=clinic&perspective=critics", ["Older clinic story"]),
        ("q=older&perspective=immigrants", []),
    ],
)
def test_filters_and_search_narrow_the_list(client, archive, query, titles):
    data = get(client, f"/api/v1/stories/?{query}").json()
    assert [story["title"] for story in data["results"]] == titles
    assert data["count"] == len(titles)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("perspective=nobody", "perspective"),
        ("theme=%00", "theme"),
        ("language=fr", "language"),
        ("year=abc", "year"),
        ("year=99999", "year"),
        ("page_size=1000", "page_size"),
        ("q=" + "x" * 501, "q"),
        ("colour=red", None),
        ("page=1&page=2", None),
        # A choice given empty is refused, as the OpenAPI description's enums say.
        ("language=", None),
        ("perspective=&year=2017", None),
    ],
)
def test_bad_parameters_get_a_400_in_json(client, archive, query, problem):
    error = get(client, f"/api/v1/stories/?{query}", status=400).json()["error"]
    assert error["status"] == 400 and error["message"] == "Bad parameters."
    if problem:
        assert problem in error["fields"]
    else:
        assert error["problems"]


def test_a_page_past_the_end_and_unknown_things_are_json_404s(client, archive):
    assert get(client, "/api/v1/stories/?page=9", status=404).json()["error"]["pages"] == 1
    for not_a_page in ("0", "-1", "abc", "1.5", "%00"):
        missing = get(client, f"/api/v1/stories/?page={not_a_page}", status=404).json()["error"]
        assert missing == {"status": 404, "message": "No such page.", "pages": 1}
    searched = get(client, "/api/v1/stories/?q=clinic&page=9", status=404).json()["error"]
    assert searched["pages"] == 1
    assert get(client, f"/api/v1/stories/{archive['hidden'].pk}/", status=404).json()["error"]
    assert get(client, "/api/v1/stories/999999/", status=404)
    for unknown in ("/api/v1/nothing-here", "/api/v2/stories/", "/api/stories/"):
        assert get(client, unknown, status=404).json()["error"]["message"].startswith("No such")
    assert client.post("/api/v1/stories/").status_code == 405


def test_a_story_in_full_with_dublin_core_and_citations(client, archive):
    story = archive["newer"]
    data = get(client, f"/api/v1/stories/{story.pk}/").json()
    assert data["title"] == "Historia de la clínica" and data["text"] == story.body
    assert data["dublin_core"]["language"] == ["es"]
    assert data["dublin_core"]["identifier"] == [f"http://testserver/s/{story.pk}/"]
    assert data["dublin_core"]["subject"] == ["Legal aid", "Immigrants"]
    assert set(data["citations"]) == {"Chicago", "APA", "MLA"}
    assert data["citation_files"]["ris"] == f"http://testserver/s/{story.pk}/cite.ris"
    assert "contact_email" not in data and "zq@example.org" not in str(data)


def test_answers_carry_etag_and_last_modified_and_answer_304(client, archive, moderator):
    first = get(client, "/api/v1/stories/")
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get("/api/v1/stories/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/api/v1/stories/", HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    archive["hidden"].approve(by=moderator)
    changed = get(client, "/api/v1/stories/")
    assert changed["ETag"] != etag
    assert client.get("/api/v1/stories/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_perspectives_and_themes_with_their_counts(client, archive):
    perspectives = {p["slug"]: p for p in get(client, "/api/v1/perspectives/").json()["results"]}
    assert perspectives["critics"]["stories"] == 1 and perspectives["immigrants"]["stories"] == 1
    assert perspectives["critics"]["url"] == "http://testserver/perspectives/critics/"
    themes = {t["slug"]: t for t in get(client, "/api/v1/themes/").json()["results"]}
    assert themes["public-safety"]["stories"] == 1
    assert themes["public-safety"]["stories_by_perspective"]["critics"] == 1
    assert themes["legal-aid"]["stories_by_perspective"]["critics"] == 0


def test_the_openapi_description_matches_the_answers(client, archive):
    description = get(client, "/api/v1/openapi.json").json()
    assert description == openapi_description() and description["openapi"] == "3.1.0"
    schemas = description["components"]["schemas"]
    story = get(client, f"/api/v1/stories/{archive['older'].pk}/").json()
    assert set(story) == set(schemas["Story"]["properties"])
    listing = get(client, "/api/v1/stories/").json()
    assert set(listing) == set(schemas["StoryPage"]["properties"])
    assert set(listing["results"][0]) == set(schemas["StorySummary"]["properties"])
    for path in description["paths"]:
        assert client.get(path.replace("{id}", str(archive["older"].pk))).status_code == 200
    documented = {p["name"] for p in description["paths"]["/api/v1/stories/"]["get"]["parameters"]}
    assert documented == {"q", "perspective", "theme", "language", "year", "page", "page_size"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/stories/",
        "/api/v1/stories/?q=clinic&theme=public-safety",
        "/api/v1/perspectives/",
        "/api/v1/themes/",
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(client, url):
    make_published(title="First clinic", themes=["public-safety"])
    few = queries_made(client, url)
    for n in range(25):
        make_published(title=f"Clinic {n}", themes=["public-safety", "legal-aid"])
    many = queries_made(client, url)
    assert many == few and many <= 10, (few, many)
