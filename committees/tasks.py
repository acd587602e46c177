from celery import shared_task

from committees import services


@shared_task(name="committees.send_meeting_reminders")
def send_meeting_reminders():
    """Daily (Celery beat): remind members and officers of tomorrow's meetings."""
    return services.send_reminders()
