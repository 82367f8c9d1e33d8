"""Fill title, spec_type and lifecycle of entities stored before those columns existed."""

from django.db import migrations

BATCH = 1000


def text(value, limit):
    return value[:limit] if isinstance(value, str) else ""


def backfill(apps, schema_editor):
    Entity = apps.get_model("catalog", "Entity")
    batch = []
    for entity in Entity.objects.only("id", "body").iterator(chunk_size=BATCH):
        spec = entity.body.get("spec") if isinstance(entity.body.get("spec"), dict) else {}
        entity.title = text((entity.body.get("metadata") or {}).get("title"), 400)
        entity.spec_type = text(spec.get("type"), 200).lower()
        entity.lifecycle = text(spec.get("lifecycle"), 200).lower()
        batch.append(entity)
        if len(batch) >= BATCH:
            Entity.objects.bulk_update(batch, ["title", "spec_type", "lifecycle"])
            batch = []
    if batch:
        Entity.objects.bulk_update(batch, ["title", "spec_type", "lifecycle"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_entity_type_lifecycle")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
