from committees.barometer import services as barometer
from committees.network import services as network
from counseling.scheduled.services import beat_task, moment_of


@beat_task("committees.send_meeting_reminders")
def send_meeting_reminders(day):
    """Daily (Celery beat): remind members and officers of tomorrow's meetings."""
    return network.send_reminders(on=day)


@beat_task("committees.barometer_reminders")
def barometer_reminders(day):
    """Daily (Celery beat): barometer reminders and the calendar-driven alert rules."""
    return barometer.run_reminders(now=moment_of(day))
