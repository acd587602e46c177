"""Stands in for consultations/figures.py in the hook's test."""


def semester_figures(school, semester):
    return [
        {
            "key": "consultations.cases",
            "label": "咨询个案",
            "value": 2,
            "unit": "个",
            "sensitive": True,
            "scope": "department",
        }
    ]
