"""Log records as one JSON object per line, the form log collectors read."""

import json
import logging
import re

# A narrator's private link (/my-story/<token>/, and /withdraw/<token>/ as
# emailed before) is an address that opens their story's private page: Django
# names the address in some of its own lines (a refused CSRF check, a 500), so
# every line leaves here with the token replaced. The private page's own
# addresses (/my-story/withdraw/, ...) hold none.
WITHDRAWAL_TOKEN = re.compile(
    r"(/(?:withdraw|my-story)/)(?!<|(?:withdraw|correction|card\.svg)(?:[/\s\"']|$))[^/\s\"']+"
)


def without_withdrawal_tokens(text):
    return WITHDRAWAL_TOKEN.sub(r"\1[token]", text)


class JSONFormatter(logging.Formatter):
    def format(self, record):
        return without_withdrawal_tokens(self._format(record))

    def _format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
        }
        if isinstance(record.msg, dict):
            entry.update(record.msg)  # a structured event, as the request log writes
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
