"""Soundcheck's stored state: facts, checks, tracks with levels, results and their history, campaigns.

Entities are named by their ref (``kind:namespace/name``) rather than a foreign key: facts pushed by CI
may arrive before an entity is ingested, and results must survive an entity being re-created.
"""

from __future__ import annotations

from django.db import models


class Source(models.TextChoices):
    """Where a check, track or campaign definition came from."""

    ADMIN = "admin", "Django admin"
    REPOSITORY = "repository", "Repository (config as code)"
    BUILT_IN = "built-in", "Shipped with Greenroom"


class Fact(models.Model):
    """The current value of one named fact about one entity (``catalog.owner``, ``ci.tests_run``...)."""

    entity_ref = models.CharField(max_length=400)
    name = models.CharField(max_length=200, help_text="Dotted name, e.g. catalog.lifecycle or ci.coverage.")
    value = models.JSONField(null=True)
    collector = models.CharField(max_length=100, help_text="catalog, techdocs, repository, techradar, api...")
    collected_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity_ref", "name"], name="soundcheck_fact_unique")]
        indexes = [models.Index(fields=["name", "entity_ref"], name="soundcheck_fact_name")]

    def __str__(self) -> str:
        return f"{self.entity_ref} {self.name}={self.value!r}"


class FactHistory(models.Model):
    """Every value a fact has had, appended when it is collected with a different value."""

    entity_ref = models.CharField(max_length=400)
    name = models.CharField(max_length=200)
    value = models.JSONField(null=True)
    collector = models.CharField(max_length=100)
    collected_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["entity_ref", "name", "collected_at"], name="soundcheck_facthist")]
        ordering = ["-collected_at"]

    def __str__(self) -> str:
        return f"{self.entity_ref} {self.name}={self.value!r} at {self.collected_at:%Y-%m-%d %H:%M}"


class Check(models.Model):
    """A rule over facts, written declaratively (YAML in the admin or a repository)."""

    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rule = models.JSONField(help_text="The parsed rule: see docs/soundcheck.md for the syntax.")
    fail_message = models.TextField(blank=True, help_text="Why it failed, shown to owners.")
    fix = models.TextField(blank=True, help_text="How to fix it (Markdown).")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ADMIN)
    source_location = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    """An ordered ladder of levels (e.g. "Test Certified") for the entities its filter selects."""

    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    entity_filter = models.JSONField(
        default=dict,
        blank=True,
        help_text="Which entities it applies to: keys kind, type, lifecycle, tags, owner (each a list).",
    )
    owner_ref = models.CharField(max_length=400, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ADMIN)
    source_location = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """One rung of a track; an entity holds it when it passes its checks and every lower level's."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="levels")
    ordinal = models.PositiveSmallIntegerField(help_text="1 for the first level (L1), 2 for the next...")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    checks = models.ManyToManyField(Check, related_name="levels", blank=True)

    class Meta:
        ordering = ["track", "ordinal"]
        constraints = [models.UniqueConstraint(fields=["track", "ordinal"], name="soundcheck_level_unique")]

    def __str__(self) -> str:
        return f"{self.track.name} {self.name}"


class ResultState(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    ERROR = "error", "Error"  # the rule could not be evaluated (bad rule); the message says why


class CheckResult(models.Model):
    """The latest outcome of one check for one entity."""

    entity_ref = models.CharField(max_length=400)
    # Not named "check": a field of that name would hide Model.check(), which system checks call.
    # No single-column index (``soundcheck_checkresult_state`` starts with it) and no database
    # constraint: checking the key of each of a first run's millions of rows costs more than the
    # insert (docs/soundcheck.md, "Evaluation at scale"). Deleting a check still deletes its results
    # (Django's cascade), and a row a concurrent run wrote for a deleted check is removed by the
    # next full run.
    rule_check = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="results", db_index=False, db_constraint=False
    )
    state = models.CharField(max_length=10, choices=ResultState.choices)
    message = models.TextField(blank=True, help_text="Why it failed, or the evaluation error.")
    evaluated_at = models.DateTimeField()
    changed_at = models.DateTimeField(help_text="When the state last changed.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity_ref", "rule_check"], name="soundcheck_checkresult_unique")
        ]
        indexes = [models.Index(fields=["rule_check", "state"], name="soundcheck_checkresult_state")]

    def __str__(self) -> str:
        return f"{self.entity_ref} {self.rule_check_id}: {self.state}"


class CheckResultChange(models.Model):
    """A change of a check's state for an entity: the history behind trends and campaign burn-ups."""

    entity_ref = models.CharField(max_length=400)
    # As ``CheckResult.rule_check``: ``soundcheck_checkchange`` serves lookups, no database constraint.
    rule_check = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="changes", db_index=False, db_constraint=False
    )
    state = models.CharField(max_length=10, choices=ResultState.choices)
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["rule_check", "changed_at"], name="soundcheck_checkchange")]

    def __str__(self) -> str:
        return f"{self.entity_ref} {self.rule_check_id} -> {self.state}"


class TrackResult(models.Model):
    """The level an entity holds on a track (0: none yet), from its latest check results."""

    entity_ref = models.CharField(max_length=400)
    track = models.ForeignKey(  # ``soundcheck_trackresult_level`` starts with it: no index of its own
        Track, on_delete=models.CASCADE, related_name="results", db_index=False
    )
    level = models.PositiveSmallIntegerField(default=0)
    owner_ref = models.CharField(max_length=400, blank=True, help_text="The entity's owner when evaluated.")
    evaluated_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity_ref", "track"], name="soundcheck_trackresult_unique")]
        indexes = [
            models.Index(fields=["track", "level"], name="soundcheck_trackresult_level"),
            models.Index(fields=["owner_ref", "track"], name="soundcheck_trackresult_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_ref} {self.track_id}: L{self.level}"


class TrackResultChange(models.Model):
    """A change of the level an entity holds on a track: the history behind certification trends."""

    entity_ref = models.CharField(max_length=400)
    track = models.ForeignKey(  # ``soundcheck_trackchange`` starts with it: no index of its own
        Track, on_delete=models.CASCADE, related_name="changes", db_index=False
    )
    level = models.PositiveSmallIntegerField()
    owner_ref = models.CharField(max_length=400, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["track", "changed_at"], name="soundcheck_trackchange")]

    def __str__(self) -> str:
        return f"{self.entity_ref} {self.track_id} -> L{self.level}"


class EntityDigest(models.Model):
    """A fingerprint of one entity's current results (every check state and message, every track level
    and owner). A full evaluation compares it with the fingerprint of the outcomes it just computed and
    reads and writes the entity's results only when the two differ, so an unchanged entity costs no
    result read and no write. Written in the same transaction as the results it describes."""

    entity_ref = models.CharField(max_length=400, unique=True)
    digest = models.CharField(max_length=32, help_text="BLAKE2b (16 bytes, hex) of the entity's outcomes.")
    # What the outcomes were computed from (``soundcheck.evaluation.inputs``): a full run that finds
    # the same inputs, bound to the same ``digest``, skips the entity without evaluating it.
    inputs = models.CharField(max_length=32, blank=True, default="", db_default="")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When a max_age rule may change an outcome.")
    errors = models.PositiveIntegerField(default=0, db_default=0, help_text="Results in the error state.")

    def __str__(self) -> str:
        return f"{self.entity_ref}: {self.digest}"


class EvaluationRun(models.Model):
    """One full evaluation: when it ran and what it did. A result confirmed by a full run is not
    re-stamped row by row; its evaluation time is the later of its own ``evaluated_at`` and the start
    of the last finished full run (``soundcheck.runs.effective_evaluated_at``)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    entities = models.PositiveIntegerField(default=0)
    results = models.PositiveIntegerField(default=0)
    changed_entities = models.PositiveIntegerField(default=0, help_text="Entities whose results were rewritten.")
    check_changes = models.PositiveIntegerField(default=0)
    track_changes = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0.0)

    class Meta:
        indexes = [models.Index(fields=["-finished_at"], name="soundcheck_run_finished")]

    def __str__(self) -> str:
        return f"full evaluation at {self.started_at:%Y-%m-%d %H:%M:%S}"


class Campaign(models.Model):
    """A push to get a set of entities to a track level (or passing one check) by a deadline."""

    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.CASCADE, related_name="campaigns")
    target_level = models.PositiveSmallIntegerField(null=True, blank=True)
    rule_check = models.ForeignKey(Check, null=True, blank=True, on_delete=models.CASCADE, related_name="campaigns")
    entity_filter = models.JSONField(default=dict, blank=True, help_text="Same keys as a track's filter.")
    starts_on = models.DateField()
    deadline = models.DateField()
    owner_ref = models.CharField(max_length=400, blank=True)
    send_reminders = models.BooleanField(default=False)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ADMIN)
    source_location = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "key"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(track__isnull=False, rule_check__isnull=True, target_level__isnull=False)
                    | models.Q(track__isnull=True, rule_check__isnull=False)
                ),
                name="soundcheck_campaign_goal",
            )
        ]

    def __str__(self) -> str:
        return self.name
