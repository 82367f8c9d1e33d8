"""Serializers of the entries API; writes go through the services."""

from __future__ import annotations

from rest_framework import serializers

from ..format import format_date
from ..models import RadarEntry, TimelineItem


class TimelineItemSerializer(serializers.ModelSerializer):
    ringId = serializers.CharField(source="ring.key")
    fromRingId = serializers.CharField(source="from_ring.key", default=None)
    date = serializers.SerializerMethodField()
    moved = serializers.IntegerField(source="trend")

    class Meta:
        model = TimelineItem
        fields = ["ringId", "fromRingId", "date", "description", "moved"]

    def get_date(self, item: TimelineItem) -> str:
        return format_date(item.date)


class RadarEntrySerializer(serializers.ModelSerializer):
    """An entry in Backstage's entry shape, plus its ring; ``ring`` and ``reason`` move it on update."""

    id = serializers.CharField(source="entry_id", read_only=True)
    quadrant = serializers.SlugRelatedField(slug_field="key", read_only=True)
    ring = serializers.CharField(source="ring.key", read_only=True)
    timeline = TimelineItemSerializer(many=True, read_only=True)
    links = serializers.ListField(child=serializers.DictField(child=serializers.CharField()), read_only=True)

    class Meta:
        model = RadarEntry
        fields = ["key", "id", "title", "quadrant", "ring", "description", "links", "timeline"]


class LinkSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=1000)
    title = serializers.CharField(max_length=200)


class RadarEntryWriteSerializer(serializers.Serializer):
    """Input for create (all but ``description``/``links``/``reason`` required) and update (partial)."""

    key = serializers.CharField(max_length=200, required=False)
    title = serializers.CharField(max_length=200, required=False)
    quadrant = serializers.CharField(max_length=100, required=False)
    ring = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    links = LinkSerializer(many=True, required=False)
    reason = serializers.CharField(required=False, allow_blank=True)
