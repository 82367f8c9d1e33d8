"""Every write to the catalog goes through these functions."""

from .errors import ProcessingError
from .locations import (
    LocationError,
    LocationExists,
    LocationSpec,
    RefreshInProgress,
    delete_location,
    delete_orphans,
    due_locations,
    parse_location_target,
    refresh_location,
    register_location,
    sync_config_locations,
    update_location,
    validate_location_spec,
)
from .refresh import RefreshReport

__all__ = [
    "LocationError",
    "LocationExists",
    "LocationSpec",
    "ProcessingError",
    "RefreshInProgress",
    "RefreshReport",
    "delete_location",
    "delete_orphans",
    "due_locations",
    "parse_location_target",
    "refresh_location",
    "register_location",
    "sync_config_locations",
    "update_location",
    "validate_location_spec",
]
