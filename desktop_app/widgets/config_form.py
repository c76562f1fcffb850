"""A config form built from an algorithm's config schema: every key, grouped by section, with
the TOML key, its range and its documentation in the tooltip. ``config()`` checks every field
and reports all errors at once, each highlighted beside its field."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.runs.config import ConfigError, KeySchema, check_value, config_from_dict, key_help, schema
from desktop_app.theme import ERROR, ERROR_BACKGROUND

ANNOTATIONS: dict[str, Any] = {"int": int, "float": float, "bool": bool, "str": str, "list[str]": tuple[str, ...], "list[int]": tuple[int, ...], "list[float]": tuple[float, ...]}
INVALID_STYLE = f"background: {ERROR_BACKGROUND}; border: 1px solid {ERROR};"


class FormErrors(ValueError):
    """Every invalid field of a form: ``errors`` maps the TOML key ("" for the whole config) to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def describe_range(key: KeySchema) -> str:
    """The allowed values of a key, as a tooltip line."""
    if key.choices:
        return "one of: " + ", ".join(key.choices) if key.type_name == "str" else "any of: " + ", ".join(key.choices)
    if key.range is not None:
        low, high = key.range
        shown_high = "∞" if high == math.inf else f"{high:g}"
        return f"range [{low:g}, {shown_high}]"
    return "true or false" if key.type_name == "bool" else ""


def parse_text(key: KeySchema, text: str) -> Any:
    """A field's text as the value TOML would hold.

    Raises:
        ConfigError: not a number / not a list of the right kind (the message names the key).
    """
    text = text.strip()
    if key.type_name in ("int", "float"):
        try:
            return int(text) if key.type_name == "int" else float(text)
        except ValueError:
            kind = "a whole number" if key.type_name == "int" else "a number"
            raise ConfigError(f"{key.dotted} must be {kind}, got {text!r}") from None
    if key.type_name in ("list[str]", "list[int]", "list[float]"):
        parts = [part.strip() for part in text.strip("[]").split(",") if part.strip()]
        if key.type_name == "list[int]":
            try:
                return [int(part) for part in parts]
            except ValueError:
                raise ConfigError(f"{key.dotted} must be whole numbers separated by commas, got {text!r}") from None
        if key.type_name == "list[float]":  # e.g. HyperNEAT's substrate coordinates: x, y pairs
            try:
                return [float(part) for part in parts]
            except ValueError:
                raise ConfigError(f"{key.dotted} must be numbers separated by commas, got {text!r}") from None
        return [part.strip("\"'") for part in parts]
    return text


def format_value(key: KeySchema, value: Any) -> str:
    """A config value as the field shows it."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


class ConfigForm(QWidget):
    """The form of one algorithm's config (``set_algorithm``), filled by ``set_config``.

    Signals:
        edited(): the user changed a field.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.general_error = QLabel()
        self.general_error.setWordWrap(True)
        self.general_error.setStyleSheet(f"color: {ERROR};")
        self.general_error.setVisible(False)
        self._layout.addWidget(self.general_error)
        self.fields: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self.keys: dict[str, KeySchema] = {}
        self.sections: dict[str, tuple[QToolButton, QWidget]] = {}
        self.config_type: type | None = None
        self._filling = False

    def set_algorithm(self, config_type: type, defaults_resource: str) -> None:
        """Build one field per key of ``config_type``, documented from its defaults file."""
        for button, body in self.sections.values():
            button.deleteLater()
            body.deleteLater()
        self.fields, self.error_labels, self.keys, self.sections = {}, {}, {}, {}
        if getattr(self, "_stretch", None) is not None:
            self._layout.removeItem(self._stretch)
        self.config_type = config_type
        helps = key_help(defaults_resource)
        current_section = None
        form = None
        for key in schema(config_type):
            if key.section != current_section:
                current_section = key.section
                button = QToolButton()
                button.setText(key.section)
                button.setCheckable(True)
                button.setChecked(True)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                button.setArrowType(Qt.ArrowType.DownArrow)
                button.setStyleSheet("QToolButton { border: none; font-weight: bold; }")
                button.setToolTip(helps.get(key.section, f"[{key.section}] section of the config"))
                body = QWidget()
                form = QFormLayout(body)
                form.setContentsMargins(12, 0, 0, 4)
                form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                button.toggled.connect(lambda shown, b=button, w=body: (w.setVisible(shown), b.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)))
                self._layout.addWidget(button)
                self._layout.addWidget(body)
                self.sections[key.section] = (button, body)
            field = self._make_field(key)
            tip = "\n".join(part for part in (helps.get(key.dotted, ""), f"[{key.dotted}]  {key.type_name}  {describe_range(key)}".rstrip()) if part)
            field.setToolTip(tip)
            label = QLabel(key.key.replace("_", " "))
            label.setToolTip(tip)
            error = QLabel()
            error.setWordWrap(True)
            error.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            error.setStyleSheet(f"color: {ERROR}; font-size: 11px;")
            error.setVisible(False)
            holder = QWidget()
            holder_layout = QVBoxLayout(holder)
            holder_layout.setContentsMargins(0, 0, 0, 0)
            holder_layout.setSpacing(0)
            holder_layout.addWidget(field)
            holder_layout.addWidget(error)
            assert form is not None
            form.addRow(label, holder)
            self.fields[key.dotted] = field
            self.error_labels[key.dotted] = error
            self.keys[key.dotted] = key
        # Spare height goes below the last section, not between the rows.
        self._layout.addStretch(1)
        self._stretch = self._layout.itemAt(self._layout.count() - 1)

    def _make_field(self, key: KeySchema) -> QWidget:
        if key.type_name == "bool":
            box = QCheckBox()
            box.toggled.connect(self._on_edited)
            return box
        if key.type_name == "str" and key.choices:
            combo = QComboBox()
            combo.addItems(list(key.choices))
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            combo.currentIndexChanged.connect(self._on_edited)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            return combo
        edit = QLineEdit()
        edit.setMinimumWidth(60)
        edit.textEdited.connect(self._on_edited)
        return edit

    def _on_edited(self, *_: object) -> None:
        if not self._filling:
            self.edited.emit()

    def set_config(self, config: Any) -> None:
        """Show ``config``'s values and clear error marks."""
        data = config.to_dict()
        self._filling = True
        try:
            for dotted, field in self.fields.items():
                section, name = dotted.split(".")
                self.set_field(dotted, data[section][name])
        finally:
            self._filling = False
        self.mark_errors({})

    def set_field(self, dotted: str, value: Any) -> None:
        """Put one value in its field."""
        field = self.fields[dotted]
        if isinstance(field, QCheckBox):
            field.setChecked(bool(value))
        elif isinstance(field, QComboBox):
            field.setCurrentText(str(value))
        else:
            field.setText(format_value(self.keys[dotted], value))

    def raw_value(self, dotted: str) -> Any:
        """A field's content as TOML data (may be invalid)."""
        field = self.fields[dotted]
        if isinstance(field, QCheckBox):
            return field.isChecked()
        if isinstance(field, QComboBox):
            return field.currentText()
        return parse_text(self.keys[dotted], field.text())

    def config(self) -> Any:
        """The config the form describes.

        Raises:
            FormErrors: one or more fields are invalid; all of them are marked in the form.
        """
        assert self.config_type is not None
        errors: dict[str, str] = {}
        data: dict[str, dict[str, Any]] = {}
        for dotted, key in self.keys.items():
            try:
                value = self.raw_value(dotted)
                annotation = ANNOTATIONS.get(key.type_name)
                metadata = {name: value for name, value in (("range", key.range), ("choices", key.choices)) if value is not None}
                if annotation is not None:
                    value = check_value(dotted, value, annotation, metadata)
            except ConfigError as error:
                errors[dotted] = str(error)
                continue
            data.setdefault(key.section, {})[key.key] = list(value) if isinstance(value, tuple) else value
        if not errors:
            try:
                result = config_from_dict(self.config_type, data, source="form")
            except ConfigError as error:
                # A rule across keys (e.g. ES needs an even population): mark the key it names.
                message = str(error)
                named = next((dotted for dotted in self.keys if message.startswith(dotted) or f" {dotted} " in f" {message} "), "")
                errors[named] = message
            else:
                self.mark_errors({})
                return result
        self.mark_errors(errors)
        raise FormErrors(errors)

    def mark_errors(self, errors: dict[str, str]) -> None:
        """Highlight these fields with their messages beside them; clear every other mark."""
        for dotted, field in self.fields.items():
            message = errors.get(dotted)
            field.setStyleSheet(INVALID_STYLE if message else "")
            label = self.error_labels[dotted]
            label.setText(message or "")
            label.setVisible(bool(message))
            if message:
                button, body = self.sections[self.keys[dotted].section]
                button.setChecked(True)
        general = errors.get("")
        self.general_error.setText(general or "")
        self.general_error.setVisible(bool(general))

    def invalid_fields(self) -> list[str]:
        """Keys currently marked invalid."""
        return [dotted for dotted, label in self.error_labels.items() if label.isVisible() or label.text()]
