"""The democratic appraisal of members (民主评议党员): a branch's grades for a year, the cap on
the top grade, and the follow-up of members appraised 基本合格 or 不合格."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.scope import ScopedQuerySet

from ..choices import AppraisalState, FollowUpStep


class MemberAppraisal(models.Model):
    """One branch's appraisal of its members for one period, approved by the committee above.

    `top_share` is the framework's cap on the share of the top grade when the appraisal was
    opened; approval is refused while more members hold the top grade than it allows.
    """

    period = models.ForeignKey(
        "assessment.Period", on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="member_appraisals",
        verbose_name=_("branch"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=AppraisalState.choices, default=AppraisalState.OPEN
    )
    top_share = models.FloatField(_("largest share of the top grade"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    details = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "organization__path"]
        verbose_name = _("member appraisal")
        verbose_name_plural = _("member appraisals")
        constraints = [
            models.UniqueConstraint(fields=["period", "organization"], name="appraisal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.period_id}"


class AppraisalPartQuerySet(ScopedQuerySet):
    scope_path_field = "appraisal__organization__path"


class MemberGrade(models.Model):
    """One member's grade in a branch's appraisal: the score and votes it was ranked by, the grade
    the scale proposed and the grade decided (a different grade needs a reason)."""

    appraisal = models.ForeignKey(MemberAppraisal, on_delete=models.CASCADE, related_name="grades")
    person = models.ForeignKey(
        "organizations.Person",
        on_delete=models.PROTECT,
        related_name="appraisal_grades",
        verbose_name=_("member"),
    )
    submission = models.ForeignKey(
        "assessment.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    votes = models.JSONField(_("votes"), default=dict, blank=True)
    proposed = models.CharField(_("proposed grade"), max_length=20, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = AppraisalPartQuerySet.as_manager()

    class Meta:
        ordering = ["appraisal", "rank", "person"]
        verbose_name = _("member's grade")
        verbose_name_plural = _("members' grades")
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "person"], name="member_grade_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.grade or self.proposed}"


class FollowUp(models.Model):
    """One step of the follow-up a member appraised 基本合格 or 不合格 receives (谈话提醒,
    限期改正, 组织处置): due by a date, owned by someone, done on a date."""

    grade = models.ForeignKey(MemberGrade, on_delete=models.CASCADE, related_name="follow_ups")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("branch"),
    )
    person = models.ForeignKey(
        "organizations.Person",
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("member"),
    )
    step = models.CharField(_("step"), max_length=20, choices=FollowUpStep.choices)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due", "person", "step"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["grade", "step"], name="follow_up_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} · {self.step}"
