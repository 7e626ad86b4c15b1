from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stories"
    verbose_name = _("Archive")

    def ready(self):
        from .moderators import sync_moderators_group
        from .pagecache import receivers as page_cache_receivers
        from .search import receivers as search_receivers
        from .signin import receivers as sign_in_receivers

        # A data migration alone would run before permissions exist on a fresh
        # database; post_migrate runs after they are created, every time.
        post_migrate.connect(sync_moderators_group, sender=self)

        # What derives from the archive's rows follows them, from one place each.
        search_receivers.connect()
        page_cache_receivers.connect()
        # Who signed in to the admin, from Django's own sign-in signals.
        sign_in_receivers.connect()
