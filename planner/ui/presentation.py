"""Presentation mode: the map full screen for a room, with large labels and legend, one-click layers, the years
played one by one, bookmarks stepped through with a presentation clicker, and a district's figures on hover.

``F11`` (View ▸ 演示模式) enters and leaves it, ``Esc`` leaves it. While presenting, ``Space`` plays or pauses the
years (from the base year to the horizon, about one a second), ``→`` / ``Page Down`` go to the next bookmark and
``←`` / ``Page Up`` to the previous one (what a clicker sends). These keys are window actions enabled only while
presenting, so that outside it the arrows pan the map and Esc clears the selection as before.

Everything shown is derived from the session (year, layers, figures) and from the bookmark navigator (which
bookmark is current); the buttons write to the session and the navigator, never to another widget. The overlay is
a few cards floating over the map (children of the canvas), placed again whenever the map is resized.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QGraphicsDropShadowEffect,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QSlider,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from planner.analysis.choropleth import FIGURES as CHOROPLETH_FIGURES
from planner.analysis.choropleth import class_breaks, district_values
from planner.domain import vocab
from planner.session import (
    FiguresUpdated,
    LayerChanged,
    ScenarioEdited,
    ScenarioReplaced,
    Session,
    YearChanged,
)
from planner.textsafe import printable
from planner.ui import style
from planner.ui.binding import SessionLink
from planner.ui.bookmarks import BookmarkNavigator, BookmarksPanel
from planner.ui.coverage_layer import COVERAGE_NAMES, COVERED_COLOURS, UNCOVERED_COLOUR
from planner.ui.i18n import tr

#: How long each year is shown while the years play.
PLAY_INTERVAL_MS = 1000
#: District labels while presenting, × their usual size.
LABEL_SIZE = 1.7
#: The layers a presenter switches with one click: key → (中文, English). The four networks are the coverage
#: layer drawn one way or another (one at a time); 一区一品 is the districts drawn by product.
PRESENTER_LAYERS: dict[str, tuple[str, str]] = {
    "5g": ("5G", "5G"),
    "5g_a": ("5G-A", "5G-A"),
    "f5g": ("F5G", "F5G"),
    "dual": ("双万兆", "Dual 10G"),
    "parks": ("数创港与园区", "Parks"),
    "products": ("一区一品", "Products"),
    "zones": ("区域", "Zones"),
    "sites": ("站点", "Sites"),
}
COVERAGE_KEYS = ("5g", "5g_a", "f5g", "dual")

_CARD_STYLE = (
    "QFrame#card { background: rgba(255, 255, 255, %d); border: 1px solid #c9d1d9; border-radius: 12px; }"
    " QLabel { background: transparent; color: #1f2a36; }"
)
_BUTTON_STYLE = (
    "QToolButton { border: 1px solid #b8c2cc; border-radius: 7px; padding: 5px 12px; background: #f4f6f8;"
    " color: #1f2a36; }"
    " QToolButton:hover { background: #e3e9ef; }"
    " QToolButton:checked { background: #1f4e79; color: white; border-color: #1f4e79; }"
    " QToolButton:disabled { color: #a0a7ae; }"
)


# ----------------------------------------------------------------------------------------- layers, one click each
def layer_shown(session: Session, key: str) -> bool:
    """Whether the presenter's layer ``key`` (:data:`PRESENTER_LAYERS`) is on the map now."""
    layers = session.layers
    if key in COVERAGE_KEYS:
        return layers["coverage"].visible and layers["coverage"].style == key
    if key == "products":
        return layers["districts"].visible and layers["districts"].style == "product"
    return layers[key].visible


def toggle_layer(session: Session, key: str) -> None:
    """Show the presenter's layer ``key`` if it is hidden, hide it if it is shown (through the session).

    A network replaces the one the coverage layer showed; 一区一品 shows the districts drawn by product."""
    on = layer_shown(session, key)
    if key in COVERAGE_KEYS:
        if not on:
            session.set_layer_style("coverage", key)
        session.set_layer_visible("coverage", not on)
    elif key == "products":
        if not on:
            session.set_layer_style("districts", "product")
        session.set_layer_visible("districts", not on)
    else:
        session.set_layer_visible(key, not on)


def _swatch(colour: str, *, round_: bool = False, size: int = 18) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setBrush(QColor(colour))
    p.setPen(QColor("#ffffff"))
    r = QRectF(1.5, 1.5, size - 3, size - 3)
    p.drawEllipse(r) if round_ else p.drawRoundedRect(r, 3, 3)
    p.end()
    return QIcon(pix)


def _play_icon(playing: bool, size: int = 22) -> QIcon:
    """A drawn ▶ or ❚❚ (the bundled font has no pause sign)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#1f4e79"))
    if playing:
        w = size * 0.28
        p.drawRoundedRect(QRectF(size * 0.16, size * 0.14, w, size * 0.72), 2, 2)
        p.drawRoundedRect(QRectF(size * 0.84 - w, size * 0.14, w, size * 0.72), 2, 2)
    else:
        p.drawPolygon(
            QPolygonF(
                [QPointF(size * 0.22, size * 0.12), QPointF(size * 0.88, size * 0.5), QPointF(size * 0.22, size * 0.88)]
            )
        )
    p.end()
    return QIcon(pix)


def _layer_colour(key: str) -> str:
    if key in COVERAGE_KEYS:
        return COVERED_COLOURS[key]
    return {
        "parks": style.PARK_COLOURS["sck_core"],
        "products": style.ASSIGNED_FILLS[0],
        "zones": style.ZONE_COLOURS["priority"],
        "sites": style.SITE_COLOURS["5g_macro"],
    }[key]


# ------------------------------------------------------------------------------------------------------ overlay
class _Card(QFrame):
    """A rounded white card floating over the map."""

    def __init__(self, parent: QWidget, *, interactive: bool = False, alpha: int = 236) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setStyleSheet(_CARD_STYLE % alpha + (_BUTTON_STYLE if interactive else ""))
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not interactive)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(18)
        shadow.setOffset(0, 2)
        shadow.setColor(QColor(0, 0, 0, 60))
        self.setGraphicsEffect(shadow)
        self.hide()


def _label(font_size: float, *, bold: bool = False, colour: str | None = None, rich: bool = False) -> QLabel:
    label = QLabel()
    label.setFont(style.cjk_font(font_size, bold=bold))
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    if colour:
        label.setStyleSheet(f"color: {colour};")
    return label


def _fmt_pct(v: Any) -> str:
    return "—" if v is None else f"{v:.1f} %"


def _legend_html(sections: list[tuple[str, list[str]]], columns: int) -> str:
    """The legend's sections in ``columns`` columns (two when one is taller than the screen), balanced by rows."""

    def section(head: str, rows: list[str]) -> str:
        top = (f"<p style='margin-top:8px; margin-bottom:2px; color:#4a5560'><b>{html.escape(head)}</b></p>"
               if head else "")  # fmt: skip
        return top + ("<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>" if rows else "")

    if columns == 1 or len(sections) < 2:
        return "".join(section(h, r) for h, r in sections)
    total = sum(len(r) + 1 for _h, r in sections)
    split, count = len(sections), 0
    for i, (_h, r) in enumerate(sections):
        count += len(r) + 1
        if count >= total / 2:
            split = i + 1
            break
    halves = ("".join(section(h, r) for h, r in sections[:split]),
              "".join(section(h, r) for h, r in sections[split:]))  # fmt: skip
    return ("<table cellspacing='0' cellpadding='0'><tr>"
            f"<td style='vertical-align:top; padding-right:18px'>{halves[0]}</td>"
            f"<td style='vertical-align:top'>{halves[1]}</td></tr></table>")  # fmt: skip


class Presentation(QObject):
    """Presentation mode of one main window (see the module docstring)."""

    #: Presentation mode was entered (True) or left (False).
    activeChanged = Signal(bool)
    #: The years started (True) or stopped (False) playing.
    playingChanged = Signal(bool)

    def __init__(self, window: Any, navigator: BookmarkNavigator) -> None:
        super().__init__(window)
        self.window = window
        self.session: Session = window.session
        self.canvas = window.canvas
        self.navigator = navigator
        self.active = False
        self._saved: dict[str, Any] = {}
        self._hover: str | None = None  # adcode of the district whose figures the callout shows
        self._hover_at = QPointF()
        self._legend_texts = ("", "")  # the legend in one column and in two (see place)
        self._link = SessionLink(self)

        self.play_timer = QTimer(self)
        self.play_timer.setInterval(PLAY_INTERVAL_MS)
        self.play_timer.timeout.connect(self.tick)

        self._build_actions()
        self._build_overlay()
        # The session is followed only while presenting (see enter): an edit in the editor costs nothing here.
        navigator.currentChanged.connect(lambda _i: self._refresh_bookmark())
        navigator.bookmarksChanged.connect(self._refresh_bookmark)
        self.canvas.cursorMoved.connect(self._on_cursor)
        self.canvas.cursorLeft.connect(self.hide_callout)
        self.canvas.installEventFilter(self)
        self.canvas.viewport().installEventFilter(self)  # the map's small tooltips, which the callout replaces
        self.bar.installEventFilter(self)
        window.installEventFilter(self)

    # -- actions (keys) --------------------------------------------------------------------------------------
    def _action(self, text: str, keys: list[str], slot, *, always: bool = False) -> QAction:
        action = QAction(text, self.window)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        action.setEnabled(always)
        self.window.addAction(action)  # the window's own: the keys work with the menu bar hidden
        return action

    def _build_actions(self) -> None:
        self.toggle_action = self._action(tr("演示模式", "Presentation mode"), ["F11"], self.toggle, always=True)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setToolTip(tr("全屏演示（F11；Esc 退出）", "Full-screen presentation (F11; Esc leaves)"))
        self.leave_action = self._action(tr("退出演示", "Leave presentation"), ["Esc"], self.leave)
        self.play_action = self._action(tr("播放/暂停年份", "Play/pause the years"), ["Space"], self.toggle_play)
        self.next_action = self._action(tr("下一个书签", "Next bookmark"), ["Right", "PgDown"], self.next_bookmark)
        self.previous_action = self._action(
            tr("上一个书签", "Previous bookmark"), ["Left", "PgUp"], self.previous_bookmark
        )
        self._mode_actions = (self.leave_action, self.play_action, self.next_action, self.previous_action)

    # -- the overlay -----------------------------------------------------------------------------------------
    def _build_overlay(self) -> None:
        parent = self.canvas
        # The title: the scenario, the bookmark, and the year in large figures.
        self.title_card = _Card(parent)
        v = QVBoxLayout(self.title_card)
        v.setContentsMargins(22, 14, 22, 14)
        v.setSpacing(2)
        self.scenario_label = _label(15, colour="#4a5560")
        self.bookmark_label = _label(26, bold=True)
        self.year_label = _label(40, bold=True, colour="#1f4e79")
        for w in (self.scenario_label, self.bookmark_label, self.year_label):
            v.addWidget(w)
        # The legend of what is on the map.
        self.legend_card = _Card(parent)
        v = QVBoxLayout(self.legend_card)
        v.setContentsMargins(20, 14, 22, 16)
        v.setSpacing(6)
        heading = _label(17, bold=True)
        heading.setText(tr("图例", "Legend"))
        self.legend_label = _label(14.5, rich=True)
        v.addWidget(heading)
        v.addWidget(self.legend_label)
        # The hover callout: a district's key figures.
        self.callout = _Card(parent, alpha=255)  # opaque: it may lie over the legend
        v = QVBoxLayout(self.callout)
        v.setContentsMargins(22, 16, 22, 16)
        self.callout_label = _label(15.5, rich=True)
        v.addWidget(self.callout_label)
        # The controls, in a column under the title (the city is taller than wide: the sides of a wide screen are
        # free, the bottom is not): the layers, the years, the bookmarks.
        self.bar = _Card(parent, interactive=True)
        outer = QVBoxLayout(self.bar)
        outer.setContentsMargins(16, 10, 16, 14)
        outer.setSpacing(6)
        outer.addWidget(self._heading(tr("图层", "Layers")))
        grid = QGridLayout()
        grid.setSpacing(6)
        self.layer_buttons: dict[str, QToolButton] = {}
        for i, (key, (zh, en)) in enumerate(PRESENTER_LAYERS.items()):
            b = self._button(tr(zh, en), checkable=True, wide=True)
            b.setIcon(_swatch(_layer_colour(key), round_=key in ("parks", "sites")))
            b.setToolTip(tr(f"显示/隐藏：{zh}", f"Show or hide: {en}"))
            b.clicked.connect(lambda _c=False, k=key: toggle_layer(self.session, k))
            grid.addWidget(b, i // 2, i % 2)
            self.layer_buttons[key] = b
        outer.addLayout(grid)
        outer.addSpacing(4)
        outer.addWidget(self._heading(tr("年份（空格播放/暂停）", "Years (Space plays / pauses)")))
        years = QHBoxLayout()
        years.setSpacing(8)
        self.play_button = self._button(tr("播放", "Play"))
        self.play_button.setToolTip(tr("逐年播放（空格）", "Play the years (Space)"))
        self.play_button.clicked.connect(lambda: self.toggle_play())
        self.first_year_label = _label(13, colour="#4a5560")
        self.year_slider = QSlider(Qt.Orientation.Horizontal)
        self.year_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrows are the clicker's, not the slider's
        self.year_slider.setPageStep(1)
        self.year_slider.setMinimumWidth(120)
        self.year_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.year_slider.valueChanged.connect(self._slider_moved)
        self.last_year_label = _label(13, colour="#4a5560")
        for w in (self.play_button, self.first_year_label, self.year_slider, self.last_year_label):
            years.addWidget(w, 1 if w is self.year_slider else 0)
        outer.addLayout(years)
        outer.addSpacing(4)
        outer.addWidget(self._heading(tr("书签（← → 或 PageUp/PageDown）", "Bookmarks (← → or Page Up / Down)")))
        marks = QHBoxLayout()
        marks.setSpacing(6)
        self.previous_button = self._button("◀")
        self.previous_button.setToolTip(tr("上一个书签（← / PageUp）", "Previous bookmark (← / Page Up)"))
        self.previous_button.clicked.connect(lambda: self.previous_bookmark())
        self.bookmarks_button = self._button("", wide=True)
        self.bookmarks_button.setToolTip(tr("书签：点击选择", "Bookmarks: click to choose one"))
        self.bookmarks_menu = QMenu(self.bookmarks_button)
        self.bookmarks_menu.setFont(style.cjk_font(13))
        self.bookmarks_menu.aboutToShow.connect(self._fill_bookmarks_menu)
        self.bookmarks_button.setMenu(self.bookmarks_menu)
        self.bookmarks_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.next_button = self._button("▶")
        self.next_button.setToolTip(tr("下一个书签（→ / PageDown）", "Next bookmark (→ / Page Down)"))
        self.next_button.clicked.connect(lambda: self.next_bookmark())
        for b in (self.previous_button, self.bookmarks_button, self.next_button):
            marks.addWidget(b)
        outer.addLayout(marks)
        outer.addSpacing(6)
        self.exit_button = self._button(tr("退出演示（Esc）", "Leave presentation (Esc)"), wide=True)
        self.exit_button.clicked.connect(lambda: self.leave())
        outer.addWidget(self.exit_button)
        self._cards = (self.title_card, self.legend_card, self.bar)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = _label(12.5, bold=True, colour="#4a5560")
        label.setText(text)
        return label

    def _button(self, text: str, *, checkable: bool = False, wide: bool = False) -> QToolButton:
        b = QToolButton()
        if wide:
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        b.setText(text)
        b.setCheckable(checkable)
        b.setFont(style.cjk_font(14))
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space and the arrows stay the presenter's keys
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return b

    def _fill_bookmarks_menu(self) -> None:
        menu = self.bookmarks_menu
        menu.clear()
        for i, b in enumerate(self.navigator.bookmarks):
            a = menu.addAction(f"{i + 1}. {printable(b.title)} · {b.year}")
            a.setCheckable(True)
            a.setChecked(i == self.navigator.current)
            a.triggered.connect(lambda _c=False, i=i: self.go_to_bookmark(i))
        if self.navigator.bookmarks:
            menu.addSeparator()
        menu.addAction(tr("把当前视图存为书签", "Save the current view as a bookmark"), lambda: self.navigator.add())

    def place(self) -> None:
        """Put the cards in their places over the map (after a resize, or when their contents changed)."""
        host = self.title_card.parentWidget() or self.canvas
        w = host.width()
        margin = 22
        for card in self._cards:
            card.adjustSize()
        self.title_card.move(margin, margin)
        # The legend in one column, or two when one would run off the bottom (a small screen, many layers on).
        one, two = self._legend_texts
        if self.legend_label.text() != one:
            self.legend_label.setText(one)
            self.legend_card.adjustSize()
        if self.legend_card.height() > host.height() - 92 - margin:
            self.legend_label.setText(two)
            self.legend_card.adjustSize()
        self.legend_card.move(max(margin, w - self.legend_card.width() - margin), 92)  # below the north arrow
        # The controls under the title, as wide as it (or it as wide as they).
        width = max(self.title_card.width(), self.bar.width())
        self.title_card.resize(width, self.title_card.height())
        self.bar.resize(width, self.bar.height())
        top = self.title_card.y() + self.title_card.height() + 14
        self.bar.move(margin, top)
        if self.active:  # each map fits, and its labels keep, between the cards (not under them)
            bar_right = self.bar.x() + width + 8
            legend_left = self.legend_card.x() - 8 if not self.legend_card.isHidden() else None
            for c in self._canvases():
                x0 = c.mapTo(host, QPoint(0, 0)).x() if host is not c else 0
                left = max(0, min(c.width() // 2, bar_right - x0))
                right = 0 if legend_left is None else max(0, min(c.width() // 2, x0 + c.width() - legend_left))
                c.set_insets(left, 0, right, 0)
        if self.callout.isVisible():
            self._place_callout()

    def _place_callout(self) -> None:
        self.callout.adjustSize()
        host = self.callout.parentWidget() or self.canvas
        w, h = host.width(), host.height()
        cw, ch = self.callout.width(), self.callout.height()
        at = self._hover_at
        if host is not self.canvas:  # the point is the window's map's: in the host's pixels
            at = QPointF(self.canvas.mapTo(host, at.toPoint()))
        x, y = at.x() + 28, at.y() + 28
        if x + cw > w - 12:
            x = at.x() - cw - 28
        if y + ch > h - 12:
            y = at.y() - ch - 28
        self.callout.move(QPoint(int(max(12, x)), int(max(12, y))))
        self.callout.raise_()

    # -- where the cards float ----------------------------------------------------------------------------------
    def _canvases(self) -> list:
        """The maps presented: the window's, and the compared scenario's while a comparison is open."""
        compare = getattr(self.window, "compare", None)
        other = getattr(compare, "other_canvas", None) if compare is not None else None
        return [self.canvas] if other is None else [self.canvas, other]

    def _host(self) -> QWidget:
        """The widget the cards float over: the map, or while comparing the whole comparison (both maps; the
        compared map covers part of the window's in the swipe view, and would hide cards that were the map's)."""
        central = self.window.centralWidget()
        if central is None or central is self.canvas or len(self._canvases()) == 1:
            return self.canvas
        return central

    def _reparent_cards(self, host: QWidget) -> None:
        for card in (*self._cards, self.callout):
            if card.parentWidget() is not host:
                card.setParent(host)

    # -- entering and leaving --------------------------------------------------------------------------------
    def toggle(self) -> None:
        """Enter presentation mode, or leave it (F11)."""
        self.leave() if self.active else self.enter()

    def enter(self, *, full_screen: bool = True) -> None:
        """Present: the map alone (full screen unless ``full_screen`` is False, as for a screenshot), large labels,
        the overlay; the pan tool, so that a click never edits."""
        if self.active:
            return
        win = self.window
        self._saved = {
            "state": win.saveState(),
            "window_state": win.windowState(),
            "label_size": self.canvas.label_size,
            "tool": next((n for n, t in getattr(win, "tools", {}).items() if t is self.canvas.tool), None),
        }
        for dock in win.findChildren(QDockWidget):
            if dock.parent() is win:
                dock.hide()
        for bar in win.findChildren(QToolBar):
            if bar.parent() is win:
                bar.hide()
        win.menuBar().hide()
        win.statusBar().hide()
        if "pan" in getattr(win, "tool_actions", {}):
            win.tool_actions["pan"].trigger()
        canvases = self._canvases()
        self._saved["canvases"] = [(c, c.label_size) for c in canvases]
        for c in canvases:
            c.set_label_size(LABEL_SIZE)
        host = self._host()
        self._reparent_cards(host)
        if host is not self.canvas:
            host.installEventFilter(self)
        self.active = True
        self._link.attach(self.session, self._on_event)
        for a in self._mode_actions:
            a.setEnabled(True)
        self.toggle_action.setChecked(True)
        if full_screen:
            win.showFullScreen()
        self.refresh()
        for card in self._cards:
            card.show()
            card.raise_()
        self._refresh_legend()  # hides the legend when nothing on the map needs one
        self.canvas.setFocus()
        self.activeChanged.emit(True)

    def leave(self) -> None:
        """Back to the editor as it was (window state, docks, toolbars, label size, tool)."""
        if not self.active:
            return
        self.pause()
        self.active = False
        self._link.detach()
        for a in self._mode_actions:
            a.setEnabled(False)
        self.toggle_action.setChecked(False)
        for card in (*self._cards, self.callout):
            card.hide()
        self._hover = None
        win, saved = self.window, self._saved
        win.menuBar().show()
        win.statusBar().show()
        win.restoreState(saved["state"])
        for c, size in saved.get("canvases", [(self.canvas, saved["label_size"])]):
            c.set_label_size(size)
            c.set_insets(0, 0, 0, 0)
        host = self.title_card.parentWidget()
        if host is not self.canvas:
            host.removeEventFilter(self)
            self._reparent_cards(self.canvas)  # home again, before the comparison's widgets may go
        if saved["tool"] is not None and saved["tool"] in getattr(win, "tool_actions", {}):
            win.tool_actions[saved["tool"]].trigger()
        state = saved["window_state"]
        if win.isFullScreen() and not state & Qt.WindowState.WindowFullScreen:
            win.showMaximized() if state & Qt.WindowState.WindowMaximized else win.showNormal()
        self.activeChanged.emit(False)

    def detach(self) -> None:
        """Stop following the session (the window is handed over or closed)."""
        self.pause()
        self._link.detach()
        self.navigator.detach()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Place the cards again when the map is resized; leave presentation mode before the window closes (so
        that the layout it remembers is the editor's); hide the callout when the pointer reaches the controls."""
        if event.type() == QEvent.Type.Resize and self.active and obj in (self.canvas, self.title_card.parentWidget()):
            QTimer.singleShot(0, self.place)
        elif obj is self.window and event.type() == QEvent.Type.Close and self.active:
            self.leave()
        elif event.type() == QEvent.Type.ToolTip and self.active and obj is self.canvas.viewport():
            return True  # presenting, the large callout tells a district's figures: no small tooltip beside it
        elif obj is self.bar and event.type() == QEvent.Type.Enter:
            self.hide_callout()  # the pointer left the map for the controls
        return False

    # -- the years -------------------------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        """Whether the years are playing."""
        return self.play_timer.isActive()

    def toggle_play(self) -> None:
        """Play the years, or pause them (Space)."""
        self.pause() if self.playing else self.play()

    def play(self) -> None:
        """Play from the current year (from the base year when at the horizon or outside the scenario's years),
        one year every :data:`PLAY_INTERVAL_MS`, stopping at the horizon."""
        first, last = self.session.years()
        if not first <= self.session.year < last:
            self.session.set_year(first)
        if self.session.year >= last:
            return  # a scenario of one year: nothing to play
        self.play_timer.start()
        self._show_playing()
        self.playingChanged.emit(True)

    def pause(self) -> None:
        """Stop playing (the map stays at the year reached)."""
        if self.play_timer.isActive():
            self.play_timer.stop()
            self._show_playing()
            self.playingChanged.emit(False)

    def tick(self) -> None:
        """One step of the play: the next year; at the horizon, stop."""
        horizon = self.session.years()[1]
        if self.session.year < horizon:
            self.session.set_year(self.session.year + 1)
        if self.session.year >= horizon:
            self.pause()

    def _show_playing(self) -> None:
        playing = self.playing
        self.play_button.setIcon(_play_icon(playing))
        self.play_button.setText(tr("暂停", "Pause") if playing else tr("播放", "Play"))

    def _slider_moved(self, year: int) -> None:
        self.pause()
        self.session.set_year(year)

    # -- bookmarks -------------------------------------------------------------------------------------------
    def go_to_bookmark(self, index: int) -> bool:
        """Show bookmark ``index`` (stops the play)."""
        self.pause()
        return self.navigator.go_to(index)

    def next_bookmark(self) -> bool:
        """The next bookmark (→, Page Down)."""
        self.pause()
        return self.navigator.go_next()

    def previous_bookmark(self) -> bool:
        """The previous bookmark (←, Page Up)."""
        self.pause()
        return self.navigator.go_previous()

    # -- following the session -------------------------------------------------------------------------------
    def _on_event(self, event: object) -> None:
        if isinstance(event, YearChanged):
            self._refresh_years()
            self._refresh_callout()
        elif isinstance(event, LayerChanged):
            self._refresh_layers()
            self._refresh_legend()
        elif isinstance(event, ScenarioReplaced):
            self.refresh()
        elif isinstance(event, ScenarioEdited):
            self._refresh_titles()
            self._refresh_legend()
        elif isinstance(event, FiguresUpdated):
            self._refresh_callout()
            if self.session.layers["districts"].style != "product":
                self._refresh_legend()

    def refresh(self) -> None:
        """Show the session's state in every card."""
        self._refresh_titles()
        self._refresh_years()
        self._refresh_layers()
        self._refresh_legend()
        self._refresh_bookmark()
        self._show_playing()

    def _refresh_titles(self) -> None:
        self.scenario_label.setText(printable(self.session.scenario.name))

    def _refresh_years(self) -> None:
        year = self.session.year
        self.year_label.setText(tr(f"{year} 年", f"{year}"))
        low, high = self.session.years()
        self.year_slider.blockSignals(True)
        self.year_slider.setRange(low, high)
        self.year_slider.setValue(year)
        self.year_slider.blockSignals(False)
        self.first_year_label.setText(str(low))
        self.last_year_label.setText(str(high))
        self.play_button.setEnabled(low < high)
        one = tr(f"情景只有 {low} 一年，无可播放", f"The scenario has one year ({low}): nothing to play")
        self.play_button.setToolTip(tr("逐年播放（空格）", "Play the years (Space)") if low < high else one)

    def _refresh_layers(self) -> None:
        for key, button in self.layer_buttons.items():
            button.setChecked(layer_shown(self.session, key))

    def _refresh_bookmark(self) -> None:
        nav = self.navigator
        marks, current = nav.bookmarks, nav.current_bookmark()
        if current is not None:
            self.bookmark_label.setText(printable(current.title))
            self.bookmarks_button.setText(f"{tr('书签', 'Bookmark')} {nav.current + 1}/{len(marks)}")
        else:
            self.bookmark_label.setText(tr("宁波数字经济", "Ningbo's digital economy"))
            self.bookmarks_button.setText(
                tr(f"书签（{len(marks)}）", f"Bookmarks ({len(marks)})") if marks else tr("书签", "Bookmarks")
            )
        self.previous_button.setEnabled(bool(marks) and nav.current != 0)
        self.next_button.setEnabled(bool(marks) and nav.current < len(marks) - 1)
        if self.active:
            self.place()

    def legend_rows(self) -> list[tuple[str | None, str, bool]]:
        """The legend as (colour, text, round) rows; a row without a colour is a heading."""
        s, layers = self.session.scenario, self.session.layers
        rows: list[tuple[str | None, str, bool]] = []
        if layers["districts"].visible:
            figure = layers["districts"].style
            if figure == "product":
                rows.append((None, tr("区县 · 一区一品", "Districts · product"), False))
                rows.append((style.ASSIGNED_FILLS[0], tr("已分配一区一品", "Product assigned"), False))
                rows.append((style.UNASSIGNED_FILLS[0], tr("未分配", "Unassigned"), False))
            else:
                zh, en, unit = CHOROPLETH_FIGURES[figure]
                rows.append((None, tr(f"区县 · {zh}", f"Districts · {en}"), False))
                breaks = class_breaks(list(district_values(self.session.summary(), figure).values()))
                n = len(breaks) - 1
                for i in range(n):
                    rows.append((style.class_colour(i, n).name(), f"{breaks[i]:g} – {breaks[i + 1]:g} {unit}", False))
        if layers["coverage"].visible:
            zh, en = COVERAGE_NAMES[layers["coverage"].style]
            rows.append((None, tr(zh, en), False))
            rows.append((COVERED_COLOURS[layers["coverage"].style], tr("已覆盖", "Covered"), False))
            rows.append((UNCOVERED_COLOUR, tr("未覆盖的陆地", "Land not covered"), False))
        for layer, heading, vocabulary, colours, round_ in (
            ("zones", tr("区域", "Zones"), vocab.ZONE_KINDS, style.ZONE_COLOURS, False),
            ("parks", tr("园区", "Parks"), vocab.PARK_KINDS, style.PARK_COLOURS, True),
            ("sites", tr("站点", "Sites"), vocab.SITE_KINDS, style.SITE_COLOURS, True),
        ):
            if not layers[layer].visible:
                continue
            present = {f.kind for f in s.layer(layer).values()}
            kinds = [k for k in vocabulary if k in present]
            if kinds:
                rows.append((None, heading, False))
                rows += [
                    (colours.get(k, style.FALLBACK_COLOUR), style.kind_label(vocabulary, k), round_) for k in kinds
                ]
        return rows

    def _refresh_legend(self) -> None:
        # One small table per heading: a heading spanning both columns would widen the swatches' column.
        sections: list[tuple[str, list[str]]] = []
        for colour, text, round_ in self.legend_rows():
            if colour is None:
                sections.append((text, []))
            else:
                if not sections:
                    sections.append(("", []))
                mark = "●" if round_ else "■"
                sections[-1][1].append(
                    f"<tr><td style='color:{colour}; font-size:20pt; padding-right:10px'>{mark}</td>"
                    f"<td style='vertical-align:middle'>{html.escape(text)}</td></tr>"
                )
        self._legend_texts = (_legend_html(sections, 1), _legend_html(sections, 2))
        self.legend_label.setText(self._legend_texts[0])
        self.legend_card.setVisible(self.active and bool(sections))
        if self.active:
            self.place()

    # -- the hover callout -----------------------------------------------------------------------------------
    def _on_cursor(self, lon: float, lat: float) -> None:
        if not self.active:
            return
        from planner.geo.basemap import district_at

        adcode = district_at(lon, lat)
        if adcode is None:
            self.hide_callout()
            return
        self.show_district(adcode, self.canvas.view_point(lon, lat))

    def show_district(self, adcode: str, at: QPointF | None = None) -> None:
        """Show the key figures of district ``adcode`` in the callout, beside view point ``at`` (default: the
        district's label)."""
        if at is None:
            label = self.canvas.district_label(adcode)
            at = QPointF(self.canvas.mapFromScene(label.pos()))
        self._hover_at = QPointF(at)
        if adcode != self._hover or not self.callout.isVisible():
            self._hover = adcode
            self.callout_label.setText(self.callout_html(adcode))
            self.callout.show()
        self._place_callout()

    def hide_callout(self) -> None:
        """Hide the district callout."""
        self._hover = None
        self.callout.hide()

    def _refresh_callout(self) -> None:
        if self._hover is not None and self.callout.isVisible():
            self.callout_label.setText(self.callout_html(self._hover))
            self._place_callout()

    def callout_html(self, adcode: str) -> str:
        """The callout's text: the district's name, product, sites, coverage and investment as of the year (the
        figures of ``summary --json``)."""
        data = self.session.summary()
        row = next(r for r in data["districts"] if r["adcode"] == adcode)
        name = tr(row["name"], row["name_en"])
        other = row["name_en"] if name == row["name"] else row["name"]
        product = row["product"]
        per_10k = row["sites_per_10k"]
        unassigned = f"<span style='color:#8a8f96'>{html.escape(style.unassigned_product())}</span>"
        sites = f"{row['sites']:,}"
        if per_10k is not None:
            sites += tr(f"（每万人 {per_10k:g}）", f" ({per_10k:g} per 10,000 people)")
        invest = row["investment_wan"] / 1e4
        figures = [
            (tr("一区一品", "Product"), html.escape(printable(product)) if product else unassigned),
            (tr("站点", "Sites"), sites),
            (tr("5G 覆盖", "5G coverage"), _fmt_pct(row["coverage_5g_pct"])),
            (tr("5G-A 覆盖", "5G-A coverage"), _fmt_pct(row["coverage_5ga_pct"])),
            (tr("F5G 覆盖", "F5G coverage"), _fmt_pct(row["coverage_f5g_pct"])),
            (tr("累计投资", "Investment"), tr(f"{invest:,.2f} 亿元", f"{invest:,.2f} × 100M CNY")),
        ]
        cells = "".join(
            f"<tr><td style='color:#4a5560; padding-right:14px'>{k}</td><td><b>{v}</b></td></tr>" for k, v in figures
        )
        year = data["scenario"]["year"]
        as_of = tr(f"{year} 年底", f"As of end {year}")
        return (
            f"<div style='font-size:24pt; font-weight:bold'>{html.escape(name)}"
            f" <span style='font-size:14pt; font-weight:normal; color:#4a5560'>{html.escape(other)}</span></div>"
            f"<table cellspacing='0' cellpadding='2'>{cells}</table>"
            f"<div style='color:#6b7580; font-size:12pt; padding-top:4px'>{as_of}</div>"
        )

    def shown_text(self) -> str:
        """What the title, legend and callout cards say now, as plain text (for tests and checks)."""
        parts = [self.scenario_label.text(), self.bookmark_label.text(), self.year_label.text()]
        parts += [text for _c, text, _r in self.legend_rows()]
        if self.callout.isVisible():
            from PySide6.QtGui import QTextDocument

            doc = QTextDocument()
            doc.setHtml(self.callout_label.text())
            parts.append(doc.toPlainText())
        return "\n".join(parts)


# ---------------------------------------------------------------------------------------------------- the hook
def install_presentation(window: Any) -> Presentation:
    """Give a main window presentation mode and bookmarks: the bookmarks dock, View ▸ 演示模式 (F11) and
    View ▸ 书签, the presenter's keys. Sets ``window.presentation``, ``window.bookmarks`` (the navigator),
    ``window.bookmarks_panel`` and ``window.bookmarks_dock``."""
    navigator = BookmarkNavigator(window.session, window.canvas, window)
    navigator.message.connect(lambda text: window.statusBar().showMessage(text, 8000))
    panel = BookmarksPanel(navigator)
    dock = QDockWidget(tr("书签", "Bookmarks"), window)
    dock.setObjectName("bookmarks_dock")
    dock.setWidget(panel)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    history = getattr(window, "history_dock", None)
    if history is not None:
        window.tabifyDockWidget(history, dock)
        window.attributes_dock.raise_()
    presentation = Presentation(window, navigator)
    window.presentation, window.bookmarks, window.bookmarks_panel, window.bookmarks_dock = (
        presentation,
        navigator,
        panel,
        dock,
    )

    add_action = QAction(tr("添加书签…", "Add bookmark…"), window)
    add_action.setShortcut(QKeySequence("Ctrl+B"))
    add_action.setToolTip(tr("把当前视图（范围、图层、年份）存为书签", "Save the view (extent, layers, year)"))
    add_action.triggered.connect(lambda: panel.add())
    window.addAction(add_action)
    presentation.add_bookmark_action = add_action
    menu = getattr(window, "view_menu", None)
    if menu is not None:
        menu.addSeparator()
        menu.addAction(presentation.toggle_action)
        marks = menu.addMenu(tr("书签", "Bookmarks"))
        presentation.bookmarks_view_menu = marks

        def fill() -> None:
            marks.clear()
            marks.addAction(add_action)
            marks.addAction(dock.toggleViewAction())
            if navigator.bookmarks:
                marks.addSeparator()
            for i, b in enumerate(navigator.bookmarks):
                a = marks.addAction(f"{i + 1}. {printable(b.title)} · {b.year}")
                a.triggered.connect(lambda _c=False, i=i: presentation.go_to_bookmark(i))

        marks.aboutToShow.connect(fill)
        fill()
    return presentation
