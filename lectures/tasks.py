from counseling.scheduled.services import beat_task
from lectures.events import services


@beat_task("lectures.send_session_reminders")
def send_session_reminders(day):
    """Daily (Celery beat): remind the attending classes and the speaker of tomorrow's sessions."""
    return services.send_reminders(on=day)
