"""The About page's text and the requests for data are the administrators' alone."""

import pytest

from stories.models import ArchiveStatement, DataRequest

pytestmark = pytest.mark.django_db

ADD_REQUEST = "/admin/stories/datarequest/add/"
STATEMENT_ADD = "/admin/stories/archivestatement/add/"


def request_data(**changes):
    return {
        "received_on": "2026-11-02",
        "requester": "immigration",
        "outcome": "refused",
        "notes": "Administrative subpoena for story 12",
        **changes,
    }


def test_a_moderator_can_neither_see_nor_add_requests_for_data(moderator_client):
    assert moderator_client.get("/admin/stories/datarequest/").status_code == 403
    assert moderator_client.get(ADD_REQUEST).status_code == 403
    assert moderator_client.post(ADD_REQUEST, request_data()).status_code == 403
    assert not DataRequest.objects.exists()
    index = moderator_client.get("/admin/").content.decode()
    assert "datarequest" not in index and "archivestatement" not in index


def test_a_moderator_cannot_rewrite_the_about_page(moderator_client):
    ArchiveStatement(who_runs="The library").save()
    assert moderator_client.get("/admin/stories/archivestatement/1/change/").status_code == 403
    response = moderator_client.post(STATEMENT_ADD, {"who_runs": "Someone else"})
    assert response.status_code == 403
    assert ArchiveStatement.current().who_runs == "The library"


def test_an_administrator_records_a_request_and_readers_see_only_its_count(
    administrator_client, client
):
    response = administrator_client.post(ADD_REQUEST, request_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    request = DataRequest.objects.get()
    assert (request.requester, request.outcome) == ("immigration", "refused")
    page = client.get("/about/requests/").content.decode()
    assert "Immigration authority" in page and "Refused" in page
    assert "subpoena for story 12" not in page


def test_an_administrator_writes_the_about_page_once_and_never_deletes_it(administrator_client):
    assert administrator_client.get(STATEMENT_ADD).status_code == 200
    response = administrator_client.post(
        STATEMENT_ADD,
        {
            "who_runs": "The Eastside Library",
            "who_runs_es": "",
            "contact_email": "archive@library.example.org",
            "requests_policy": "We ask for a court order.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ArchiveStatement.current().contact_email == "archive@library.example.org"
    # One row: no second one to add, and none to delete.
    assert administrator_client.get(STATEMENT_ADD).status_code == 403
    assert administrator_client.get("/admin/stories/archivestatement/1/delete/").status_code == 403
