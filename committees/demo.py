"""Demo data for the committee network (called by `manage.py load_demo`); idempotent."""

from committees.barometer.demo import load_barometers
from committees.network.demo import load_network


def load(school):
    load_network(school)
    load_barometers(school)
