"""What every page's templates may ask for, read only if a template does."""

from django.utils.functional import SimpleLazyObject

from .. import models


def listed_places(request):
    """``listed_places``: {key: Place} of the places readers can browse (stories/_place.html).

    Read once per page, when the first story's place is shown, not once per card.
    """
    return {"listed_places": SimpleLazyObject(models.listed_places)}
