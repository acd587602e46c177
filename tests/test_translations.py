"""The Chinese catalog is complete, compiled, and what a visitor sees by default.

The .po files are parsed by hand here so that the check needs nothing beyond Django.
"""

import gettext as py_gettext
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
ZH_MO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|\{\{\s*[\w.]+\s*\}\}")


def _unquote(text):
    """The value of one quoted .po string: "..." with C-style escapes."""
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), f"not a quoted string: {text!r}"
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path):
    """The entries of a .po file: dicts with msgctxt, msgid, msgid_plural, msgstr, flags.

    msgstr is a dict {index: text}; a singular entry has only index 0. Obsolete entries
    (#~) are skipped; the header (empty msgid) is returned like any other entry.
    """
    entries = []
    entry = None
    field = None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                finish()
                entry = None
            entry = entry or {"flags": set(), "msgstr": {}, "line": number}
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith('"'):
            assert field is not None, f"{path}:{number}: continuation without a keyword"
            key, index = field
            if key == "msgstr":
                entry["msgstr"][index] += _unquote(line)
            else:
                entry[key] += _unquote(line)
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        assert match, f"{path}:{number}: cannot read {raw!r}"
        key, index, value = match.group(1), match.group(2), _unquote(match.group(3))
        if key in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
            finish()
            entry = None
        entry = entry or {"flags": set(), "msgstr": {}, "line": number}
        if key == "msgstr":
            entry["msgstr"][int(index or 0)] = value
            field = (key, int(index or 0))
        else:
            entry[key] = value
            field = (key, None)
    finish()
    return entries


def _messages(path):
    return [e for e in parse_po(path) if e["msgid"]]


def _header(path):
    return next(e for e in parse_po(path) if e["msgid"] == "")


def _label(entry):
    return f"{entry['msgid']!r} (line {entry['line']})"


def test_the_parser_reads_the_zh_catalog():
    entries = _messages(ZH_PO)
    assert len(entries) > 100
    week = [e for e in entries if e["msgid"] == "Week %(n)s"]
    assert week and week[0]["msgstr"] == {0: "第%(n)s周"}


def test_every_zh_entry_is_translated_and_not_fuzzy():
    header = _header(ZH_PO)
    assert "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]
    untranslated, fuzzy = [], []
    for entry in _messages(ZH_PO):
        if "fuzzy" in entry["flags"]:
            fuzzy.append(_label(entry))
        if "msgid_plural" in entry:
            # Chinese has one plural form: exactly msgstr[0].
            if set(entry["msgstr"]) != {0} or not entry["msgstr"][0].strip():
                untranslated.append(_label(entry))
        elif not entry["msgstr"].get(0, "").strip():
            untranslated.append(_label(entry))
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_zh_translations_keep_every_placeholder():
    wrong = []
    for entry in _messages(ZH_PO):
        wanted = set(_PLACEHOLDER.findall(entry["msgid"]))
        if "msgid_plural" in entry:
            wanted |= set(_PLACEHOLDER.findall(entry["msgid_plural"]))
        for text in entry["msgstr"].values():
            if set(_PLACEHOLDER.findall(text)) != wanted:
                wrong.append(_label(entry))
    assert not wrong, f"placeholders differ: {wrong}"


def test_the_compiled_catalogs_match_the_po_files():
    """The committed .mo files are what a machine without gettext serves: keep them current."""
    assert EN_PO.exists() and EN_MO.exists()
    with ZH_MO.open("rb") as handle:
        compiled = py_gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages(ZH_PO):
        context = entry.get("msgctxt")
        expected = entry["msgstr"][0]
        if "msgid_plural" in entry:
            if context is None:
                got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            else:
                got = compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
        elif context is None:
            got = compiled.gettext(entry["msgid"])
        else:
            got = compiled.pgettext(context, entry["msgid"])
        if got != expected:
            stale.append(_label(entry))
    assert not stale, f"django.mo is older than django.po, run compilemessages: {stale}"


def test_the_login_page_is_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "登录" in page
    assert "Sign in" not in page
    assert '<html lang="zh-hans">' in page


def test_the_language_cookie_switches_to_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign in" in page
    assert "登录" not in page
    assert '<html lang="en">' in page


def test_dates_are_written_the_chinese_way():
    with translation.override("zh-hans"):
        assert date_filter(date(2026, 9, 22)) == "2026年9月22日"


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "第3周"), ("en", "Week 3")])
def test_week_labels(language, label):
    with translation.override(language):
        assert translation.gettext("Week %(n)s") % {"n": 3} == label
