from celery import shared_task

from lectures.events import services


@shared_task(name="lectures.send_session_reminders")
def send_session_reminders():
    """Daily (Celery beat): remind the attending classes and the speaker of tomorrow's sessions."""
    return services.send_reminders()
