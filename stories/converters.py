from django.urls import register_converter


class UnicodeSlugConverter:
    """A slug that may hold non-ASCII letters ("familia-y-miedo", "niños").

    Django's <slug> converter is ASCII-only and <str> accepts anything,
    including NUL, which PostgreSQL refuses in a query: this one accepts
    exactly what ``slugify(..., allow_unicode=True)`` produces.
    """

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


# Registered here, once, for every URLconf that imports this module.
register_converter(UnicodeSlugConverter, "uslug")
