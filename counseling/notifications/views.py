"""The inbox, the preferences page, the school's group robot, and the outgoing queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from counseling import audit
from counseling.notifications import channels, sending, services
from counseling.notifications.forms import PreferencesForm, WebhookChannelForm
from counseling.notifications.models import Delivery, Notification, WebhookChannel
from counseling.notifications.registry import kinds
from counseling.views.helpers import paginate, require_perm, school_of


@login_required
def inbox(request):
    notifications = Notification.objects.visible_to(request.user)
    show = request.GET.get("show", "")
    if show == "unread":
        notifications = notifications.unread()
    return render(
        request,
        "notifications/inbox.html",
        {"page": paginate(request, notifications), "show": show},
    )


@login_required
def detail(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    return render(request, "notifications/detail.html", {"notification": notification})


@login_required
@require_POST
def open_notification(request, pk):
    """Opening marks it read, then leads to what it is about (a page of the portal)."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:detail", pk=notification.pk)


@login_required
@require_POST
def mark_all_read(request):
    count = Notification.objects.visible_to(request.user).mark_read()
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, rows=services.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.save_preferences(request.user, form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "has_robot": sending.webhook_channel_for(request.user) is not None,
        },
    )


@login_required
@require_perm("counseling.manage_webhook")
def webhook(request):
    school = school_of(request)
    channel = WebhookChannel.objects.visible_to(request.user).filter(school=school).first()
    form = WebhookChannelForm(
        request.POST or None, instance=channel or WebhookChannel(school=school)
    )
    if request.method == "POST" and "test" in request.POST:
        if channel is None:
            messages.error(request, _("Save the group robot first."))
        else:
            text = _("Test message from the counseling portal, sent by %(name)s.") % {
                "name": request.user.get_full_name()
            }
            try:
                channels.post_webhook(channel, channels.compose(channel, text))
            except channels.DeliveryError as exc:
                messages.error(request, _("The robot did not accept the message: %s") % exc)
            else:
                WebhookChannel.objects.filter(pk=channel.pk).update(
                    last_error="", last_error_at=None
                )
                messages.success(request, _("Test message sent. Check the group."))
        return redirect("notifications:webhook")
    if request.method == "POST" and form.is_valid():
        changes = audit.form_changes(form)
        if "secret" in changes:
            changes["secret"] = ["***", "***"]  # the audit trail must not keep it
        audit.save_form(form, request.user, request=request, changes=changes)
        messages.success(request, _("Group robot saved."))
        return redirect("notifications:webhook")
    return render(
        request,
        "notifications/webhook.html",
        {"form": form, "channel": channel, "school": school},
    )


@login_required
@require_perm("counseling.see_deliveries")
def delivery_list(request):
    status = request.GET.get("status", "")
    deliveries = Delivery.objects.open().select_related("notification__recipient")
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    labels = {k.key: k.label for k in kinds()}
    page = paginate(request, deliveries.order_by("status", "-created_at", "-id"))
    for d in page:
        d.kind_label = labels.get(d.notification.kind, d.notification.kind)
    return render(
        request,
        "notifications/delivery_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [(v, lbl) for v, lbl in Delivery.Status.choices if v != "sent"],
            "counts": {
                s: Delivery.objects.filter(status=s).count()
                for s in (Delivery.Status.PENDING, Delivery.Status.FAILED)
            },
        },
    )


@login_required
@require_POST
@require_perm("counseling.see_deliveries")
def delivery_retry(request, pk=None):
    """Retry one delivery, or every failed one; they go through the queue like any other."""
    deliveries = Delivery.objects.all()
    if pk is not None:
        deliveries = deliveries.filter(pk=get_object_or_404(Delivery, pk=pk).pk)
    else:
        deliveries = deliveries.filter(status=Delivery.Status.FAILED)
    ids = services.retry(deliveries)
    queued = services.queue(ids)
    waiting = len(ids) - queued
    if waiting:
        messages.warning(
            request,
            ngettext(
                "The task queue is not reachable: %(n)s delivery waits for the next "
                "requeue_notifications run.",
                "The task queue is not reachable: %(n)s deliveries wait for the next "
                "requeue_notifications run.",
                waiting,
            )
            % {"n": waiting},
        )
    else:
        messages.success(
            request,
            ngettext("%(n)s delivery queued again.", "%(n)s deliveries queued again.", queued)
            % {"n": queued},
        )
    return redirect("notifications:deliveries")
