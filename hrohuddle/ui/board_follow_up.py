"""What the huddle board does to the row chosen in one of its lists: make an action of an
item or a report, say "I have seen this too" of a report, remove an item, and close,
reassign, re-date or escalate an open action (to the department on a shared server, an
risk chosen in the look ahead too); and the bulletin and the good catches offered as teaching
points, each in its own dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QMessageBox, QWidget

from hrohuddle.errors import UserFacingError
from hrohuddle.services import actions, escalations, huddles, me_too, people, teaching, tiers
from hrohuddle.services.permissions import Actor
from hrohuddle.store.database import Database
from hrohuddle.ui.actions import ActionDialog, DueDateDialog
from hrohuddle.ui.common import (
    ask_item,
    ask_text,
    attempt,
    format_date,
    show_problem,
    tell,
    tell_open,
    tr,
)


class BoardActions(QWidget):
    """The board's actions on a chosen row; the board (HuddleBoard) fills in the rest."""

    db: Database
    actor: Actor
    huddle_id: int
    team: list[people.PersonRow]
    state: huddles.Board | None
    lists: dict[str, QListWidget]
    follow_list: QListWidget
    closed: bool
    #: The box that says what the last escalation sent was (open until it is read).
    sent_box: QMessageBox | None = None

    def refresh(self) -> None:
        """Show what is stored (HuddleBoard.refresh)."""
        raise NotImplementedError

    def _run(self, call: Callable[[], object]) -> bool:
        """Store a change and show the board again (HuddleBoard._run)."""
        raise NotImplementedError

    def _chosen(self, lst: QListWidget, kind: str) -> int | None:
        item = lst.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not data or data[0] != kind:
            return None
        return int(data[1])

    def _item_row(self, section: str, item_id: int) -> huddles.ItemRow | None:
        if self.state is None:
            return None
        return next((i for i in self.state.items.get(section, []) if i.id == item_id), None)

    def _action_title(self, section: str, kind: str, key: int) -> str:
        """The words of the item itself, never the board's display prefixes."""
        if self.state is None:
            return ""
        if kind == "event":
            # Never the reporter's own words: they may not have agreed to be quoted, and
            # the title reaches the board, the bulletin and the report's journey.
            return ""
        row = self._item_row(section, key)
        if row is None or row.event_id is not None:
            return ""  # an item made of a report carries the report's words: not those
        return row.text

    def show_action(self, action_id: int) -> bool:
        """Select an open action under Follow up; False when it is not open any more."""
        for i in range(self.follow_list.count()):
            if self.follow_list.item(i).data(Qt.ItemDataRole.UserRole) == ("action", action_id):
                self.follow_list.setCurrentRow(i)
                self.follow_list.scrollToItem(self.follow_list.item(i))
                self.follow_list.setFocus()
                return True
        return False

    def make_action(self, section: str) -> None:
        lst = self.lists[section]
        item = lst.currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not data:
            show_problem(self, tr("Choose an item in the list first."))
            return
        kind, key = data
        if kind == "done":  # "you said, we did": the report behind it, and its action
            kind = "event"
        row = self._item_row(section, key) if kind == "item" else None
        if row is not None and row.action_id is not None and self.show_action(row.action_id):
            # Made once: a second time opens the action it already is.
            return
        if kind == "event" and self.state is not None:
            made = next((a for a in self.state.follow_ups if a.event_id == key), None)
            if made is not None and self.show_action(made.id):
                return
        if self.closed:
            return  # a closed huddle's board is read-only
        text = self._action_title(section, kind, key)
        dialog = ActionDialog(self, text, self.team)
        if kind == "event":
            dialog.title.setPlaceholderText(
                tr("In your own words, what the unit will do (not the reporter's words)")
            )
        # Saved from the dialog: a refusal (no owner, a past date) keeps what was typed.
        dialog.save = lambda: actions.create_action(
            self.db,
            self.actor,
            dialog.title.text(),
            dialog.owner.currentData(),
            dialog.due_date(),
            huddle_id=self.huddle_id,
            item_id=key if kind == "item" else None,
            event_id=key if kind == "event" else None,
        )
        dialog.exec()
        self.refresh()

    def _chosen_report(self) -> int | None:
        """The report behind the chosen look back row: a report, a "you said, we did"
        line, or an item the huddle made of a report."""
        item = self.lists["look_back"].currentItem()
        data = item.data(Qt.ItemDataRole.UserRole) if item else None
        if not data:
            return None
        kind, key = data
        if kind in ("event", "done"):
            return int(key)
        row = self._item_row("look_back", key)
        return row.event_id if row is not None else None

    def add_me_too(self) -> None:
        """ "I have seen this too" of the chosen report: counted once, never named."""
        event_id = self._chosen_report()
        if event_id is None:
            show_problem(self, tr("Choose a report in the Look back list first."))
            return
        try:
            n = me_too.add(self.db, self.actor, event_id)
        except me_too.AlreadySaid as exc:
            tell(self, tr("Seen it too"), exc.message)
            return
        except UserFacingError as exc:  # kept: one message, then what is stored
            show_problem(self, exc.message)
            return
        self.refresh()
        tell(
            self,
            tr("Seen it too"),
            tr("Thank you: counted, never named. {seen}.").format(
                seen=me_too.seen_by(n, mine=True)
            ),
        )

    def open_bulletin(self) -> None:
        from hrohuddle.ui.bulletin import BulletinDialog

        BulletinDialog(self.db, self.actor, self).exec()
        self.refresh()

    def choose_good_catch(self) -> None:
        """Offer the agreed good catches of the last 30 days; the chosen one fills the
        teaching point, linked to its report."""
        from hrohuddle.ui.board_widgets import GoodCatchDialog

        offers = attempt(self, lambda: teaching.offers(self.db, self.actor))
        if offers is None:
            return
        dialog = GoodCatchDialog(self, offers)
        if dialog.exec() and dialog.chosen is not None:
            self.link_teaching_point(dialog.chosen)

    def link_teaching_point(self, offer: teaching.Offer) -> None:
        """Fill the teaching point from ``offer`` (HuddleBoard: its teach input)."""
        raise NotImplementedError

    def remove_item(self, section: str) -> None:
        lst = self.lists[section]
        item_id = self._chosen(lst, "item")
        points = self.state.items.get(section, []) if self.state is not None else []
        if item_id is None and section == "teach" and len(points) == 1:
            item_id = points[0].id  # "Remove the teaching point": there is one
        if item_id is None:
            current = lst.currentItem()
            if current is not None and current.data(Qt.ItemDataRole.UserRole):
                show_problem(
                    self, tr("Choose an item you added by hand; reports stay on the board.")
                )
            else:
                show_problem(self, tr("Choose an item to remove first."))
            return
        self._run(lambda: huddles.remove_item(self.db, self.actor, item_id))

    def _chosen_action(self) -> int | None:
        action_id = self._chosen(self.follow_list, "action")
        if action_id is None:
            show_problem(self, tr("Choose an action in the Follow up list first."))
        return action_id

    def _seen(self, action_id: int) -> int | None:
        return getattr(self, "action_versions", {}).get(action_id)

    def _action_row(self, action_id: int) -> actions.ActionRow | None:
        if self.state is None:
            return None
        return next((a for a in self.state.follow_ups if a.id == action_id), None)

    def _named(self, action_id: int, question: str) -> str:
        """A dialog's question with the action it is about, so nobody acts on the wrong one."""
        a = self._action_row(action_id)
        if a is None:
            return question
        owner = a.owner or tr("no owner")
        due = format_date(a.due_on) if a.due_on else tr("no due date")
        return f"“{a.title}”\n{owner} · {tr('due')} {due}\n\n{question}"

    def close_action(self) -> None:
        action_id = self._chosen_action()
        if action_id is None:
            return
        seen = self._seen(action_id)
        note, ok = ask_text(
            self, tr("Close action"), self._named(action_id, tr("What was done (optional)"))
        )
        if ok:
            self._run(
                lambda: actions.close_action(
                    self.db, self.actor, action_id, note, expected_version=seen
                )
            )

    def reassign(self) -> None:
        action_id = self._chosen_action()
        if action_id is None:
            return
        seen = self._seen(action_id)
        names = [p.display_name for p in self.team]
        current = self._action_row(action_id)
        start = next(
            (n for n, p in enumerate(self.team) if current and p.id == current.owner_id), 0
        )
        name, ok = ask_item(
            self, tr("Reassign action"), self._named(action_id, tr("New owner")), names, start
        )
        if ok:
            pid = self.team[names.index(name)].id
            self._run(
                lambda: actions.reassign_action(
                    self.db, self.actor, action_id, pid, expected_version=seen
                )
            )

    def change_due(self) -> None:
        action_id = self._chosen_action()
        if action_id is None:
            return
        seen = self._seen(action_id)
        current = self._action_row(action_id)
        dialog = DueDateDialog(
            self,
            self._named(action_id, tr("Choose the new due date.")),
            current.due_on if current is not None else None,
        )
        if self.closed:
            return
        dialog.save = lambda: actions.change_due(
            self.db, self.actor, action_id, dialog.due_date(), expected_version=seen
        )
        dialog.exec()
        self.refresh()

    def department(self) -> str | None:
        """The unit's department on a shared server (None on its own file, or none yet)."""
        if not tiers.shared(self.db):
            return None
        if not hasattr(self, "_department"):
            self._department = escalations.department_name(self.db, self.actor.unit_id)
        return self._department

    def escalate_item(self, section: str) -> None:
        """Send the chosen item of ``section`` to the department."""
        item_id = self._chosen(self.lists[section], "item")
        if item_id is None:
            show_problem(self, tr("Choose a risk in the Look ahead list first."))
            return
        if not tiers.shared(self.db):
            tell(self, tr("Escalate to the department"), tiers.NEEDS_SHARED_SERVER)
            return
        row = self._item_row(section, item_id)
        self._escalate_up(row.text if row is not None else "", item_id=item_id)

    def _escalate_up(
        self, title: str, *, item_id: int | None = None, action_id: int | None = None
    ) -> None:
        from hrohuddle.ui.escalation_dialogs import EscalateDialog, draft_key

        if self.department() is None:
            tell(self, tr("Escalate to the department"), escalations.NO_DEPARTMENT)
            return
        # Still with a tier (waiting, or accepted and not resolved): say so, not the box.
        already = attempt(
            self,
            lambda: escalations.already_escalated(
                self.db, self.actor, action_id=action_id, huddle_item_id=item_id
            ),
        )
        if already:
            tell(self, tr("Escalate to the department"), already)
            return
        meets = attempt(self, lambda: escalations.next_meeting(self.db, self.actor))
        dialog = EscalateDialog(
            self, title, self.department(), needed_by=meets.date() if meets else None
        )
        # What was typed is kept as a draft of this item or action until it is sent.
        dialog.keep_drafts(self.db, self.actor, draft_key(item_id=item_id, action_id=action_id))
        sent: list[escalations.Escalated] = []
        dialog.save = lambda: sent.append(
            escalations.escalate(
                self.db,
                self.actor,
                title=dialog.title.text(),
                reason=dialog.reason.toPlainText(),
                criteria=dialog.chosen(),
                needed=dialog.needed.text(),
                needed_by=dialog.due(),
                huddle_item_id=item_id,
                action_id=action_id,
            )
        )
        dialog.exec()
        self.refresh()
        if sent:
            # Said over the board, which goes on: the huddle is not held up by a box.
            self.sent_box = tell_open(self, tr("Escalated"), sent[0].words)

    def _chose_in(self, section: str) -> None:
        """Remember which list a row was last chosen in (Escalate… acts on that one)."""
        if section:
            self.last_chosen_in = section

    def escalate(self) -> None:
        """The chosen action, or the risk last chosen in Look ahead, goes up."""
        if getattr(self, "last_chosen_in", "") == "look_ahead" and (
            self._chosen(self.lists["look_ahead"], "item") is not None
        ):
            self.escalate_item("look_ahead")
            return
        action_id = self._chosen_action()
        if action_id is None:
            return
        if tiers.shared(self.db):
            row = self._action_row(action_id)
            self._escalate_up(row.title if row is not None else "", action_id=action_id)
            return
        seen = self._seen(action_id)
        reason, ok = ask_text(
            self,
            tr("Escalate to the manager"),
            self._named(action_id, tr("Why does this need the manager?")),
            multiline=True,
        )
        if ok:
            self._run(
                lambda: actions.escalate_action(
                    self.db, self.actor, action_id, reason, expected_version=seen
                )
            )
