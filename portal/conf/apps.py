"""Each app's settings dict (``CATALOG``, ``TECH_RADAR``, ``SOUNDCHECK``, ``SCAFFOLDER``, ``TECHDOCS``...),
read from the environment when ``portal.settings`` calls these functions (a reload reads it again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from portal.env import env_bool, env_int, env_list, env_str


def catalog(data_dir: Path) -> dict[str, Any]:
    """``CATALOG``: the counterpart of Backstage's ``catalog:`` app-config section."""
    return {
        # Static locations: [{"type": "file"|"url", "target": "...", "rules": [{"allow": [...]}]}].
        "LOCATIONS": [],
        # Kinds every location may emit; Greenroom's default allows every built-in kind.
        "RULES": [{"allow": ["*"]}],
        # Seconds between scheduled refreshes of each location.
        "REFRESH_INTERVAL": env_int("CATALOG_REFRESH_INTERVAL", 300),
        # A location whose refreshes keep failing waits twice as long after each failure, up to this.
        "REFRESH_BACKOFF_MAX": env_int("CATALOG_REFRESH_BACKOFF_MAX", 6 * 3600),
        # A refresh that has not finished after this many seconds is considered dead and may be retried.
        "REFRESH_LOCK_TIMEOUT": env_int("CATALOG_REFRESH_LOCK_TIMEOUT", 1800),
        # Files are parsed as a stream of documents, each written in batches, so a big organisation
        # file costs its own size in memory once; bombs are refused by the per-document limits.
        "MAX_FILE_BYTES": env_int("CATALOG_MAX_FILE_BYTES", 256 * 1024 * 1024),
        "MAX_FILES_PER_LOCATION": env_int("CATALOG_MAX_FILES_PER_LOCATION", 200_000),
        "GIT_CACHE_DIR": data_dir / "git",
        "GIT_TIMEOUT": env_int("CATALOG_GIT_TIMEOUT", 120),
        # Local git remotes (file:// and paths): off unless switched on. Either way, local targets come
        # only from settings or a platform admin, and only under LOCAL_ROOTS (catalog/formats/readers/local_targets.py).
        "ALLOW_LOCAL_GIT": env_bool("CATALOG_ALLOW_LOCAL_GIT", False),
        # Directories local targets (file locations, file:// and path remotes) must resolve inside.
        # The embedded demo adds its own folder, catalog/demo/.
        "LOCAL_ROOTS": env_list("CATALOG_LOCAL_ROOTS", []),
        # Hosts that https/ssh git remotes may use; empty allows any public host.
        "GIT_ALLOWED_HOSTS": env_list("CATALOG_GIT_ALLOWED_HOSTS", []),
        "ALLOW_PRIVATE_ADDRESSES": env_bool("CATALOG_ALLOW_PRIVATE_ADDRESSES", False),
        # A PEM file of CAs trusted besides the system's for git and HTTPS reads (a private CA).
        "CA_BUNDLE": env_str("GREENROOM_CA_BUNDLE", "") or None,
        # Load the demo catalog when `manage.py serve` starts.
        "LOAD_DEMO": env_bool("GREENROOM_LOAD_DEMO", True),
        # Graphviz's dot draws the Relations tab's graph; without it the tab lists the relations.
        "GRAPHVIZ_DOT": env_str("CATALOG_GRAPHVIZ_DOT", "dot"),
        "GRAPHVIZ_TIMEOUT": env_int("CATALOG_GRAPHVIZ_TIMEOUT", 5),
        # Where chat and on-call annotations link to (catalog/contact_links.py); empty: shown as text.
        # Slack: the workspace URL (https://acme.slack.com), whose app_redirect opens a channel by name.
        "CONTACT_LINKS": {
            "slack": env_str("CONTACT_SLACK_URL", ""),
            "pagerduty": env_str("CONTACT_PAGERDUTY_URL", ""),
            "opsgenie": env_str("CONTACT_OPSGENIE_URL", ""),
        },
    }


def tech_radar() -> dict[str, Any]:
    """``TECH_RADAR``: the radars, where their data comes from and how entities name technologies."""
    return {
        # Radar data files kept in repositories: [{"radar": slug, "type": "file"|"url", "target": ..., "title": ...}].
        # ``url`` targets are git targets spelled as catalog locations (``<remote>#<branch>:<path>``).
        "SOURCES": (
            [{"radar": env_str("TECH_RADAR_SLUG", "default"), "type": "url", "target": env_str("TECH_RADAR_URL", "")}]
            if env_str("TECH_RADAR_URL", "")
            else []
        ),
        "SYNC_INTERVAL": env_int("TECH_RADAR_SYNC_INTERVAL", 3600),
        # The radar /tech-radar/ and /api/tech-radar/data show.
        "DEFAULT_RADAR": env_str("TECH_RADAR_DEFAULT", "default"),
        # How catalog entities name the technologies they use: a tag equal to an entry's key (or its
        # title in lowercase) and/or this annotation, a comma-separated list of entry keys.
        "MATCH_TAGS": env_bool("TECH_RADAR_MATCH_TAGS", True),
        "ANNOTATION": env_str("TECH_RADAR_ANNOTATION", "greenroom.io/tech-radar"),
    }


def soundcheck_reminders() -> dict[str, Any]:
    """``SOUNDCHECK_REMINDERS`` (docs/soundcheck-views.md): campaign reminder mails."""
    return {
        # Off switches every campaign's reminders off, whatever each campaign says.
        "ENABLED": env_bool("SOUNDCHECK_REMINDERS_ENABLED", True),
        # A campaign mails its laggard teams at most once per this many days.
        "INTERVAL_DAYS": env_int("SOUNDCHECK_REMINDER_INTERVAL_DAYS", 7),
        "FROM_EMAIL": env_str("SOUNDCHECK_REMINDER_FROM_EMAIL", "") or None,  # None: DEFAULT_FROM_EMAIL
        # The portal's address, for the campaign link in each mail.
        "BASE_URL": env_str("SOUNDCHECK_BASE_URL", ""),
    }


def soundcheck() -> dict[str, Any]:
    """``SOUNDCHECK`` (docs/soundcheck.md): config-as-code sources, batch size and upload limit."""
    return {
        # Config as code: definition files read through the catalog's readers, as {"type": "file"|"url",
        # "target": ...}; SOUNDCHECK_SOURCES may hold the same list as JSON.
        "SOURCES": json.loads(env_str("SOUNDCHECK_SOURCES", "[]")),
        # Entities per batch of the bulk evaluator and the collectors (one set of queries per batch).
        "BATCH_SIZE": env_int("SOUNDCHECK_BATCH_SIZE", 1000),
        # Largest JUnit / Cobertura upload accepted by the facts API.
        "MAX_UPLOAD_BYTES": env_int("SOUNDCHECK_MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
    }


def scaffolder(data_dir: Path) -> dict[str, Any]:
    """``SCAFFOLDER``: task workspaces, timeouts, value limits and the publishers' git remotes."""
    return {
        # Where task workspaces are made (deleted when each run ends); empty means the system temp dir.
        "WORKING_DIRECTORY": env_str("SCAFFOLDER_WORKING_DIRECTORY", ""),
        # A processing task with no heartbeat for this many seconds is failed by the reaper.
        "TASK_TIMEOUT": env_int("SCAFFOLDER_TASK_TIMEOUT", 300),
        # Form values larger than this (as JSON) are refused.
        "MAX_VALUES_BYTES": env_int("SCAFFOLDER_MAX_VALUES_BYTES", 256 * 1024),
        # Git remotes the publish:* actions push to, chosen by the repoUrl host:
        # {"host": "github.com", "type": "github", "remote": "https://github.com/{owner}/{repo}.git",
        #  "web": "https://github.com/{owner}/{repo}", "token_env": "GITHUB_TOKEN"}.
        # SCAFFOLDER_PUBLISHERS may hold the same list as JSON.
        "PUBLISHERS": json.loads(env_str("SCAFFOLDER_PUBLISHERS", "[]")),
        # file:// and path remotes (a bare repository on this machine); for tests and demos only.
        "ALLOW_FILE_REMOTES": env_bool("SCAFFOLDER_ALLOW_FILE_REMOTES", False),
        # GET /api/scaffolder/v2/tasks/{id}/events waits this long for a new event (capped at 25 s).
        "EVENTS_LONG_POLL_SECONDS": env_int("SCAFFOLDER_EVENTS_LONG_POLL_SECONDS", 20),
        # The demo publisher: repoUrl host "demo.local" publishes to a bare repository made under
        # GREENROOM_DATA_DIR/demo-repos/; off unless set (manage.py serve turns it on with the demo).
        "DEMO_PUBLISHER": env_bool("SCAFFOLDER_DEMO_PUBLISHER", False),
        # A finished run's workspace is kept this many seconds for download (0: deleted at once), in
        # KEPT_WORKSPACES_DIRECTORY; the periodic job scaffolder.remove_expired_workspaces deletes it.
        "WORKSPACE_RETENTION": env_int("SCAFFOLDER_WORKSPACE_RETENTION", 24 * 60 * 60),
        "KEPT_WORKSPACES_DIRECTORY": env_str(
            "SCAFFOLDER_KEPT_WORKSPACES_DIRECTORY", str(data_dir / "scaffolder-workspaces")
        ),
    }


def techdocs() -> dict[str, Any]:
    """``TECHDOCS`` (docs/techdocs.md): the builder and the limits on one build."""
    return {
        # "local": the portal builds sites with MkDocs; "external": CI builds and uploads them (API).
        "BUILDER": env_str("TECHDOCS_BUILDER", "local"),
        # MkDocs plugins a site may enable; anything else is removed from its mkdocs.yml before the build.
        "ALLOWED_PLUGINS": ["techdocs-core", "search", *env_list("TECHDOCS_EXTRA_PLUGINS", [])],
        # Limits on one build: wall time, address space and largest file of the MkDocs process, the
        # source read and the site produced.
        "BUILD_TIMEOUT": env_int("TECHDOCS_BUILD_TIMEOUT", 300),
        "BUILD_MEMORY_BYTES": env_int("TECHDOCS_BUILD_MEMORY_BYTES", 2 * 1024 * 1024 * 1024),
        "MAX_FILE_BYTES": env_int("TECHDOCS_MAX_FILE_BYTES", 20 * 1024 * 1024),
        "MAX_SOURCE_BYTES": env_int("TECHDOCS_MAX_SOURCE_BYTES", 100 * 1024 * 1024),
        "MAX_SOURCE_FILES": env_int("TECHDOCS_MAX_SOURCE_FILES", 5_000),
        "MAX_SITE_BYTES": env_int("TECHDOCS_MAX_SITE_BYTES", 200 * 1024 * 1024),
        # Uploaded archives (external builds) larger than this are refused before they are read.
        "MAX_UPLOAD_BYTES": env_int("TECHDOCS_MAX_UPLOAD_BYTES", 50 * 1024 * 1024),
        # MkDocs runs in its own network namespace (unshare): "auto" (if available), "required", "off".
        "NETWORK_SANDBOX": env_str("TECHDOCS_NETWORK_SANDBOX", "auto"),
        # GET /api/techdocs/sync/... follows a build for at most this many seconds (capped at 25).
        "SYNC_WAIT_SECONDS": env_int("TECHDOCS_SYNC_WAIT_SECONDS", 25),
        # README fallback: larger READMEs are not rendered.
        "MAX_README_BYTES": env_int("TECHDOCS_MAX_README_BYTES", 512 * 1024),
    }


def techdocs_storage(data_dir: Path) -> dict[str, Any]:
    """The "techdocs" storage: files under ``data_dir``/techdocs, or an S3-compatible bucket when
    ``TECHDOCS_STORAGE=s3`` (django-storages; settings in docs/techdocs.md)."""
    if env_str("TECHDOCS_STORAGE", "local") == "s3":
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("TECHDOCS_S3_BUCKET", ""),
                "region_name": env_str("TECHDOCS_S3_REGION", "") or None,
                "endpoint_url": env_str("TECHDOCS_S3_ENDPOINT_URL", "") or None,
                "location": env_str("TECHDOCS_S3_PREFIX", ""),
                "addressing_style": "path" if env_bool("TECHDOCS_S3_PATH_STYLE", False) else None,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": True,
            },
        }
    else:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(data_dir / "techdocs"), "base_url": None},
        }
