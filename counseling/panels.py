"""Home-page panels. The core knows no feature app, so each app registers, in its
AppConfig.ready(), a function that returns what a person should see first — or None.

    register_panel(my_panel, order=10)

    def my_panel(request, home):   # home: {"school", "semester", "week", "access"}
        return {"template": "myapp/panels/x.html", ...context}
"""

from django.template.loader import render_to_string

_panels = []


def register_panel(func, *, order=100):
    if func not in [f for _o, f in _panels]:
        _panels.append((order, func))
        _panels.sort(key=lambda item: item[0])


def panels_for(request, home):
    """The registered panels that have something for this person, rendered to HTML."""
    result = []
    for _order, func in _panels:
        panel = func(request, home)
        if panel:
            result.append(render_to_string(panel.pop("template"), panel, request=request))
    return result
