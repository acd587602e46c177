"""The notification tables. They belong to the `counseling` app (imported by its models)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.notifications.registry import KEY_MAX_LENGTH, get_kind
from counseling.permissions import access_of


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        # An inbox is personal: nobody, the system administrator included, reads another's.
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self):
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """One inbox row: written in the transaction of the action that caused it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=KEY_MAX_LENGTH)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("A page of the portal.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The bell counts a user's unread rows on every page; the inbox lists them by date.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None

    @property
    def kind_label(self):
        try:
            return get_kind(self.kind).label
        except LookupError:
            return self.kind


class DeliveryQuerySet(models.QuerySet):
    def due(self, older_than=0):
        """Pending deliveries whose attempt was due at least `older_than` seconds ago."""
        cutoff = timezone.now() - datetime.timedelta(seconds=older_than)
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=cutoff)

    def open(self):
        """What the administrator should look at: not sent yet, or given up on."""
        return self.exclude(status=Delivery.Status.SENT)


class Delivery(models.Model):
    """A notification's way out through one outside channel, with its attempts."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Group robot")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        null=True,
        blank=True,
        help_text=_("When a pending delivery is due; empty once sent or failed."),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set when a worker claims an attempt, cleared when it records the outcome: still set at
    # the next claim, the last attempt's worker died mid-send.
    attempt_started_at = models.DateTimeField(_("attempt started"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # A group robot's delivery is one message per event and robot (not per recipient): it
    # hangs on one of the event's notifications and names the robot and whom to @-mention.
    robot = models.ForeignKey(
        "counseling.WebhookChannel",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("group robot"),
    )
    mentions = models.JSONField(
        _("mentions"),
        default=list,
        blank=True,
        help_text=_("Mobile numbers of the staff who chose the robot, @-mentioned by the API."),
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_unique_channel"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", next_attempt_at__isnull=False) | ~Q(status="pending"),
                name="delivery_pending_has_due_time",
            ),
        ]
        indexes = [
            # requeue_notifications looks for pending rows that are due.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            # A robot's messages go out in order: send() looks for an older pending one.
            models.Index(fields=["robot", "status", "id"], name="delivery_robot_queue_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.notification.recipient} · {self.status}"


class NotificationPreference(models.Model):
    """A person's choice of outside channels for one kind; without a row, the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=KEY_MAX_LENGTH)
    email = models.BooleanField(_("e-mail"), default=False)
    webhook = models.BooleanField(_("group robot"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_unique_kind"),
        ]

    def __str__(self):
        return f"{self.user} · {self.kind}"


class WebhookChannelQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).school_q("school"))

    def active(self):
        return self.filter(is_active=True)


class WebhookChannel(AuditedModel):
    """A school's group robot in WeCom (企业微信) or DingTalk (钉钉)."""

    class Provider(models.TextChoices):
        WECOM = "wecom", _("WeCom")
        DINGTALK = "dingtalk", _("DingTalk")

    school = models.OneToOneField(
        "counseling.School",
        on_delete=models.CASCADE,
        related_name="webhook_channel",
        verbose_name=_("school"),
    )
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    url = models.URLField(
        _("webhook address"),
        max_length=500,
        help_text=_("The robot's address, as shown when the robot is added to the group."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only: the secret starting with SEC, when the robot signs."),
    )
    keyword = models.CharField(
        _("custom keyword"),
        max_length=20,
        blank=True,
        help_text=_(
            "DingTalk only: the robot's custom keyword (自定义关键词), when its security "
            "setting asks for one. Every message then carries it."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A configuration error (bad signature, keyword, token) is not retried: the school's
    # administrator sees it on the robot's page until a message goes through again.
    last_error = models.CharField(_("last configuration error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(_("configuration error at"), null=True, blank=True)

    objects = WebhookChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["school"]

    def __str__(self):
        return f"{self.school} · {self.get_provider_display()}"
