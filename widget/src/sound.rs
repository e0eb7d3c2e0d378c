//! The notification sound: two short notes made by Web Audio, so there is
//! no file to fetch. A browser lets a frame play sound only after a gesture
//! in it, so the sound is unlocked by the visitor's first click or key in
//! the window, and is silent before.

use std::cell::{Cell, RefCell};

use web_sys::AudioContext;

/// Where [`muted`] keeps the visitor's choice, in the window's own storage.
const MUTED_KEY: &str = "ferrochat:muted";

thread_local! {
    static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// When the sound plays: the embed allows it (`notificationSound`), the
/// visitor has not muted it, and the window is closed or its tab hidden.
#[derive(Debug)]
pub(crate) struct Chime {
    pub enabled: Cell<bool>,
    pub muted: Cell<bool>,
    pub open: Cell<bool>,
}

impl Chime {
    pub(crate) fn new() -> Chime {
        Chime {
            enabled: Cell::new(true),
            muted: Cell::new(muted()),
            open: Cell::new(false),
        }
    }

    /// An agent's message arrived.
    pub(crate) fn heard(&self) {
        let hidden = web_sys::window()
            .and_then(|window| window.document())
            .is_some_and(|document| document.hidden());
        if self.enabled.get() && !self.muted.get() && (!self.open.get() || hidden) {
            play();
        }
    }

    /// A click or key in the window: sound can start from now on (only
    /// made ready when the embed allows sound).
    pub(crate) fn gesture(&self) {
        if self.enabled.get() {
            unlock();
        }
    }

    /// The visitor's mute button.
    pub(crate) fn toggle(&self) {
        let muted = !self.muted.get();
        self.muted.set(muted);
        if let Some(storage) = storage() {
            let _ = if muted {
                storage.set_item(MUTED_KEY, "1")
            } else {
                storage.remove_item(MUTED_KEY)
            };
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The visitor muted the sound on this site before.
fn muted() -> bool {
    storage().is_some_and(|storage| storage.get_item(MUTED_KEY).ok().flatten().is_some())
}

/// Makes (or resumes) the audio context; browsers let it start only
/// during a gesture in the window.
fn unlock() {
    CONTEXT.with(|context| {
        let mut context = context.borrow_mut();
        if context.is_none() {
            *context = AudioContext::new().ok();
        }
        if let Some(context) = context.as_ref() {
            let _ = context.resume();
        }
    });
}

/// Two notes, a fifth apart, 120 ms each, with a soft attack and decay.
fn play() {
    let Some(context) = CONTEXT.with(|context| context.borrow().clone()) else {
        return;
    };
    let now = context.current_time();
    for (index, frequency) in [880.0, 1318.5].into_iter().enumerate() {
        let start = now + 0.12 * index as f64;
        let (Ok(tone), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else {
            return;
        };
        tone.frequency().set_value(frequency);
        let volume = gain.gain();
        let _ = volume.set_value_at_time(0.0001, start);
        let _ = volume.exponential_ramp_to_value_at_time(0.15, start + 0.01);
        let _ = volume.exponential_ramp_to_value_at_time(0.0001, start + 0.24);
        let _ = tone
            .connect_with_audio_node(&gain)
            .and_then(|_| gain.connect_with_audio_node(&context.destination()));
        let _ = tone.start_with_when(start);
        let _ = tone.stop_with_when(start + 0.25);
    }
}
