"""API routes of the assessment app (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import scores, views, workflow

router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("periods", workflow.PeriodViewSet, basename="period")
router.register("submissions", workflow.SubmissionViewSet, basename="submission")
router.register("scores", scores.SubjectScoreViewSet, basename="score")
router.register("rollups", scores.RollupViewSet, basename="rollup")

urlpatterns = router.urls
