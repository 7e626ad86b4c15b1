"""
The OpenAPI description's parts for a story's index and the archive's translation (api.py
splices them into the Story schema): a story's record in /api/v1/stories/<id>/; and for its
licence and persistent identifier, in every story of the API, lists included.
"""

from .records import TRANSLATED_BY

STORY_INDEX_PROPERTIES = {
    "languages": {
        "type": "array",
        "items": {"type": "string", "enum": ["en", "es"]},
        "description": "The story's language, then its translation's.",
    },
    "translation": {
        "oneOf": [
            {"$ref": "#/components/schemas/Translation"},
            {"type": "null"},
        ],
        "description": (
            "The archive's translation into the other language: never the narrator's words."
        ),
    },
    "segments": {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Segment"},
        "description": (
            "The recording's index, where its transcript is public (a "
            "recording a moderator cleared, a voice kept private included)."
        ),
    },
    "chapters": {
        "type": ["string", "null"],
        "format": "uri",
        "description": "The index as a WebVTT chapters track, or null.",
    },
}

INDEX_SCHEMAS = {
    "Translation": {
        "type": "object",
        "properties": {
            "language": {"type": "string", "enum": ["en", "es"]},
            "translated_by": {"type": "string", "enum": [TRANSLATED_BY]},
            "label": {"type": "string"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "text": {"type": "string"},
            "transcript": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "start": {"type": "number", "description": "Seconds."},
                        "text": {"type": "string"},
                    },
                },
            },
        },
    },
    "SegmentTranslation": {
        "type": "object",
        "properties": {
            "language": {"type": "string", "enum": ["en", "es"]},
            "translated_by": {"type": "string", "enum": [TRANSLATED_BY]},
            "title": {"type": "string"},
            "synopsis": {"type": "string"},
            "keywords": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Segment": {
        "type": "object",
        "properties": {
            "start": {"type": "number", "description": "Seconds."},
            "clock": {"type": "string", "description": "The start as 1:05."},
            "url": {
                "type": "string",
                "format": "uri",
                "description": "The story page, playing from this moment.",
            },
            "language": {"type": "string", "enum": ["en", "es"]},
            "title": {"type": "string"},
            "synopsis": {"type": "string"},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "themes": {"type": "array", "items": {"type": "string"}},
            "translation": {
                "oneOf": [
                    {"$ref": "#/components/schemas/SegmentTranslation"},
                    {"type": "null"},
                ]
            },
        },
    },
}

STORY_LICENCE_PROPERTIES = {
    "licence": {
        "$ref": "#/components/schemas/Licence",
        "description": "What a reader may do with the story: the licence its narrator chose.",
    },
    "persistent_identifier": {
        "type": ["string", "null"],
        "pattern": "^(ark:/|doi:10\\.)",
        "description": (
            "An ARK (ark:/NAAN/name) or a DOI (doi:10.prefix/suffix) minted for the story "
            "outside the archive, or null."
        ),
    },
    "persistent_url": {
        "type": ["string", "null"],
        "format": "uri",
        "description": "The address that resolves it (N2T for an ARK, doi.org for a DOI), or null.",
    },
}

LICENCE_SCHEMAS = {
    "Licence": {
        "type": "object",
        "required": ["code", "name", "short_name", "url", "allows_republishing"],
        "properties": {
            "code": {"type": "string", "description": "For example cc-by-nc-nd-4.0."},
            "name": {"type": "string"},
            "short_name": {"type": "string", "description": "For example CC BY-NC-ND 4.0."},
            "url": {
                "type": "string",
                "format": "uri",
                "description": "A Creative Commons licence or a RightsStatements.org statement.",
            },
            "allows_republishing": {
                "type": "boolean",
                "description": (
                    "Whether its terms let a reader republish the story without asking the "
                    "archive (the Data page says how to ask)."
                ),
            },
        },
    },
}
