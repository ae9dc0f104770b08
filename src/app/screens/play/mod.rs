//! The play screen: one conversation from the customer's first line to an ending. This file
//! owns the session and the trainee's actions; `view` draws it, `portrait` draws the customer.

pub mod conversation;
pub mod feedback;
pub mod portrait;
mod view;

use bevy::input_focus::InputFocus;
use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, futures_lite::future};
use bevy::text::EditableText;

use super::flow::{FinishedSession, PlayRequest, ShiftRun};
use crate::app::profile::TraineeProfile;
use crate::app::theme;
use crate::app::trainer::ResumeAt;
use crate::app::{AppSystems, Screen, SharedScorer};
use crate::progress::{AttemptRecord, unix_now};
use crate::session::Start;
use crate::session::{Options, Response, ScoredReply, Session, SessionError};

pub use view::{ReplyBox, ScreenText};

#[derive(Message, Debug, Clone, PartialEq)]
pub enum PlayAction {
    /// Pick a choice, 0-based.
    Choose(usize),
    /// Send a typed reply.
    Submit(String),
    /// Dismiss the feedback panel; the customer answers (or the debrief opens).
    Continue,
    /// Close the briefing and start the conversation (and its clocks).
    Begin,
    /// Escape: ask whether to leave mid-conversation.
    AskLeave,
    ConfirmLeave,
    CancelLeave,
}

/// Where the trainee is within a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The customer has spoken; the trainee is choosing or typing.
    Answering,
    /// The trainee replied; the feedback panel shows before the customer answers.
    Feedback,
}

/// What covers the conversation: the briefing it opens with, nothing, or the "leave this
/// conversation?" dialog. A sub-state of `Screen::Play`, so it exists only while a conversation
/// is on screen and starts at `Briefing` each time; keys and clocks behind an overlay stand
/// still while it is open.
#[derive(SubStates, Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[source(Screen = Screen::Play)]
pub enum PlayOverlay {
    /// Who the customer is, what happened, the case file and the objectives, read with the
    /// clock stopped; Enter starts the conversation.
    #[default]
    Briefing,
    None,
    ConfirmLeave,
}

/// The overlay as it is, and the way to change it.
#[derive(bevy::ecs::system::SystemParam)]
struct OverlayControl<'w> {
    state: Res<'w, State<PlayOverlay>>,
    next: ResMut<'w, NextState<PlayOverlay>>,
}

/// The conversation being played.
#[derive(Resource)]
pub struct ActiveSession {
    pub session: Session,
    pub phase: Phase,
    /// Seconds since the current prompt appeared (the hesitation clock).
    pub thinking_secs: f32,
    /// Seconds since the conversation began (the phone call timer).
    pub call_secs: f32,
    /// A problem with the last action, shown above the reply area.
    pub notice: Option<String>,
    /// When the conversation began, in seconds since the Unix epoch.
    pub started_at: u64,
    /// A typed reply being scored on another thread: the semantic layer runs a model, and the
    /// frames keep coming meanwhile. The thinking clock stands still until it is back.
    pub scoring: Option<ScoringReply>,
    /// A trainer's preview, resumed mid-conversation after the scenario was edited: it does not
    /// start at the start, so it is not saved as an attempt.
    pub preview: bool,
    /// What the "leave?" dialog covered when it was asked for: "Keep going" goes back there
    /// (to the briefing, for a shift's call left before it began).
    pub leave_asked_from: PlayOverlay,
}

/// A typed reply sent and being scored.
pub struct ScoringReply {
    task: Task<ScoredReply>,
    /// How long the trainee took to send it.
    elapsed_ms: u64,
}

/// Shown while a typed reply is scored; the model takes a moment on a slow machine.
pub const SCORING_NOTICE: &str = "Reading your reply…";

pub fn plugin(app: &mut App) {
    theme::add_button_action::<PlayAction>(app);
    app.add_sub_state::<PlayOverlay>()
        .init_resource::<FocusBehindDialog>()
        // Before key events reach the focused entity, so no key meant for an overlay lands in
        // the text box behind it, even in the frame the box appears.
        .add_systems(
            PreUpdate,
            hold_focus_behind_overlay
                .before(bevy::input_focus::InputFocusSystems::Dispatch)
                .run_if(in_state(Screen::Play)),
        )
        .add_systems(OnEnter(PlayOverlay::None), give_focus_back)
        .add_systems(OnEnter(Screen::Play), start)
        .add_systems(OnExit(Screen::Play), |mut commands: Commands| {
            commands.remove_resource::<ActiveSession>();
        })
        .add_systems(
            Update,
            (
                tick.in_set(AppSystems::TickTimers),
                (keys, submit_typed).chain().in_set(AppSystems::RecordInput),
                (act, collect_scored).chain().in_set(AppSystems::Act),
            )
                .run_if(in_state(Screen::Play).and_then(resource_exists::<ActiveSession>)),
        )
        .add_plugins(view::plugin);
}

/// What had keyboard focus (the reply box, say) while an overlay (the briefing, the "leave?"
/// dialog) is open. The overlay holds focus so that its keys (Y, N, Enter, Space) never reach
/// the text box behind it, and gives it back when it closes.
#[derive(Resource, Debug, Default)]
struct FocusBehindDialog(Option<Entity>);

fn hold_focus_behind_overlay(
    overlay: Option<Res<State<PlayOverlay>>>,
    pending: Option<Res<NextState<PlayOverlay>>>,
    focus: Option<ResMut<InputFocus>>,
    mut behind: ResMut<FocusBehindDialog>,
) {
    // Headless tests run without the focus plugin.
    let (Some(overlay), Some(mut focus)) = (overlay, focus) else {
        return;
    };
    // An overlay asked for (Esc last frame) holds focus already: it opens only at the next
    // state transition, after this frame's keys are dispatched.
    let opening = pending.is_some_and(|p| {
        matches!(*p, NextState::Pending(o) | NextState::PendingIfNeq(o) if o != PlayOverlay::None)
    });
    if (*overlay.get() != PlayOverlay::None || opening)
        && let Some(entity) = focus.get()
    {
        behind.0 = Some(entity);
        focus.clear();
    }
}

fn give_focus_back(
    focus: Option<ResMut<InputFocus>>,
    mut behind: ResMut<FocusBehindDialog>,
    entities: Query<()>,
) {
    let Some(mut focus) = focus else { return };
    if let Some(entity) = behind.0.take()
        && entities.contains(entity)
        && focus.get().is_none()
    {
        focus.set(entity, bevy::input_focus::FocusCause::Navigated);
    }
}

fn start(
    mut commands: Commands,
    request: Option<Res<PlayRequest>>,
    resume: Option<Res<ResumeAt>>,
    scorer: Res<SharedScorer>,
    mut next: ResMut<NextState<Screen>>,
    mut overlay: ResMut<NextState<PlayOverlay>>,
) {
    let Some(request) = request else {
        next.set(Screen::Library);
        return;
    };
    let (scenario, scorer) = (request.scenario.clone(), scorer.0.clone());
    // Trainer mode resumes an edited scenario where the conversation was.
    let resume = resume.filter(|r| r.scenario_id == scenario.id && !request.start.is_drill());
    commands.remove_resource::<ResumeAt>();
    let preview = resume.is_some();
    if preview {
        // A trainer resuming an edited scenario is mid-conversation: no briefing.
        overlay.set(PlayOverlay::None);
    }
    let session = match resume {
        Some(at) => Session::preview(scenario, &at.node, at.mood, request.seed, scorer),
        None => Session::begin(scenario, request.start.clone(), request.seed, scorer),
    };
    match session {
        Ok(session) => commands.insert_resource(ActiveSession {
            session,
            phase: Phase::Answering,
            thinking_secs: 0.0,
            call_secs: 0.0,
            notice: preview.then(|| {
                "Preview: the edited scenario, resumed at this node (not saved)".to_string()
            }),
            started_at: unix_now(),
            scoring: None,
            preview,
            leave_asked_from: PlayOverlay::None,
        }),
        Err(err) => {
            // A drill whose node was removed from the scenario since, say.
            error!("cannot start {}: {err}", request.scenario.id);
            next.set(leave_to(&request.start));
        }
    }
}

fn tick(time: Res<Time>, overlay: Res<State<PlayOverlay>>, mut active: ResMut<ActiveSession>) {
    // The clocks start when the briefing closes, and stop while the leave dialog is open.
    if *overlay.get() != PlayOverlay::None {
        return;
    }
    let dt = time.delta_secs();
    // Written through `bypass_change_detection`: the clocks change every frame, and the view
    // updates them in place rather than rebuilding.
    let active = active.bypass_change_detection();
    active.call_secs += dt;
    if active.phase == Phase::Answering && active.scoring.is_none() {
        active.thinking_secs += dt;
    }
}

fn keys(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    focus: Option<Res<InputFocus>>,
    boxes: Query<(), With<EditableText>>,
    active: Res<ActiveSession>,
    overlay: Res<State<PlayOverlay>>,
    mut actions: MessageWriter<PlayAction>,
) {
    let Some(keys) = keys else { return };
    if *overlay.get() == PlayOverlay::Briefing {
        if keys.any_just_pressed([KeyCode::Enter, KeyCode::NumpadEnter, KeyCode::Space]) {
            actions.write(PlayAction::Begin);
        }
        if keys.just_pressed(KeyCode::Escape) {
            actions.write(PlayAction::AskLeave);
        }
        return;
    }
    if *overlay.get() == PlayOverlay::ConfirmLeave {
        if keys.just_pressed(KeyCode::KeyY) || keys.just_pressed(KeyCode::Enter) {
            actions.write(PlayAction::ConfirmLeave);
        }
        if keys.just_pressed(KeyCode::KeyN) || keys.just_pressed(KeyCode::Escape) {
            actions.write(PlayAction::CancelLeave);
        }
        return;
    }
    if keys.just_pressed(KeyCode::Escape) {
        actions.write(PlayAction::AskLeave);
        return;
    }
    match active.phase {
        Phase::Feedback => {
            if keys.just_pressed(KeyCode::Enter) || keys.just_pressed(KeyCode::Space) {
                actions.write(PlayAction::Continue);
            }
        }
        Phase::Answering => {
            if super::typing(focus.as_deref(), &boxes) {
                return;
            }
            const DIGITS: [KeyCode; 9] = [
                KeyCode::Digit1,
                KeyCode::Digit2,
                KeyCode::Digit3,
                KeyCode::Digit4,
                KeyCode::Digit5,
                KeyCode::Digit6,
                KeyCode::Digit7,
                KeyCode::Digit8,
                KeyCode::Digit9,
            ];
            const NUMPAD: [KeyCode; 9] = [
                KeyCode::Numpad1,
                KeyCode::Numpad2,
                KeyCode::Numpad3,
                KeyCode::Numpad4,
                KeyCode::Numpad5,
                KeyCode::Numpad6,
                KeyCode::Numpad7,
                KeyCode::Numpad8,
                KeyCode::Numpad9,
            ];
            for i in 0..9 {
                if keys.just_pressed(DIGITS[i]) || keys.just_pressed(NUMPAD[i]) {
                    actions.write(PlayAction::Choose(i));
                }
            }
        }
    }
}

/// Enter in the reply box sends what is typed there.
fn submit_typed(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    active: Res<ActiveSession>,
    overlay: Res<State<PlayOverlay>>,
    boxes: Query<&EditableText, With<ReplyBox>>,
    mut actions: MessageWriter<PlayAction>,
) {
    let Some(keys) = keys else { return };
    if active.phase != Phase::Answering
        || *overlay.get() != PlayOverlay::None
        || !(keys.just_pressed(KeyCode::Enter) || keys.just_pressed(KeyCode::NumpadEnter))
    {
        return;
    }
    for reply_box in &boxes {
        actions.write(PlayAction::Submit(reply_box.value().to_string()));
    }
}

/// Where leaving a conversation early goes: back to where that kind of practice started.
fn leave_to(mode: &Start) -> Screen {
    match mode {
        Start::Drill { .. } => Screen::Progress,
        Start::Scenario | Start::ShiftCall { .. } => Screen::Library,
    }
}

fn act(
    mut commands: Commands,
    mut actions: MessageReader<PlayAction>,
    mut active: ResMut<ActiveSession>,
    mut profile: ResMut<TraineeProfile>,
    mut shift: Option<ResMut<ShiftRun>>,
    mut next: ResMut<NextState<Screen>>,
    mut overlay: OverlayControl,
) {
    let confirming = *overlay.state.get() == PlayOverlay::ConfirmLeave;
    let briefing = *overlay.state.get() == PlayOverlay::Briefing;
    for action in actions.read() {
        if briefing && matches!(action, PlayAction::Choose(_) | PlayAction::Submit(_)) {
            // A reply given (by a button or a test) ends the briefing, as Enter would.
            overlay.next.set(PlayOverlay::None);
        }
        match action {
            PlayAction::Begin => {
                if briefing {
                    overlay.next.set(PlayOverlay::None);
                }
            }
            // Nothing has happened yet: back out of the briefing without a record, unless it
            // is a shift's call, where leaving drops the shift and asks first.
            PlayAction::AskLeave
                if briefing && !matches!(active.session.start(), Start::ShiftCall { .. }) =>
            {
                next.set(leave_to(active.session.start()));
            }
            PlayAction::AskLeave => {
                // "Keep going" goes back to where the dialog was asked for.
                active.leave_asked_from = *overlay.state.get();
                overlay.next.set(PlayOverlay::ConfirmLeave);
            }
            PlayAction::CancelLeave => overlay.next.set(match active.leave_asked_from {
                PlayOverlay::Briefing => PlayOverlay::Briefing,
                _ => PlayOverlay::None,
            }),
            PlayAction::ConfirmLeave => {
                if confirming {
                    // Kept as abandoned: how often a trainee gives up, and where, matters.
                    if !active.preview {
                        profile.record(&active.session, active.started_at);
                    }
                    // Leaving a call leaves the shift: a shift is the calls taken in a row.
                    commands.remove_resource::<ShiftRun>();
                    next.set(leave_to(active.session.start()));
                }
            }
            PlayAction::Choose(_) | PlayAction::Submit(_)
                if active.phase != Phase::Answering || confirming || active.scoring.is_some() => {}
            PlayAction::Choose(shown) => {
                // Buttons and number keys count the choices shown; the mood may hide some, so
                // the session is given the picked one's authored index.
                let picked = match active.session.prompt().map(|p| p.options) {
                    Some(Options::Choices(offered)) => offered.get(*shown).map(|c| c.index),
                    _ => None,
                };
                if let Some(index) = picked {
                    reply(&mut active, Response::Choice(index));
                }
            }
            PlayAction::Submit(text) => send_typed(&mut active, text.clone()),
            PlayAction::Continue if active.phase == Phase::Feedback => {
                if active.session.is_over() {
                    let attempt = (!active.preview)
                        .then(|| profile.record(&active.session, active.started_at))
                        .flatten();
                    if let (Start::ShiftCall { .. }, Some(shift)) =
                        (active.session.start(), shift.as_deref_mut())
                    {
                        // Kept here too, so the shift's summary does not depend on saving.
                        shift.taken.push(AttemptRecord::from_session(
                            &active.session,
                            active.started_at,
                            unix_now(),
                        ));
                    }
                    commands.insert_resource(FinishedSession {
                        session: active.session.clone(),
                        attempt,
                    });
                    next.set(Screen::Debrief);
                } else {
                    active.phase = Phase::Answering;
                    active.thinking_secs = 0.0;
                }
            }
            PlayAction::Continue => {}
        }
    }
}

fn reply(active: &mut ActiveSession, response: Response) {
    let elapsed_ms = (active.thinking_secs * 1000.0) as u64;
    let result = active.session.respond(response, elapsed_ms).map(|_| ());
    show_result(active, result);
}

/// A typed reply is checked here and scored on the async compute pool; `collect_scored` takes
/// the score when it is ready.
fn send_typed(active: &mut ActiveSession, text: String) {
    let elapsed_ms = (active.thinking_secs * 1000.0) as u64;
    match active.session.prepare_typed(text) {
        Ok(pending) => {
            let task = AsyncComputeTaskPool::get().spawn(async move { pending.score() });
            active.scoring = Some(ScoringReply { task, elapsed_ms });
            active.notice = Some(SCORING_NOTICE.into());
        }
        Err(err) => show_result(active, Err(err)),
    }
}

/// Takes a typed reply's score once its task is done, and moves the conversation on.
fn collect_scored(mut active: ResMut<ActiveSession>) {
    let Some(scoring) = active.scoring.as_mut() else {
        return;
    };
    let Some(scored) = block_on(future::poll_once(&mut scoring.task)) else {
        return;
    };
    let elapsed_ms = scoring.elapsed_ms;
    active.scoring = None;
    let result = active
        .session
        .respond_scored(scored, elapsed_ms)
        .map(|_| ());
    show_result(&mut active, result);
}

fn show_result(active: &mut ActiveSession, result: Result<(), SessionError>) {
    match result {
        Ok(()) => {
            active.phase = Phase::Feedback;
            active.notice = None;
        }
        Err(SessionError::EmptyReply) => {
            active.notice = Some("Type a reply first, then press Enter.".into());
        }
        Err(SessionError::NoSuchChoice { .. }) => {}
        Err(err) => active.notice = Some(err.to_string()),
    }
}
