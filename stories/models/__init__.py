"""
The archive's domain, as a package: story.py holds it all for now, and every
name is re-exported here, so migrations, fixtures and tests keep importing
from ``stories.models`` (the app label stays ``stories``).
"""

from .story import *  # noqa: F403
