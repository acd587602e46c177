"""Admin model names read as words in both languages; the portal has a favicon."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db
APPS = ("counseling", "committees", "lectures", "consultations", "reports", "axes")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_model_has_a_proper_plural(language):
    wrong = []
    with translation.override(language):
        for model in apps.get_models():
            if model._meta.app_label not in APPS:
                continue
            plural = str(model._meta.verbose_name_plural)
            if plural.endswith(("ys", "ss", "criterions", "feedbacks")) or (
                language == "zh-hans" and plural.isascii()
            ):
                wrong.append(f"{model._meta.label}: {plural}")
    assert wrong == []


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in page


def test_the_liaisons_answer_is_not_labelled_reason():
    from committees.barometer.forms import SuggestionAnswerForm

    with translation.override("zh-hans"):
        label = str(SuggestionAnswerForm().fields["answer"].label)
    assert label != "原因" and label == "答复"
