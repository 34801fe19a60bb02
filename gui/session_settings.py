"""What the window remembers between sessions, and the one way settings reach the Training form.

Remembered (``settings.ini`` in the user data folder, section ``session``): the Training
tab's data set, preset and hyper-parameters, the Draw tab's pen width, model and "Several
characters" mode, the tab on show and whether presenter view was on.  Saved when the window closes, put back when
each tab is first built.

The settings file is untrusted like any other: one that is too large, not text, or not
readable as INI is moved aside (``settings.ini.damaged``) and replaced by an empty one, with
a notice; a remembered value that no longer makes sense (a preset that does not exist, a
data set that was deleted) is dropped with a notice, never a crash.

:func:`apply_training` is also how a lesson sets the form (:mod:`gui.lessons`).
"""

from __future__ import annotations

import json
import logging
import os

from PySide6.QtCore import QSettings

from gui.errors import report

log = logging.getLogger("inklab.gui")

FILE = "settings.ini"
MAX_BYTES = 1024 * 1024
TRAINING, PEN, MODEL, PRESENTER, TAB, MULTI = (f"session/{key}" for key in (
    "training", "pen_width", "model", "presenter", "tab", "several_characters"))
TRAINING_KEYS = ("dataset", "preset", "epochs", "batch_size", "optimizer", "learning_rate", "validation",
                 "augment", "seed", "limit", "reject")


def _damage(path) -> str | None:
    """Why the settings file cannot be trusted, or None when it looks like InkLab's INI file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as err:
        return f"cannot be read ({err.strerror or err})"
    if size > MAX_BYTES:
        return f"is {size // 1024} KB, far more than settings take"
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return "is not text"
    if "\x00" in text:
        return "is not text"
    if QSettings(str(path), QSettings.Format.IniFormat).status() != QSettings.Status.NoError:
        return "is not a settings file"
    return None


def checked_settings() -> tuple[QSettings, str | None]:
    """The app's settings, and a notice when a damaged settings file had to be reset."""
    from core import storage
    from gui import app_settings

    path = storage.data_dir() / FILE
    damage = _damage(path)
    notice = None
    if damage is not None:
        aside = path.with_name(f"{FILE}.damaged")
        try:
            os.replace(path, aside)
            notice = f"Your settings file {damage}; InkLab started with its defaults (the old file is kept as {aside})."
        except OSError as err:
            notice = f"Your settings file {damage} and cannot be moved aside ({err}); its settings are not used."
        log.warning("settings file %s %s: reset", path, damage)
    return app_settings(), notice


# ------------------------------------------------------------------------------ the Training form


def apply_training(form, settings: dict) -> str:
    """Set the Training form to ``settings`` (keys of TrainingConfig; the preset's defaults for the rest).

    Returns a sentence for the user when the data set is not on this machine (the rest is set
    anyway), else "".
    """
    from core.models.presets import PRESETS

    note = ""
    dataset = settings.get("dataset")
    if dataset:
        form.refresh_datasets()
        index = form.dataset_combo.findData(dataset)
        if index >= 0:
            form.dataset_combo.setCurrentIndex(index)
        else:
            note = f"The data set “{dataset}” is not on this machine yet: get it on the Data sets tab."
    preset = settings.get("preset")
    if preset in PRESETS:
        if form.preset_combo.currentData() == preset:
            form._apply_preset_defaults()  # the preset's own values first, as on picking it
        form.preset_combo.setCurrentIndex(form.preset_combo.findData(preset))
    values = {
        "epochs": form.epochs_spin.setValue, "batch_size": form.batch_spin.setValue,
        "learning_rate": form.lr_spin.setValue, "seed": form.seed_spin.setValue,
    }
    for key, setter in values.items():
        if key in settings:
            setter(settings[key])
    if "optimizer" in settings:
        form.optimizer_combo.setCurrentIndex(max(0, form.optimizer_combo.findData(settings["optimizer"])))
    if "validation" in settings:
        validation = settings["validation"]
        as_count = isinstance(validation, int) and not isinstance(validation, bool)
        form.validation_unit.setCurrentIndex(1 if as_count else 0)
        form.validation_spin.setValue(validation if as_count else round(float(validation) * 100))
    form.limit_spin.setValue(int(settings.get("limit") or 0))
    if "augment" in settings:
        form.augment_box.setChecked(bool(settings["augment"]))
    if "reject" in settings:
        form.reject_check.setChecked(bool(settings["reject"]))
    form.update_validation_note()
    return note


def training_settings(form) -> dict:
    """The form's settings as plain data (what :func:`apply_training` takes)."""
    config = form.config()
    data = {key: getattr(config, key) for key in TRAINING_KEYS}
    return {key: value for key, value in data.items() if value is not None}


def _checked_training(text: object) -> dict:
    from core.errors import InkLabError
    from core.training.config import TrainingConfig

    data = json.loads(str(text))
    if not isinstance(data, dict) or set(data) - set(TRAINING_KEYS):
        raise ValueError("not a set of training settings")
    try:
        TrainingConfig(**data).validate()
    except (InkLabError, TypeError) as err:
        raise ValueError(str(err)) from None
    return data


# ------------------------------------------------------------------------------ save and restore


def save(window) -> None:
    """Remember the window's session (called as it closes)."""
    settings = window.settings
    training = window._built("Training")
    if training is not None and getattr(training, "_ready", False):
        settings.setValue(TRAINING, json.dumps(training_settings(training.form)))
    draw = window._built("Draw")
    if draw is not None:
        settings.setValue(PEN, int(draw.pad_panel.pen_slider.value()))
        settings.setValue(MULTI, bool(draw.multi.switch.isChecked()))
        if draw.current_model():
            settings.setValue(MODEL, draw.current_model())
    presenter = getattr(window, "presenter", None)
    settings.setValue(PRESENTER, bool(presenter is not None and presenter.active))
    settings.setValue(TAB, window.tab_titles()[window.tabs.currentIndex()])


def restore_tab(window, title: str) -> str:
    """Put back what is remembered for the tab ``title``, just built; a notice, or ""."""
    settings = window.settings
    try:
        if title == "Training" and settings.contains(TRAINING):
            tab = window._built("Training")
            tab.ensure_ready()
            return apply_training(tab.form, _checked_training(settings.value(TRAINING)))
        if title == "Draw":
            draw = window._built("Draw")
            if settings.contains(PEN):
                pen = int(settings.value(PEN))
                slider = draw.pad_panel.pen_slider
                if not slider.minimum() <= pen <= slider.maximum():
                    raise ValueError(f"pen width {pen}")
                slider.setValue(pen)
            draw.multi.switch.setChecked(str(settings.value(MULTI, "false")).lower() == "true")
            model = settings.value(MODEL)
            if model and draw.model_combo.findData(str(model)) >= 0:
                draw.select_model(str(model))
    except (ValueError, TypeError) as err:
        key = TRAINING if title == "Training" else PEN
        settings.remove(key)
        log.warning("remembered %s setting dropped: %s", title, err)
        return f"Your last {title.lower()} settings could not be restored ({str(err)[:120]}): the defaults are used."
    return ""


def restore_built(window, done: set[str]) -> None:
    """Restore each tab built since the last call (``done`` remembers which were)."""
    for title in ("Training", "Draw"):
        tab = window._built(title)
        if tab is not None and f"restored {title}" not in done:
            done.add(f"restored {title}")
            notice = restore_tab(window, title)
            if notice:
                report(tab, notice, "warning")


def restore_view(window, notice: str | None = None) -> None:
    """The tab on show last time, presenter view if it was on, and a damaged file's notice."""
    settings = window.settings
    if notice:
        report(window, notice)
    title = settings.value(TAB)
    if isinstance(title, str) and title in window.tab_titles():
        window.tabs.setCurrentIndex(window.tab_titles().index(title))
    if str(settings.value(PRESENTER, "false")).lower() == "true":
        window.presenter_action.setChecked(True)
