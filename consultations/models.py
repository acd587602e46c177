"""The consultation room's models live in their features (`consultations/<feature>/models.py`).

Django files a model under the app whose package holds its module, and loads an app's models
through this module: importing each feature's models here is all the app label `consultations`
needs (tables and migrations unchanged). Import a model from its feature, as the code does:
`from consultations.cases.models import Case`.
"""

from consultations.booking import models as booking
from consultations.cases import models as cases
from consultations.crisis import models as crisis
from consultations.hours import models as hours
from consultations.letters import models as letters
from consultations.online import models as online
from consultations.room import models as room

FEATURES = (booking, cases, crisis, hours, letters, online, room)
