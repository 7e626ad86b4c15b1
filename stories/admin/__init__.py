"""
The admin, where moderators work. Django's autodiscover imports this package;
importing the modules below registers their ModelAdmins.
"""

from . import stories  # noqa: F401
