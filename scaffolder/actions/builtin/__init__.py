"""Built-in actions with Backstage's ids and inputs; importing this package registers them."""

from . import catalog, change_requests, debug, fetch, filesystem, publish  # noqa: F401
