"""Pages of a list of stories read by keyset: ``?page=N`` as readers share it, without OFFSET.

Page N is always stories (N-1)*20+1 to N*20 of the list as it is now, so its address stays
meaningful to share. Django's Paginator checks the number and bounds the page; its stories,
after the first page, are read after the last story of the page before (its sort values, the
page's *bookmark*) rather than by skipping every story before them, which the database reads
and throws away: OFFSET 3980 cost 5 to 9 ms at page 200 of 100,000 stories, where page 1 takes
under one (docs/performance.md, "Deep pages by keyset").

What a page lists (its rows from the list's own queryset, the public gateway) and its
bookmark are found once per generation of the archive (``counted_once_per_generation``), as
whole pages are by the page cache: a change readers can see renews the generation, and with
it every kept page of ids and every bookmark, so pages neither skip nor repeat a story, and a
withdrawn story is never listed or a bookmark (an embargo lifting changes no row: lists catch
up with it within ``COUNTS_CACHE_SECONDS``, as counts and kept pages do). The ids query was a
list page's one query, and a fifth of its time (docs/performance.md, "Fast without the page
cache"). Where nothing is kept (``COUNTS_CACHE_SECONDS`` 0) each page is read afresh, by
OFFSET: a bookmark found for one request would cost the same scan, and a query more.
"""

import functools
import operator
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.db.models import F, OrderBy, Q

from ..pagecache.store import counted_once_per_generation


@dataclass(frozen=True)
class SortKey:
    """One term of a list's order: a field, its direction, where its NULLs go.

    ``nulls_last`` is None where the order does not say: the list then has no NULLs in
    that field (``published_at`` of a published story, the id), as each backend would
    place them differently.
    """

    field: str
    descending: bool
    nulls_last: bool | None = None

    @classmethod
    def of(cls, term):
        """The key of a term of ``order_by()``: "-published_at", or F("…").asc(nulls_last=True)."""
        if isinstance(term, str) and term != "?":
            return cls(term.removeprefix("-"), term.startswith("-"))
        if isinstance(term, OrderBy) and isinstance(term.expression, F):
            nulls_last = True if term.nulls_last else (False if term.nulls_first else None)
            return cls(term.expression.name, term.descending, nulls_last)
        raise ValueError(f"A keyset cannot follow the order term {term!r}.")

    def __str__(self):
        nulls = {None: "", True: "~nulls-last", False: "~nulls-first"}[self.nulls_last]
        return ("-" if self.descending else "") + self.field + nulls

    def equal_to(self, value):
        if value is None:
            return Q(**{f"{self.field}__isnull": True})
        return Q(**{self.field: value})

    def after(self, value, *, inclusive=False):
        """The rows this key puts after ``value`` (or at it too), or None if there are none."""
        if value is None:
            if self.nulls_last is None:
                raise ValueError(f"{self.field} has a NULL where the order places none.")
            if self.nulls_last:
                return self.equal_to(None) if inclusive else None
            return Q() if inclusive else Q(**{f"{self.field}__isnull": False})
        lookup = ("lt" if self.descending else "gt") + ("e" if inclusive else "")
        later = Q(**{f"{self.field}__{lookup}": value})
        return (later | self.equal_to(None)) if self.nulls_last else later


def after(keys, values):
    """The condition for the rows that ``keys`` put after the row whose values are ``values``.

    The first key differing decides: (a after, or a equal and b after, or …). The first key's
    bound is stated on its own too, as a range an index can start from: the database cannot
    start a scan from one branch of an OR (docs/performance.md, "Deep pages by keyset").
    """
    branches, equal_so_far = [], Q()
    for key, value in zip(keys, values, strict=True):
        later = key.after(value)
        if later is not None:
            branches.append(equal_so_far & later)
        equal_so_far &= key.equal_to(value)
    return keys[0].after(values[0], inclusive=True) & functools.reduce(operator.or_, branches)


class KeysetPaginator(Paginator):
    """Django's Paginator over an ordered queryset, each page after the first read by keyset.

    The queryset's order must end on the primary key ("pk"), so that no two stories tie.
    ``name`` names the list, what it holds whatever its order (a count's name will do): its
    pages and bookmarks are kept under it, with the order, for the archive's generation.

    ``order``, the queryset's ``order_by()`` terms, lets the queryset be a SimpleLazyObject:
    it is then built only when a page or a bookmark is not kept, where building it (the
    gateway's filter, the list's own, its order) cost a twentieth of a list page.
    """

    def __init__(self, object_list, per_page, *, name, order=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        terms = object_list.query.order_by if order is None else order
        self.keys = [SortKey.of(term) for term in terms]
        if not self.keys or self.keys[-1].field != "pk":
            raise ValueError('A keyset needs an order that ends on the primary key ("pk").')
        self.name = name

    def _check_object_list_is_ordered(self):
        """Nothing to warn of: a keyset's order was checked, more strictly, in __init__."""

    def page(self, number):
        if settings.COUNTS_CACHE_SECONDS <= 0:
            return super().page(number)
        # Django's checks: 404 for a page that is not a number or beyond the last.
        number = self.validate_number(number)
        # Its bounds are the paginator's; its rows, kept or read, are filled in below.
        page = self._get_page([], number, self)
        page.object_list = counted_once_per_generation(
            f"{self.name}:{self.order()}:{self.per_page}:page:{page.number}",
            lambda: list(self.rows(page)),
        )
        return page

    def rows(self, page):
        """The page's rows: the first page's slice, or those after the page before's last."""
        if page.number == 1:
            return self.object_list[: page.end_index()]
        # The page's own slice is never read: its stories follow the page before's last one.
        first = page.start_index()
        bookmark = self.bookmark(first - 2)
        if bookmark is None:
            # The list grew shorter since it was counted (a withdrawal a moment ago).
            raise EmptyPage(self.error_messages["no_results"])
        following = self.object_list.filter(after(self.keys, bookmark))
        return following[: page.end_index() - first + 1]

    def order(self):
        return ",".join(map(str, self.keys))

    def bookmark(self, index):
        """The sort values of the story at ``index`` (from 0), or None: once per generation."""

        def find():
            found = self.object_list.values_list(*(key.field for key in self.keys))
            return next(iter(found[index : index + 1]), None)

        return counted_once_per_generation(f"{self.name}:{self.order()}:{index}", find)
