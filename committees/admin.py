"""The committee network in the Django admin: each feature registers its own models."""

from committees.barometer import admin as barometer_admin
from committees.network import admin as network_admin

__all__ = ["barometer_admin", "network_admin"]
