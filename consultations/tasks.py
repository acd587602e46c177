from consultations.booking import services
from counseling.scheduled.services import beat_task, moment_of


@beat_task("consultations.send_booking_reminders")
def send_booking_reminders(day):
    """Daily (Celery beat): remind students and counselors of tomorrow's consultations."""
    return services.send_reminders(now=moment_of(day))
