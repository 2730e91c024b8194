//! The schedule's locks as `parking_lot` primitives: a `ReentrantMutex` for a
//! reentrant lock, a `Mutex` for a plain one, behind one small interface.

use parking_lot::{Mutex, MutexGuard, ReentrantMutex, ReentrantMutexGuard};

use crate::schedule::LockKind;

/// One lock of the schedule, as the `parking_lot` primitive of its kind.
pub(crate) enum RealLock {
    /// An owner and a count: the owner may acquire it again.
    Reentrant(ReentrantMutex<()>),
    /// A second acquire by the owner blocks forever.
    Plain(Mutex<()>),
}

/// One successful acquire. A reentrant lock taken twice by its owner has
/// two guards; it is free again when both are gone.
pub(crate) enum Guard<'l> {
    /// A hold on a reentrant lock.
    Reentrant(ReentrantMutexGuard<'l, ()>),
    /// A hold on a plain lock.
    Plain(MutexGuard<'l, ()>),
}

impl RealLock {
    /// A free lock of `kind`.
    pub(crate) fn new(kind: LockKind) -> Self {
        match kind {
            LockKind::Reentrant => Self::Reentrant(ReentrantMutex::new(())),
            LockKind::Plain => Self::Plain(Mutex::new(())),
        }
    }

    /// Takes the lock if that needs no waiting: it is free, or reentrant
    /// and held by the calling thread.
    pub(crate) fn try_lock(&self) -> Option<Guard<'_>> {
        match self {
            Self::Reentrant(lock) => lock.try_lock().map(Guard::Reentrant),
            Self::Plain(lock) => lock.try_lock().map(Guard::Plain),
        }
    }

    /// Takes the lock, parking the calling thread until it is handed over.
    pub(crate) fn lock(&self) -> Guard<'_> {
        match self {
            Self::Reentrant(lock) => Guard::Reentrant(lock.lock()),
            Self::Plain(lock) => Guard::Plain(lock.lock()),
        }
    }

    /// Whether any thread, the calling one included, holds the lock: the
    /// question the patched handler asks about the import lock.
    pub(crate) fn is_locked(&self) -> bool {
        match self {
            Self::Reentrant(lock) => lock.is_locked(),
            Self::Plain(lock) => lock.is_locked(),
        }
    }
}

impl Guard<'_> {
    /// Gives one acquire back. When that frees the lock, it is handed
    /// straight to the thread that has waited longest, as the model's
    /// release does, instead of letting any thread race for it.
    pub(crate) fn unlock_fair(self) {
        match self {
            Self::Reentrant(guard) => ReentrantMutexGuard::unlock_fair(guard),
            Self::Plain(guard) => MutexGuard::unlock_fair(guard),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reentrant_lock_lets_its_owner_in_again() {
        let lock = RealLock::new(LockKind::Reentrant);
        let first = lock.lock();
        let second = lock.try_lock().expect("the owner re-enters");
        second.unlock_fair();
        assert!(lock.is_locked(), "one acquire is still held");
        first.unlock_fair();
        assert!(!lock.is_locked());
    }

    #[test]
    fn a_plain_lock_refuses_its_owner() {
        let lock = RealLock::new(LockKind::Plain);
        let guard = lock.lock();
        assert!(lock.try_lock().is_none());
        guard.unlock_fair();
        assert!(lock.try_lock().is_some());
    }
}
