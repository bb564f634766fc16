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

// LeakSanitizer (ASan builds): QuickFIX 1.15.1's SSL connectors leak, once
// per connector, objects they get from OpenSSL while setting up (the CA
// name list of loadCAInfo/findCAList, key objects of loadSSLCert); seen at
// fixload's exit in tests/gateway_tls_test.cc. OpenSSL's frames carry no
// frame pointers, so with ASan's fast unwinding these stacks end inside
// libcrypto/libssl and cannot be told apart by a QuickFIX frame: the
// suppression names the OpenSSL libraries. Our own OpenSSL use (tls.cc,
// logon_auth.cc) owns every object through unique_ptr or the stack.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIXGW_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FIXGW_ASAN 1
#endif

#if defined(FIXGW_ASAN)
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libcrypto.so\n"
         "leak:libssl.so\n";
}
#endif
