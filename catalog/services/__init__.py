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
    refreshes_to_redispatch,
    register_location,
    sync_config_locations,
    update_location,
    validate_location_spec,
)
from .refresh import RefreshReport
from .registration import LocationPreview, check_registrable_type, preview_location, spec_from_input

__all__ = [
    "LocationError",
    "LocationExists",
    "LocationPreview",
    "LocationSpec",
    "ProcessingError",
    "RefreshInProgress",
    "RefreshReport",
    "check_registrable_type",
    "delete_location",
    "delete_orphans",
    "due_locations",
    "parse_location_target",
    "preview_location",
    "refresh_location",
    "refreshes_to_redispatch",
    "register_location",
    "spec_from_input",
    "sync_config_locations",
    "update_location",
    "validate_location_spec",
]
