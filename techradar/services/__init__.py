"""Every write to the radar, and the conversions to and from Backstage's format.

Views, the API, the admin, commands and tasks all call these functions.
"""

from .entries import EntryChange, create_entry, ensure_radar, move_entry, update_entry
from .exchange import export_radar, import_radar, radar_data
from .sync import sync_radar_source

__all__ = [
    "EntryChange",
    "create_entry",
    "ensure_radar",
    "export_radar",
    "import_radar",
    "move_entry",
    "radar_data",
    "sync_radar_source",
    "update_entry",
]
