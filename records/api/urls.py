"""API routes of the records app (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import ledgers, meetings
from .negative import NegativeEventViewSet

router = SimpleRouter()
router.register("meetings", meetings.MeetingViewSet, basename="meeting")
router.register("talks", meetings.TalkViewSet, basename="talk")
router.register("dues-payments", ledgers.DuesPaymentViewSet, basename="dues-payment")
router.register("study-records", ledgers.StudyRecordViewSet, basename="study-record")
router.register("points-entries", ledgers.PointsEntryViewSet, basename="points-entry")
router.register("negative-events", NegativeEventViewSet, basename="negative-event")

urlpatterns = router.urls
