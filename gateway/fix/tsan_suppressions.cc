// ThreadSanitizer suppressions built into every program that runs QuickFIX
// sessions (fixgw, fixsim, fixload); compiled to nothing outside TSan builds.
//
// QuickFIX's recursive FIX::Mutex (inline in quickfix/Mutex.h) checks its
// owner thread and count outside the pthread mutex it wraps. That check is
// the library's design, not a bug of ours, and because the functions are
// inline they are instrumented in our binary and reported on every session
// lock.
//
// QuickFIX's threaded connectors also let a connection thread that ends on
// its own (the peer closed the socket) remove itself from the list that
// stop() joins, and then touch the connector's mutex once more
// (Initiator::setDisconnected). Destroying the connector after stop() is
// therefore unsynchronised with that last touch; nothing outside the
// library can join those threads. Reports whose stack holds the
// connectors' destructors are suppressed for that reason (seen in CI for
// ~Initiator under fixload). The library's own frames are often not
// symbolised (local symbols), so the patterns also match the owning
// unique_ptr's destructor frame in our code. For the same reason the
// never-joined connection threads are reported as leaked at exit (also at
// fixgw's deliberate _exit on a journal failure): thread leaks of threads
// QuickFIX spawned are suppressed.
//
// Only these are suppressed; races anywhere else, including in our own
// state, are still reported.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FIXGW_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define FIXGW_TSAN 1
#endif

#if defined(FIXGW_TSAN)
extern "C" const char* __tsan_default_suppressions();
extern "C" const char* __tsan_default_suppressions() {
  return "race:FIX::Mutex::lock\n"
         "race:FIX::Mutex::unlock\n"
         "race:FIX::Initiator::~Initiator\n"
         "race:FIX::Acceptor::~Acceptor\n"
         "race:std::unique_ptr<FIX::*Initiator\n"
         "race:std::unique_ptr<FIX::*Acceptor\n"
         "thread:FIX::thread_spawn\n";
}
#endif
