"""Groups of settings built from the environment, read by ``portal.settings`` (docs/settings.md)."""
