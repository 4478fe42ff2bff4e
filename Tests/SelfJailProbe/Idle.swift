import Glibc

/// A thread that only waits, started by the "threads" mode before entering a jail. In a
/// file of its own: a closure in main.swift's top-level code would be bound to the main
/// actor and trap when another thread runs it.
func startIdleThread() {
    var thread = pthread_t()
    pthread_create(&thread, nil, { _ in
        sleep(100)
        return nil
    }, nil)
}
