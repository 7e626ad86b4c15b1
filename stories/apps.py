from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stories"
    verbose_name = _("Archive")

    def ready(self):
        from .moderators import sync_moderators_group

        # A data migration alone would run before permissions exist on a fresh
        # database; post_migrate runs after they are created, every time.
        post_migrate.connect(sync_moderators_group, sender=self)

        from .pagecache import archive_changed

        # Any change to the archive's rows makes every cached page stale (pagecache.py).
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(archive_changed, dispatch_uid=f"pagecache-{signal}")
