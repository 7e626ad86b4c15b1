"""Aggregates the models' querysets share, written for SQLite and PostgreSQL alike."""

from django.db import models


class JSONRows(models.Aggregate):
    """The values of a group (``JSONObject``s) as one JSON list."""

    function = "JSON_GROUP_ARRAY"
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)
