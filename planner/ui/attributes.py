"""The attributes panel: what the selected feature or district is (the identify result)."""

from __future__ import annotations

import dataclasses
import html

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from planner.domain import vocab
from planner.geo.basemap import districts
from planner.session import ScenarioEdited, ScenarioReplaced, SelectionChanged, Session
from planner.textsafe import printable
from planner.ui.binding import SessionLink
from planner.ui.i18n import tr
from planner.ui.widgets import ChoiceBox, fill_choices

#: Field names as a planner reads them.
#: Field names as a planner reads them ("中文 English"), from the vocabulary the undo labels use too.
FIELD_NAMES = {name: f"{zh} {en}" for name, (zh, en) in vocab.FIELD_LABELS.items()}


def readable(message: object) -> str:
    """A model's message with its field names as a planner reads them ("height_m: …" → "挂高 height_m: …")."""
    import re

    text = printable(message)
    return re.sub(
        r"\b(" + "|".join(map(re.escape, FIELD_NAMES)) + r"):",
        lambda m: f"{field_name(m.group(1))} ({m.group(1)}):",
        text,
    )


def _field_text(value: object) -> str:
    """A field's value as the form's text box holds it (empty for "not given")."""
    return "" if value is None else ("是" if value is True else "否" if value is False else str(value))


def field_name(name: str) -> str:
    """A field's name in the interface language (the field's own name if it has none)."""
    label = FIELD_NAMES.get(name)
    if label is None:
        return name
    zh, en = label.split(" ", 1)
    return tr(zh, en)


def _show(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{round(value, 7):,}" if abs(value) >= 1000 else f"{round(value, 7)}"  # as the file stores it
    if hasattr(value, "geom_type"):
        return (
            f"{value.geom_type} ({len(getattr(value, 'exterior', value).coords)} 点 points)"
            if value.geom_type == "Polygon"
            else value.geom_type
        )
    return html.escape(printable(value))


class FieldEdit(QLineEdit):
    """A form field whose Ctrl+Z / Ctrl+Y are the window's Undo and Redo, not the text box's own: an edit is
    committed on Enter, so the box's text history would show a value the scenario does not have."""

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and (
            e.matches(QKeySequence.StandardKey.Undo)
            or e.matches(QKeySequence.StandardKey.Redo)
            or QKeySequence(e.keyCombination()) in (QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z"))
        ):
            e.ignore()  # not taken here: the shortcut goes on to Edit ▸ Undo / Redo
            return False
        return super().event(e)


class AttributesPanel(QWidget):
    """The first selected item's attributes as a form: identify shows them, editing a field (Enter) pushes a
    command — the id and the geometry are shown, not edited here (the map tools move and reshape)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._link = SessionLink(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.text = QLabel()  # the hint, or what is not editable (a district's figures), as text
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.text)
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.form.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form_box)
        layout.addStretch(1)
        self.editors: dict[str, QLineEdit | QComboBox] = {}
        self._geometry_label: QLabel | None = None
        self._shown: tuple[str, str] | None = None
        self._link.attach(session, self._on_event)
        self.refresh()

    def _on_event(self, event: object) -> None:
        if isinstance(event, SelectionChanged | ScenarioReplaced):
            self.refresh()
        elif isinstance(event, ScenarioEdited) and self._shown is not None:
            layer, key = self._shown
            collection = "products" if layer == "districts" else layer
            if any(ch.collection == collection and ch.key == key for ch in event.changes):
                self._update_values()  # only when the shown item changed (not at every step of a drag elsewhere)

    def _update_values(self) -> None:
        """The shown item changed (a step of its drag, an undo): new values in the same form, the field being typed
        in left alone; the form is made again only if the item is gone."""
        layer, key = self._shown
        s = self.session.scenario
        if layer == "districts":
            values = {"products": s.products.get(key) or ""}
        else:
            feature = s.layer(layer).get(key)
            if feature is None:
                self.refresh()
                return
            values = {name: _field_text(getattr(feature, name)) for name in self.editors}
            if self._geometry_label is not None:
                self._geometry_label.setText(_show(feature.geometry) if hasattr(feature, "geometry") else "")
        for name, edit in self.editors.items():
            if isinstance(edit, QComboBox):
                i = edit.findData(values[name])
                if i >= 0 and i != edit.currentIndex():
                    edit.setCurrentIndex(i)
                continue
            text = printable(values[name]) if values[name] else ""
            if not (edit.hasFocus() and edit.isModified()) and edit.text() != text:  # not what is being typed
                edit.setText(text)

    def shown_text(self) -> str:
        """Everything the panel shows, as plain text (for tests and the clipboard)."""
        parts = [self.text.text()]
        for i in range(self.form.rowCount()):
            for role in (QFormLayout.ItemRole.LabelRole, QFormLayout.ItemRole.FieldRole):
                item = self.form.itemAt(i, role)
                w = item.widget() if item is not None else None
                if isinstance(w, QLineEdit | QLabel):
                    parts.append(w.text())
                elif isinstance(w, QComboBox):
                    parts.append(w.currentText())
        return "\n".join(parts)

    def _clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors = {}
        self._geometry_label = None

    def refresh(self) -> None:
        """Show the first selected item (or a hint when nothing is selected)."""
        sel = self.session.selection
        self._clear()
        self._shown = sel[0] if sel else None
        if not sel:
            hint = tr("选择地图上的要素以查看属性", "Select a feature on the map to see it")
            self.text.setText(f"<span style='color:#777'>{hint}</span>")
            return
        layer, key = sel[0]
        more = tr(f"另有 {len(sel) - 1} 个已选", f"and {len(sel) - 1} more selected") if len(sel) > 1 else ""
        self.text.setText(f"<span style='color:#777'>{more}</span>" if more else "")
        if layer == "districts":
            d = next((d for d in districts() if d.adcode == key), None)
            if d is None:
                return
            for label, value in (
                (tr("区县", "District"), f"{d.name_zh} {d.name_en}"),
                (tr("代码", "Adcode"), d.adcode),
                (tr("人口 (2020)", "Population (2020)"), f"{d.population_2020:,}"),
                (tr("面积", "Land area"), f"{d.land_area_km2:,.1f} km²"),
            ):
                self.form.addRow(label, QLabel(html.escape(value)))
            self._editor("products", tr("一区一品", "Product"), self.session.scenario.products.get(key) or "")
            return
        feature = self.session.scenario.layer(layer).get(key)
        if feature is None:
            return
        for f in dataclasses.fields(feature):
            value = getattr(feature, f.name)
            if f.name in ("id", "geometry"):
                label = QLabel(_show(value))
                self.form.addRow(field_name(f.name), label)
                if f.name == "geometry":
                    self._geometry_label = label
            elif (layer, f.name) in vocab.FIELD_VOCABULARIES:
                self._chooser(f.name, vocab.FIELD_VOCABULARIES[(layer, f.name)], value)
            else:
                self._editor(f.name, field_name(f.name), _field_text(value))

    def _chooser(self, name: str, words: vocab.Vocabulary, key: str) -> None:
        """A drop-down of a vocabulary's labels for a field whose values come from it; a choice is one command."""
        box = ChoiceBox()
        fill_choices(box, words)
        if key not in words:  # a value the vocabulary does not know (an older file): shown, not lost
            box.addItem(printable(key), key)
        box.setCurrentIndex(box.findData(key))
        box.activated.connect(lambda _i, n=name, b=box: self._chosen(n, b))
        self.form.addRow(field_name(name), box)
        self.editors[name] = box

    def _chosen(self, name: str, box: QComboBox) -> None:
        self._commit(name, lambda: box.currentData())

    def _editor(self, name: str, label: str, text: str) -> None:
        edit = FieldEdit(printable(text) if text else "")
        edit.setPlaceholderText("—")
        edit.editingFinished.connect(lambda n=name, e=edit: self._edited(n, e))
        self.form.addRow(label, edit)
        self.editors[name] = edit

    def _edited(self, name: str, edit: QLineEdit) -> None:
        """A field was edited (Enter): the value it holds, as :meth:`_commit` takes it."""
        from planner.ui.attribute_table import parse_value

        if self._shown is None:
            return
        layer = self._shown[0]
        # A district's one editable field is its product, taken as typed; a feature's field is parsed.
        value = (lambda: edit.text()) if layer == "districts" else (lambda: parse_value(layer, name, edit.text()))
        if self._commit(name, value):
            edit.setModified(False)  # committed: from now on the field shows the scenario's value (an undo, say)

    def _commit(self, name: str, value) -> bool:
        """Set field ``name`` of the shown item to ``value()`` as one command; a refused value is told in the status
        bar and the form restored. Returns whether a command was pushed (not when the value is unchanged)."""
        from planner.domain import commands as cmd

        if self._shown is None:
            return False
        layer, key = self._shown
        s = self.session.scenario
        try:
            v = value()
            if layer == "districts":
                if v.strip() == (s.products.get(key) or ""):
                    return False
                command = cmd.assign_product(s, key, v)
            else:
                if v == getattr(s.layer(layer)[key], name):
                    return False
                command = cmd.set_attributes(s, layer, key, **{name: v})
        except ValueError as exc:
            self.message.emit(f"未修改 Not changed — {field_name(name)}: {readable(exc)}")
            QTimer.singleShot(0, self.refresh)
            return False
        self.session.push(command)
        return True

    message = Signal(str)
