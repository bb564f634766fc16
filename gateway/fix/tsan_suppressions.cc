// ThreadSanitizer suppressions built into every program that runs QuickFIX
// sessions (fixgw, fixsim, fixload); compiled to nothing outside TSan builds.
//
// QuickFIX's recursive FIX::Mutex (inline in quickfix/Mutex.h) checks its
// owner thread and count outside the pthread mutex it wraps. That check is
// the library's design, not a bug of ours, and because the functions are
// inline they are instrumented in our binary and reported on every session
// lock. Only those two leaf functions are suppressed; races anywhere else,
// including in fixload's own state, are still reported.
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
         "race:FIX::Mutex::unlock\n";
}
#endif
