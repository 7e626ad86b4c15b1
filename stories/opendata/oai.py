"""
OAI-PMH 2.0 at /oai/ (https://www.openarchives.org/OAI/openarchivesprotocol.html).

- Records are stories that readers ever saw (``Story.objects.once_visible()``).
  One that is public now is a full ``oai_dc`` record, made by
  ``records.PublicRecord``; one that has left the site since (withdrawn,
  returned to review) is a deleted record, header only ("persistent"
  deletion: it stays deleted). A story never public is not in the repository.
- A record's datestamp is its last public change: the later of its last save
  and its publication, so an embargo lifting (which saves nothing) moves it
  too, and an incremental harvest (``from``) misses nothing.
- Sets: ``perspective:<id>`` and ``theme:<id>`` (ids, because a setSpec must
  be ASCII and a theme's slug may not be), under the parent sets ``perspective``
  (every record: each story has one) and ``theme`` (every story with a theme),
  which the colon implies in OAI-PMH's set hierarchy; both levels are listed
  and can be harvested. A record's header names its leaf sets.
- Lists come in pages of ``OAI_PAGE_SIZE``, ordered by (datestamp, id); a
  resumption token carries the request and the last (datestamp, id) seen,
  signed with the secret key, so it cannot be forged, and it stays right
  while the archive changes.
- The document is built with ElementTree, which escapes every text it writes.
"""

import datetime
import re
import xml.etree.ElementTree as ET

from django.conf import settings
from django.core import signing
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.http import HttpResponse
from django.utils import timezone

from ..models import Perspective, Story, Theme
from . import records
from .records import xml_safe

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = {
    OAI: "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd",
    OAI_DC: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
}
ET.register_namespace("", OAI)
ET.register_namespace("oai_dc", OAI_DC)
ET.register_namespace("dc", DC)
ET.register_namespace("xsi", XSI)

METADATA_PREFIX = "oai_dc"
DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
TOKEN_SALT = "stories.oai.resumption"
# What the protocol's schema allows as a setSpec: parts of unreserved characters, joined by ":".
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
# Each parent set: the model of its children, and its name.
PARENT_SETS = {"perspective": (Perspective, "Perspectives"), "theme": (Theme, "Themes")}

# The arguments each verb takes: required, and optional.
VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}


class OAIError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def element(parent, tag, text=None, **attributes):
    # What a harvester sent comes back in the answer: XML 1.0 must be able to carry it.
    node = ET.SubElement(
        parent, tag, {key: xml_safe(str(value)) for key, value in attributes.items()}
    )
    if text is not None:
        node.text = xml_safe(str(text))
    return node


def utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def repository_identifier():
    return settings.OAI_REPOSITORY_IDENTIFIER


def oai_identifier(story_id):
    return f"oai:{repository_identifier()}:story/{story_id}"


def story_id_of(identifier):
    prefix = f"oai:{repository_identifier()}:story/"
    number = identifier.removeprefix(prefix) if identifier.startswith(prefix) else ""
    if not number.isascii() or not number.isdigit() or len(number) > 12:
        raise OAIError("idDoesNotExist", "No such identifier in this repository.")
    return int(number)


def in_repository():
    """Every story that was ever public, with its datestamp."""
    return (
        Story.objects.once_visible()
        .annotate(datestamp=Greatest(F("updated_at"), F("published_at")))
        .only("pk", "status", "updated_at", "published_at")
    )


def visible_ids(ids):
    return set(Story.objects.published().filter(pk__in=ids).values_list("pk", flat=True))


def parse_date(value, name):
    """(moment, granularity) of a from/until argument; a day's until includes the whole day."""
    for granularity, pattern in ((SECONDS, "%Y-%m-%dT%H:%M:%SZ"), (DAY, "%Y-%m-%d")):
        try:
            moment = datetime.datetime.strptime(value, pattern).replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
        if granularity == DAY and name == "until":
            moment += datetime.timedelta(days=1) - datetime.timedelta(microseconds=1)
        if granularity == SECONDS and name == "until":
            moment += datetime.timedelta(seconds=1) - datetime.timedelta(microseconds=1)
        return moment, granularity
    raise OAIError("badArgument", f"{name} is not a date of the form {DAY} or {SECONDS}.")


def find_set(spec):
    """The kind of a set and its perspective or theme; None for a parent set, all of its kind."""
    if not SET_SPEC.fullmatch(spec):
        raise OAIError("badArgument", "set is not a setSpec.")
    kind, colon, number = spec.partition(":")
    if kind in PARENT_SETS and not colon:
        return kind, None
    if kind in PARENT_SETS and number.isdigit() and len(number) < 12:
        found = PARENT_SETS[kind][0].objects.filter(pk=int(number)).first()
        if found is not None:
            return kind, found
    raise OAIError("noRecordsMatch", "No such set in this repository.")


def checked_arguments(arguments):
    """The verb and its arguments, or the protocol's error for what is wrong with them."""
    verbs = arguments.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OAIError("badVerb", "The verb is missing, repeated or not an OAI-PMH verb.")
    verb = verbs[0]
    required, optional = VERBS[verb]
    given = {key for key in arguments if key != "verb"}
    repeated = [key for key in arguments if len(arguments.getlist(key)) > 1]
    if repeated:
        raise OAIError("badArgument", f"Repeated argument: {', '.join(sorted(repeated))}.")
    unknown = given - required - optional
    if unknown:
        raise OAIError("badArgument", f"Illegal argument: {', '.join(sorted(unknown))}.")
    values = {key: arguments[key] for key in given}
    if "resumptionToken" in values:
        if len(values) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
        return verb, values
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"Missing argument: {', '.join(sorted(missing))}.")
    return verb, values


class Response:
    """One OAI-PMH answer being built."""

    def __init__(self, request):
        self.request = request
        self.base_url = records.base_url(request)
        self.root = ET.Element(f"{{{OAI}}}OAI-PMH")
        self.root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {SCHEMA[OAI]}")
        element(self.root, f"{{{OAI}}}responseDate", utc(timezone.now()))

    def echo_request(self, verb=None, values=None):
        self.request_node = element(
            self.root, f"{{{OAI}}}request", self.base_url + self.request.path
        )
        if verb:
            self.request_node.set("verb", verb)
            for key, value in sorted((values or {}).items()):
                self.request_node.set(key, xml_safe(value))

    def error(self, code, message):
        element(self.root, f"{{{OAI}}}error", message, code=code)

    def verb_element(self, verb):
        return element(self.root, f"{{{OAI}}}{verb}")

    def http_response(self):
        body = ET.tostring(self.root, encoding="unicode", xml_declaration=False)
        return HttpResponse(
            '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
            content_type="text/xml; charset=utf-8",
        )


def endpoint(request):
    response = Response(request)
    arguments = request.POST if request.method == "POST" else request.GET
    try:
        verb, values = checked_arguments(arguments)
    except OAIError as error:
        response.echo_request()
        response.error(error.code, error.message)
        return response.http_response()
    response.echo_request(verb, values)
    try:
        HANDLERS[verb](response, values)
    except OAIError as error:
        # An error replaces the answer: drop whatever the verb had begun.
        for child in list(response.root)[2:]:
            response.root.remove(child)
        if error.code in ("badVerb", "badArgument"):
            response.request_node.attrib.clear()  # the protocol: no echo of a bad request
        response.error(error.code, error.message)
    return response.http_response()


def identify(response, values):
    node = response.verb_element("Identify")
    element(node, f"{{{OAI}}}repositoryName", str(records.ARCHIVE_NAME))
    element(node, f"{{{OAI}}}baseURL", response.base_url + response.request.path)
    element(node, f"{{{OAI}}}protocolVersion", "2.0")
    element(node, f"{{{OAI}}}adminEmail", settings.OAI_ADMIN_EMAIL)
    earliest = in_repository().order_by("published_at").values_list("published_at", flat=True)
    element(node, f"{{{OAI}}}earliestDatestamp", utc(earliest.first() or EARLIEST))
    element(node, f"{{{OAI}}}deletedRecord", "persistent")
    element(node, f"{{{OAI}}}granularity", SECONDS)


def list_metadata_formats(response, values):
    if "identifier" in values:
        story_id = story_id_of(values["identifier"])
        if not in_repository().filter(pk=story_id).exists():
            raise OAIError("idDoesNotExist", "No such identifier in this repository.")
    node = response.verb_element("ListMetadataFormats")
    metadata_format = element(node, f"{{{OAI}}}metadataFormat")
    element(metadata_format, f"{{{OAI}}}metadataPrefix", METADATA_PREFIX)
    element(metadata_format, f"{{{OAI}}}schema", SCHEMA[OAI_DC])
    element(metadata_format, f"{{{OAI}}}metadataNamespace", OAI_DC)


def list_sets(response, values):
    if "resumptionToken" in values:
        raise OAIError("badResumptionToken", "Sets come in one list; no token is valid here.")
    node = response.verb_element("ListSets")
    for kind, (model, name) in PARENT_SETS.items():
        parent = element(node, f"{{{OAI}}}set")
        element(parent, f"{{{OAI}}}setSpec", kind)
        element(parent, f"{{{OAI}}}setName", name)
        for item in model.objects.all():
            set_node = element(node, f"{{{OAI}}}set")
            element(set_node, f"{{{OAI}}}setSpec", f"{kind}:{item.pk}")
            element(set_node, f"{{{OAI}}}setName", f"{kind.capitalize()}: {item.name}")


def check_prefix(values):
    if values["metadataPrefix"] != METADATA_PREFIX:
        raise OAIError("cannotDisseminateFormat", "This repository offers oai_dc only.")


def get_record(response, values):
    check_prefix(values)
    story = in_repository().filter(pk=story_id_of(values["identifier"])).first()
    if story is None:
        raise OAIError("idDoesNotExist", "No such identifier in this repository.")
    node = response.verb_element("GetRecord")
    write_records(response, node, [story], with_metadata=True)


def list_identifiers(response, values):
    list_items(response, values, "ListIdentifiers", with_metadata=False)


def list_records(response, values):
    list_items(response, values, "ListRecords", with_metadata=True)


def list_items(response, values, verb, *, with_metadata):
    if "resumptionToken" in values:
        request, after = read_token(values["resumptionToken"], verb)
    else:
        request, after = values, None
    check_prefix(request)
    stories = selected(request)
    total = stories.count()
    if after is not None:
        moment = datetime.datetime.fromisoformat(after[0])
        stories = stories.filter(Q(datestamp__gt=moment) | Q(datestamp=moment, pk__gt=after[1]))
    page = list(stories.order_by("datestamp", "pk")[: settings.OAI_PAGE_SIZE + 1])
    if not page and after is None:
        raise OAIError("noRecordsMatch", "No record matches these arguments.")
    more = len(page) > settings.OAI_PAGE_SIZE
    page = page[: settings.OAI_PAGE_SIZE]
    node = response.verb_element(verb)
    write_records(response, node, page, with_metadata=with_metadata)
    if more or after is not None:
        seen = (after[2] if after else 0) + len(page)
        token = element(
            node,
            f"{{{OAI}}}resumptionToken",
            completeListSize=total,
            cursor=after[2] if after else 0,
        )
        if more:
            last = page[-1]
            token.text = make_token(verb, request, (last.datestamp.isoformat(), last.pk, seen))


def selected(request):
    stories = in_repository()
    granularities = set()
    for name, lookup in (("from", "datestamp__gte"), ("until", "datestamp__lte")):
        if name in request:
            moment, granularity = parse_date(request[name], name)
            granularities.add(granularity)
            stories = stories.filter(**{lookup: moment})
    if len(granularities) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if "from" in request and "until" in request:
        if parse_date(request["from"], "from")[0] > parse_date(request["until"], "until")[0]:
            raise OAIError("badArgument", "from is later than until.")
    if "set" in request:
        kind, found = find_set(request["set"])
        if kind == "theme" and found is None:
            stories = stories.carrying_any_theme_of(Theme.objects.all())
        elif kind == "theme":
            stories = stories.carrying_any_theme_of([found])
        elif found is not None:
            stories = stories.filter(perspective=found)
        # The parent set "perspective" is every record: each story has a perspective.
    return stories


def make_token(verb, request, after):
    return signing.dumps(
        {"verb": verb, "request": request, "after": after}, salt=TOKEN_SALT, compress=True
    )


def read_token(token, verb):
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.OAI_TOKEN_SECONDS)
    except signing.BadSignature:
        raise OAIError("badResumptionToken", "This resumption token is not valid.") from None
    if data.get("verb") != verb:
        raise OAIError("badResumptionToken", "This resumption token is for another verb.")
    after = data["after"]
    return data["request"], (after[0], after[1], after[2])


def write_records(response, parent, stories, *, with_metadata):
    public = visible_ids([story.pk for story in stories])
    shown = {
        story.pk: records.PublicRecord.of(story)
        for story in records.public_stories().filter(pk__in=public)
    }
    set_specs = story_set_specs(public)
    for story in stories:
        holder = element(parent, f"{{{OAI}}}record") if with_metadata else parent
        header = element(holder, f"{{{OAI}}}header")
        element(header, f"{{{OAI}}}identifier", oai_identifier(story.pk))
        element(header, f"{{{OAI}}}datestamp", utc(story.datestamp))
        if story.pk not in public:
            header.set("status", "deleted")  # gone from the site: no content, no sets
            continue
        for spec in set_specs.get(story.pk, []):
            element(header, f"{{{OAI}}}setSpec", spec)
        if with_metadata:
            metadata = element(holder, f"{{{OAI}}}metadata")
            write_dublin_core(metadata, shown[story.pk], response.base_url)


def story_set_specs(story_ids):
    specs = {}
    for pk, perspective_id in Story.objects.filter(pk__in=story_ids).values_list(
        "pk", "perspective_id"
    ):
        specs.setdefault(pk, []).append(f"perspective:{perspective_id}")
    for pk, theme_id in (
        Story.objects.filter(pk__in=story_ids)
        .filter(tagged_themes__isnull=False)
        .values_list("pk", "tagged_themes__tag_id")
    ):
        specs.setdefault(pk, []).append(f"theme:{theme_id}")
    return specs


def write_dublin_core(parent, record, base_url):
    dc = ET.SubElement(parent, f"{{{OAI_DC}}}dc")
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {SCHEMA[OAI_DC]}")
    for name, value in record.dublin_core(base_url):
        element(dc, f"{{{DC}}}{name}", value)


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
}
