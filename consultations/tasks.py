from celery import shared_task

from consultations.booking import services


@shared_task(name="consultations.send_booking_reminders")
def send_booking_reminders():
    """Daily (Celery beat): remind students and counselors of tomorrow's consultations."""
    return services.send_reminders()
