import Foundation

/// SIGINT set-up shared by the front ends that stop work on Ctrl-C (repl, run, kernel).
enum InterruptSignal {
    /// Unblocks SIGINT for this thread and the threads it starts later.
    ///
    /// A blocked signal mask survives fork and exec, so a parent that blocked SIGINT
    /// (some CI runners and process supervisors do) would otherwise leave Ctrl-C
    /// pending forever: no interrupt of training, no fresh prompt. Call it on the
    /// main thread before any worker thread is started.
    static func accept() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
