"""Serializers of the meetings and talks API: what is read (with the roll nested) and what a
client sends to record or change one."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organizations.api.serializers import OrganizationSummarySerializer

from ..choices import Presence
from ..models import Attendance, Meeting, MeetingAttachment, Talk


class AttendanceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, label=_("name"))

    class Meta:
        model = Attendance
        fields = ["person", "person_name", "presence", "reason"]
        read_only_fields = fields


class MeetingAttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField(label=_("download"))

    class Meta:
        model = MeetingAttachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, attachment: MeetingAttachment) -> str:
        return reverse("records:meeting_attachment", args=[attachment.pk])


class AttendanceCountsSerializer(serializers.Serializer):
    present = serializers.IntegerField(label=_("present"))
    excused = serializers.IntegerField(label=_("excused"))
    absent = serializers.IntegerField(label=_("absent"))


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting with its roll and attachments."""

    organization = OrganizationSummarySerializer(read_only=True)
    kind_name = serializers.SerializerMethodField(label=_("kind name"))
    host_name = serializers.CharField(
        source="host.name", read_only=True, allow_null=True, label=_("host")
    )
    attendance = AttendanceSerializer(many=True, read_only=True)
    counts = serializers.SerializerMethodField(label=_("attendance counts"))
    attachments = MeetingAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organization",
            "kind",
            "kind_name",
            "party_group",
            "date",
            "place",
            "topic",
            "host",
            "host_name",
            "minutes",
            "attendance",
            "counts",
            "attachments",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_kind_name(self, meeting: Meeting) -> str:
        kind = self.context.get("kinds", {}).get(meeting.kind)
        return kind.display_name if kind else meeting.kind

    @extend_schema_field(AttendanceCountsSerializer)
    def get_counts(self, meeting: Meeting) -> dict[str, int]:
        counts = dict.fromkeys(Presence.values, 0)
        for row in meeting.attendance.all():
            counts[row.presence] += 1
        return counts


class AttendanceInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, label=_("person id"))
    presence = serializers.ChoiceField(choices=Presence.choices, label=_("attendance"))
    reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        label=_("reason"),
        help_text=_("Required for an excused absence."),
    )


class MeetingWriteSerializer(serializers.Serializer):
    """A meeting to record: its roll names every party member of the organization that day."""

    organization = serializers.IntegerField(min_value=1, label=_("organization id"))
    kind = serializers.CharField(
        max_length=40, label=_("kind"), help_text=_("A meeting kind code of the framework.")
    )
    date = serializers.DateField(label=_("date"))
    topic = serializers.CharField(max_length=300, label=_("topic"))
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    host = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    minutes = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    party_group = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    attendance = AttendanceInputSerializer(many=True, label=_("attendance"))


class MeetingChangeSerializer(serializers.Serializer):
    """What changes in a meeting; what is left out stays. `version` is the one you read."""

    version = serializers.IntegerField(min_value=1, label=_("version"))
    kind = serializers.CharField(max_length=40, required=False)
    date = serializers.DateField(required=False)
    topic = serializers.CharField(max_length=300, required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    host = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    minutes = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    party_group = serializers.CharField(max_length=100, required=False, allow_blank=True)
    attendance = AttendanceInputSerializer(many=True, required=False)


class AttachmentUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), label=_("files"), help_text=_("Photos or PDF files.")
    )


class TalkSerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True)
    talker_name = serializers.CharField(source="talker.name", read_only=True, label=_("talked"))
    partner_name = serializers.CharField(source="partner.name", read_only=True, label=_("with"))

    class Meta:
        model = Talk
        fields = [
            "id",
            "organization",
            "talker",
            "talker_name",
            "partner",
            "partner_name",
            "date",
            "topic",
            "note",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class TalkWriteSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, label=_("organization id"))
    talker = serializers.IntegerField(min_value=1, label=_("talked (person id)"))
    partner = serializers.IntegerField(min_value=1, label=_("with (person id)"))
    date = serializers.DateField(label=_("date"))
    topic = serializers.CharField(max_length=300, label=_("topic"))
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class TalkChangeSerializer(serializers.Serializer):
    """What changes in a talk; what is left out stays. `version` is the one you read."""

    version = serializers.IntegerField(min_value=1, label=_("version"))
    talker = serializers.IntegerField(min_value=1, required=False)
    partner = serializers.IntegerField(min_value=1, required=False)
    date = serializers.DateField(required=False)
    topic = serializers.CharField(max_length=300, required=False)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class RecordErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(label=_("message"))
    current_version = serializers.IntegerField(required=False, label=_("current version"))
