//! The key table: every binding is declared once, in [`BINDINGS`], and
//! feeds the key handler, the footer and the help popup alike.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::Action;

/// Where a binding applies: the main screen or one of the popups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The panels, with no popup open.
    Main,
    /// The help popup.
    Help,
    /// The list of schedules to open.
    Picker,
    /// The save-as prompt.
    Prompt,
    /// A message popup (a failed load or save).
    Message,
    /// The explore popup while the searches run.
    Exploring,
    /// The explore popup with the results.
    Explored,
}

/// The contexts a binding applies in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Only in this context.
    Only(Context),
    /// Everywhere.
    All,
}

/// One key: a code and the modifiers that must be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl Key {
    /// A character key; for letters, `K` means Shift-k.
    #[must_use]
    pub const fn char(c: char) -> Self {
        Self::code(KeyCode::Char(c))
    }

    /// A key without modifiers.
    #[must_use]
    pub const fn code(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    /// A character with Ctrl held.
    #[must_use]
    pub const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// A key with Shift held.
    #[must_use]
    pub const fn shift(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::SHIFT,
        }
    }

    /// Whether a key press is this key. For characters Shift is part of
    /// the character itself, so it is not compared.
    #[must_use]
    pub fn matches(self, event: KeyEvent) -> bool {
        let held = KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT;
        let mut wanted = self.modifiers;
        let mut pressed = event.modifiers & held;
        if matches!(self.code, KeyCode::Char(_)) {
            wanted.remove(KeyModifiers::SHIFT);
            pressed.remove(KeyModifiers::SHIFT);
        }
        self.code == event.code && wanted == pressed
    }

    /// How the key is written in the footer and the help.
    #[must_use]
    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            other => format!("{other:?}"),
        };
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            format!("Ctrl-{name}")
        } else if self.modifiers.contains(KeyModifiers::SHIFT) {
            format!("Shift-{name}")
        } else {
            name
        }
    }
}

/// What a binding does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// This action.
    Action(Action),
    /// The digits 1–9: run that thread (in declaration order) next.
    RunThread,
}

/// One binding of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Where it applies.
    pub scope: Scope,
    /// The keys, the first one shown in the footer.
    pub keys: &'static [Key],
    /// What the keys do.
    pub bound: Bound,
    /// A sentence for the help popup.
    pub help: &'static str,
    /// A word or two for the footer; `None` keeps it out of the footer.
    pub footer: Option<&'static str>,
}

const DIGITS: &[Key] = &[
    Key::char('1'),
    Key::char('2'),
    Key::char('3'),
    Key::char('4'),
    Key::char('5'),
    Key::char('6'),
    Key::char('7'),
    Key::char('8'),
    Key::char('9'),
];

/// A binding of the main screen.
const fn main(
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    footer: Option<&'static str>,
) -> Binding {
    Binding {
        scope: Scope::Only(Context::Main),
        keys,
        bound: Bound::Action(action),
        help,
        footer,
    }
}

/// A binding of a popup.
const fn popup(
    context: Context,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    footer: &'static str,
) -> Binding {
    Binding {
        scope: Scope::Only(context),
        keys,
        bound: Bound::Action(action),
        help,
        footer: Some(footer),
    }
}

/// Every binding, in the order the footer and the help list them.
pub const BINDINGS: &[Binding] = &[
    main(
        &[Key::char('l'), Key::code(KeyCode::Right)],
        Action::StepForward,
        "step forward: the next event",
        Some("step"),
    ),
    main(
        &[Key::char('h'), Key::code(KeyCode::Left)],
        Action::StepBack,
        "step back one event",
        Some("back"),
    ),
    main(
        &[Key::char('g'), Key::code(KeyCode::Home)],
        Action::JumpStart,
        "jump to the start",
        Some("start"),
    ),
    main(
        &[Key::char('G'), Key::code(KeyCode::End)],
        Action::JumpEnd,
        "jump to the end",
        Some("end"),
    ),
    main(
        &[Key::char('k'), Key::code(KeyCode::Up)],
        Action::SelectPrevious,
        "select the row above",
        None,
    ),
    main(
        &[Key::char('j'), Key::code(KeyCode::Down)],
        Action::SelectNext,
        "select the row below",
        None,
    ),
    main(
        &[Key::code(KeyCode::Enter)],
        Action::GoToSelected,
        "run up to the selected row",
        None,
    ),
    main(
        &[Key::char('K'), Key::shift(KeyCode::Up)],
        Action::MoveEarlier,
        "move the step earlier",
        Some("earlier"),
    ),
    main(
        &[Key::char('J'), Key::shift(KeyCode::Down)],
        Action::MoveLater,
        "move the step later",
        Some("later"),
    ),
    Binding {
        scope: Scope::Only(Context::Main),
        keys: DIGITS,
        bound: Bound::RunThread,
        help: "run thread N next, from here",
        footer: Some("run thread"),
    },
    main(
        &[Key::char('p')],
        Action::TogglePatch,
        "patch on/off, same order",
        Some("patch"),
    ),
    main(
        &[Key::char('r')],
        Action::ReplayReal,
        "replay on real threads",
        Some("real"),
    ),
    main(
        &[Key::char('e')],
        Action::Explore,
        "explore every execution",
        Some("explore"),
    ),
    main(
        &[Key::char('u')],
        Action::Undo,
        "undo the last edit",
        Some("undo"),
    ),
    main(
        &[Key::ctrl('r'), Key::char('U')],
        Action::Redo,
        "redo the last undone edit",
        Some("redo"),
    ),
    main(
        &[Key::char('s')],
        Action::Save,
        "save the order to the file",
        Some("save"),
    ),
    main(
        &[Key::char('S')],
        Action::SaveAs,
        "save the order to a new path",
        None,
    ),
    main(
        &[Key::char('o')],
        Action::OpenPicker,
        "open another schedule",
        Some("open"),
    ),
    main(
        &[Key::char('x')],
        Action::Export,
        "export: screen .svg, run .md",
        None,
    ),
    main(
        &[Key::char('?')],
        Action::Help,
        "show this help",
        Some("help"),
    ),
    main(
        &[Key::char('q')],
        Action::Quit,
        "quit (asks first if unsaved)",
        Some("quit"),
    ),
    Binding {
        scope: Scope::All,
        keys: &[Key::ctrl('c')],
        bound: Bound::Action(Action::QuitNow),
        help: "quit at once, even unsaved",
        footer: None,
    },
    popup(
        Context::Help,
        &[
            Key::code(KeyCode::Esc),
            Key::char('?'),
            Key::char('q'),
            Key::code(KeyCode::Enter),
        ],
        Action::Cancel,
        "close the help",
        "close",
    ),
    popup(
        Context::Picker,
        &[Key::char('k'), Key::code(KeyCode::Up)],
        Action::SelectPrevious,
        "highlight the file above",
        "up",
    ),
    popup(
        Context::Picker,
        &[Key::char('j'), Key::code(KeyCode::Down)],
        Action::SelectNext,
        "highlight the file below",
        "down",
    ),
    popup(
        Context::Picker,
        &[Key::code(KeyCode::Enter)],
        Action::Confirm,
        "open the highlighted file",
        "open",
    ),
    popup(
        Context::Picker,
        &[Key::code(KeyCode::Esc), Key::char('q')],
        Action::Cancel,
        "close the list",
        "cancel",
    ),
    popup(
        Context::Prompt,
        &[Key::code(KeyCode::Enter)],
        Action::Confirm,
        "save to the path typed",
        "save",
    ),
    popup(
        Context::Prompt,
        &[Key::code(KeyCode::Backspace)],
        Action::Erase,
        "erase the last character",
        "erase",
    ),
    popup(
        Context::Prompt,
        &[Key::code(KeyCode::Esc)],
        Action::Cancel,
        "cancel: nothing is saved",
        "cancel",
    ),
    popup(
        Context::Message,
        &[
            Key::code(KeyCode::Esc),
            Key::code(KeyCode::Enter),
            Key::char('q'),
        ],
        Action::Cancel,
        "close the message",
        "close",
    ),
    popup(
        Context::Exploring,
        &[Key::code(KeyCode::Esc), Key::char('q')],
        Action::Cancel,
        "cancel the exploration",
        "cancel",
    ),
    popup(
        Context::Explored,
        &[Key::char('k'), Key::code(KeyCode::Up)],
        Action::SelectPrevious,
        "highlight the order above",
        "up",
    ),
    popup(
        Context::Explored,
        &[Key::char('j'), Key::code(KeyCode::Down)],
        Action::SelectNext,
        "highlight the order below",
        "down",
    ),
    popup(
        Context::Explored,
        &[Key::code(KeyCode::Enter)],
        Action::Confirm,
        "load the order into the schedule",
        "load",
    ),
    popup(
        Context::Explored,
        &[Key::code(KeyCode::Esc), Key::char('q')],
        Action::Cancel,
        "close the results",
        "close",
    ),
];

impl Binding {
    /// Whether the binding applies in `context`.
    #[must_use]
    pub fn applies(&self, context: Context) -> bool {
        match self.scope {
            Scope::All => true,
            Scope::Only(only) => only == context,
        }
    }

    /// The action for a key press, if the binding has that key.
    fn action(&self, event: KeyEvent) -> Option<Action> {
        let key = self.keys.iter().position(|k| k.matches(event))?;
        Some(match &self.bound {
            Bound::Action(action) => action.clone(),
            Bound::RunThread => Action::RunNext { thread: key },
        })
    }

    /// The keys as written in the help: `l →`, `1–9`.
    #[must_use]
    pub fn keys_label(&self) -> String {
        match self.bound {
            Bound::RunThread => "1–9".to_owned(),
            Bound::Action(_) => {
                let labels: Vec<String> = self.keys.iter().map(|k| k.label()).collect();
                labels.join(" ")
            }
        }
    }

    /// The key as written in the footer: the first one only.
    #[must_use]
    pub fn footer_key(&self) -> String {
        match self.bound {
            Bound::RunThread => "1–9".to_owned(),
            Bound::Action(_) => self.keys.first().map(|k| k.label()).unwrap_or_default(),
        }
    }
}

/// The action for a key press in `context`, if any: the table first, then,
/// in the prompt, any character typed.
#[must_use]
pub fn action_for(context: Context, event: KeyEvent) -> Option<Action> {
    let bound = BINDINGS
        .iter()
        .filter(|b| b.applies(context))
        .find_map(|b| b.action(event));
    if bound.is_some() || context != Context::Prompt {
        return bound;
    }
    let command = KeyModifiers::CONTROL | KeyModifiers::ALT;
    match event.code {
        KeyCode::Char(ch) if !event.modifiers.intersects(command) => Some(Action::Type { ch }),
        _ => None,
    }
}

/// The first key bound to `action` in `context`, as the footer writes it,
/// for messages that name a key: `press g to go back`.
#[must_use]
pub fn label_for(context: Context, action: &Action) -> String {
    bound_to(context, &Bound::Action(action.clone())).map_or_else(unbound, Binding::footer_key)
}

/// Every key bound to `action` in `context`, joined by "or": `l or →`.
#[must_use]
pub fn labels_for(context: Context, action: &Action) -> String {
    bound_to(context, &Bound::Action(action.clone())).map_or_else(unbound, |binding| {
        let labels: Vec<String> = binding.keys.iter().map(|k| k.label()).collect();
        labels.join(" or ")
    })
}

/// The keys that run a thread next, as the footer writes them: `1–9`.
#[must_use]
pub fn run_thread_label() -> String {
    bound_to(Context::Main, &Bound::RunThread).map_or_else(unbound, Binding::footer_key)
}

/// The binding of `bound` in `context`, if the table has one.
fn bound_to(context: Context, bound: &Bound) -> Option<&'static Binding> {
    bindings(context).find(|b| b.bound == *bound)
}

/// What a message shows for a key the table does not bind.
fn unbound() -> String {
    "(unbound)".to_owned()
}

/// The bindings of `context`, in table order.
pub fn bindings(context: Context) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.applies(context))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn vim_keys_and_arrows_both_step() {
        let l = press(KeyCode::Char('l'), KeyModifiers::NONE);
        let right = press(KeyCode::Right, KeyModifiers::NONE);
        assert_eq!(action_for(Context::Main, l), Some(Action::StepForward));
        assert_eq!(action_for(Context::Main, right), Some(Action::StepForward));
    }

    #[test]
    fn shifted_letters_and_shifted_arrows_move_steps() {
        let k = press(KeyCode::Char('K'), KeyModifiers::SHIFT);
        let up = press(KeyCode::Up, KeyModifiers::SHIFT);
        assert_eq!(action_for(Context::Main, k), Some(Action::MoveEarlier));
        assert_eq!(action_for(Context::Main, up), Some(Action::MoveEarlier));
        let plain_up = press(KeyCode::Up, KeyModifiers::NONE);
        assert_eq!(
            action_for(Context::Main, plain_up),
            Some(Action::SelectPrevious)
        );
    }

    #[test]
    fn digits_run_threads_in_declaration_order() {
        let two = press(KeyCode::Char('2'), KeyModifiers::NONE);
        assert_eq!(
            action_for(Context::Main, two),
            Some(Action::RunNext { thread: 1 })
        );
    }

    #[test]
    fn ctrl_c_quits_everywhere_and_q_closes_popups() {
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        for context in [Context::Main, Context::Help, Context::Prompt] {
            assert_eq!(action_for(context, ctrl_c), Some(Action::QuitNow));
        }
        assert_eq!(action_for(Context::Help, q), Some(Action::Cancel));
        assert_eq!(
            action_for(Context::Prompt, q),
            Some(Action::Type { ch: 'q' })
        );
    }

    #[test]
    fn labels_come_from_the_table() {
        assert_eq!(label_for(Context::Main, &Action::Redo), "Ctrl-r");
        assert_eq!(labels_for(Context::Main, &Action::StepForward), "l or →");
        assert_eq!(label_for(Context::Prompt, &Action::Confirm), "Enter");
        assert_eq!(run_thread_label(), "1–9");
        assert_eq!(label_for(Context::Help, &Action::Undo), "(unbound)");
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let contexts = [
            Context::Main,
            Context::Help,
            Context::Picker,
            Context::Prompt,
            Context::Message,
            Context::Exploring,
            Context::Explored,
        ];
        for context in contexts {
            let keys: Vec<Key> = bindings(context)
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            for (i, key) in keys.iter().enumerate() {
                assert!(
                    !keys[i + 1..].contains(key),
                    "{} is bound twice in {context:?}",
                    key.label()
                );
            }
        }
    }
}
