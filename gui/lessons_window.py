"""Help → Lessons: the guided lessons, their pages, and goals that tick from real events.

The lessons and their goals are :mod:`netcore.session.course`; the window only shows
them. The window's pump feeds every event to the course, so goals tick while this
window is closed too; progress is kept in the settings.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from gui.i18n import tr
from gui.i18n_tk import Texts
from gui.lesson_setup import set_up
from netcore.session.course import Lesson

if TYPE_CHECKING:
    from gui.app import MainWindow

TICK, OPEN = "✓", "○"


class LessonsWindow(tk.Toplevel):
    """A list of lessons on the left; the chosen one's page and goals on the right."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window.root)
        self.window = window
        self.texts = Texts()
        self.title(tr("lessons.title"))
        self.geometry("860x560")
        self.chosen = tk.StringVar(self, window.teaching.course.lessons[0].id)
        self._build()
        self.show()
        self.protocol("WM_DELETE_WINDOW", self.destroy)

    def _build(self) -> None:
        body = ttk.Frame(self, padding=10)
        body.pack(fill="both", expand=True)
        left = ttk.Frame(body)
        left.pack(side="left", fill="y", padx=(0, 12))
        self.choices: dict[str, ttk.Radiobutton] = {}
        for lesson in self.window.teaching.course.lessons:
            button = ttk.Radiobutton(left, variable=self.chosen, value=lesson.id, command=self.show)
            button.pack(anchor="w", pady=2)
            self.choices[lesson.id] = button
        right = ttk.Frame(body)
        right.pack(side="left", fill="both", expand=True)
        self.page = tk.Text(right, wrap="word", height=12, borderwidth=0, highlightthickness=1, padx=8, pady=6)
        self.page.pack(fill="both", expand=True)
        self.texts.bind(ttk.Label(right), "lessons.goals").pack(anchor="w", pady=(8, 2))
        self.goals = ttk.Frame(right)
        self.goals.pack(fill="x")
        self.progress = ttk.Label(right)
        self.progress.pack(anchor="w", pady=(6, 0))
        buttons = ttk.Frame(right)
        buttons.pack(fill="x", pady=(8, 0))
        for key, action in (("lessons.setup", self.set_up), ("lessons.code", self.show_code),
                            ("lessons.again", self.start_again)):
            self.texts.bind(ttk.Button(buttons, command=action), key).pack(side="left", padx=(0, 6))
        self.note = ttk.Label(right, foreground="#1558b0")
        self.note.pack(anchor="w", pady=(6, 0))

    def lesson(self) -> Lesson:
        return next(lesson for lesson in self.window.teaching.course.lessons if lesson.id == self.chosen.get())

    def show(self) -> None:
        """Draw the chosen lesson (and the ticks of every lesson's title)."""
        course = self.window.teaching.course
        for lesson in course.lessons:
            finished = len(course.done[lesson.id]) == len(lesson.goals)
            self.choices[lesson.id].configure(text=f"{TICK if finished else ' '} {tr(f'lesson.{lesson.id}')}")
        lesson = self.lesson()
        self.page.configure(state="normal")
        self.page.delete("1.0", "end")
        self.page.insert("1.0", tr(f"lesson.{lesson.id}.page"))
        self.page.configure(state="disabled")
        for child in self.goals.winfo_children():
            child.destroy()
        done = course.done[lesson.id]
        for goal in lesson.goals:
            mark = TICK if goal.id in done else OPEN
            colour = "#1e7b34" if goal.id in done else "#5f6368"
            ttk.Label(self.goals, text=f"{mark}  {tr(f'goal.{goal.id}')}", foreground=colour).pack(anchor="w")
        self.progress.configure(text=tr("lessons.done", done=len(done), total=len(lesson.goals)))

    def goal_texts(self) -> list[str]:
        """The goal lines as shown (tests)."""
        return [str(child.cget("text")) for child in self.goals.winfo_children()]

    def set_up(self) -> None:
        """Open and fill the tabs this lesson needs."""
        lesson = self.lesson()
        set_up(self.window, lesson)
        server = self.window.teaching.web
        self.note.configure(text=tr("lessons.http_started", address=f"127.0.0.1:{server.port}")
                            if lesson.setup.get("http_server") == "on" and server is not None else "")

    def show_code(self) -> None:
        """The Python code of the lesson's tab kind."""
        kind = self.lesson().code.replace("-", "_")
        tab = next((t for t in self.window.tabs() if t.kind == kind), None)
        if tab is not None:
            self.window.notebook.select(tab)  # type: ignore[no-untyped-call]  # untyped in typeshed
        self.window.show_code()

    def start_again(self) -> None:
        self.window.teaching.course.reset(self.chosen.get())
        self.show()

    def retranslate(self) -> None:
        self.title(tr("lessons.title"))
        self.texts.apply()
        self.show()
