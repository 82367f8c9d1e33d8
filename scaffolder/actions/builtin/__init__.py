"""Built-in actions with Backstage's ids and inputs; importing this package registers them."""

from . import catalog, debug, fetch, filesystem, publish  # noqa: F401
