"""
``{% kept_for_generation %}``: a part of a page kept until the archive changes.

    {% load kept %}
    {% kept_for_generation "story-filters" request.GET.urlencode %}
      ... the filter form, its menus and counts ...
    {% endkept_for_generation %}

What it wraps is rendered once per generation of the archive (the counts,
menus and headings that change only when what readers can see changes) and
language, for each value of what follows its name, and kept in the shared cache as
the counts are (``counted_once_per_generation``, stories/pagecache/store.py):
read with the generation in one round trip, made again after any change, and
off when ``COUNTS_CACHE_SECONDS`` is 0. Never for what is a reader's own (a
form's CSRF token, messages): only public pages that the page cache could keep
use it. Parts that show one story are kept per story instead
(stories/pagecache/fragments.py).
"""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from ..pagecache.store import counted_once_per_generation, digest

register = template.Library()


class KeptForGenerationNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        varies = [str(variable.resolve(context)) for variable in self.vary_on]
        # Query strings are the readers' own and of any length: hashed into the key.
        varying = digest("\n".join(varies))
        return SafeString(
            counted_once_per_generation(
                f"part:{self.name}:{get_language()}:{varying}",
                lambda: str(self.nodelist.render(context)),
            )
        )


@register.tag
def kept_for_generation(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs a name")
    name = bits[1].strip("\"'")
    nodelist = parser.parse(("endkept_for_generation",))
    parser.delete_first_token()
    return KeptForGenerationNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
