from celery import shared_task

from committees.barometer import services as barometer
from committees.network import services as network


@shared_task(name="committees.send_meeting_reminders")
def send_meeting_reminders():
    """Daily (Celery beat): remind members and officers of tomorrow's meetings."""
    return network.send_reminders()


@shared_task(name="committees.barometer_reminders")
def barometer_reminders():
    """Daily (Celery beat): barometer reminders and the calendar-driven alert rules."""
    return barometer.run_reminders()
