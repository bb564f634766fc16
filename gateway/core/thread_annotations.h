// Clang thread-safety annotations (-Wthread-safety) and a Mutex that carries
// them: libstdc++'s std::mutex is not annotated, so GUARDED_BY on a field
// protected by a std::mutex would check nothing. Under GCC the macros are
// empty and Mutex is a plain std::mutex. scripts/check_thread_safety.sh
// compiles the annotated code with clang and -Werror=thread-safety.
//
// Waiting: Mutex is BasicLockable, so std::condition_variable_any waits on
// it directly (`cv.wait(mu)` while a MutexLock holds it). Write the wait as
// a loop around the condition, not with a predicate lambda: clang checks a
// lambda as a function of its own, holding nothing.
#pragma once

#include <mutex>

#if defined(__clang__)
#define FIXGW_TSA(x) __attribute__((x))
#else
#define FIXGW_TSA(x)
#endif

#define CAPABILITY(x) FIXGW_TSA(capability(x))
#define SCOPED_CAPABILITY FIXGW_TSA(scoped_lockable)
#define GUARDED_BY(x) FIXGW_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) FIXGW_TSA(pt_guarded_by(x))
#define REQUIRES(...) FIXGW_TSA(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) FIXGW_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) FIXGW_TSA(release_capability(__VA_ARGS__))
#define EXCLUDES(...) FIXGW_TSA(locks_excluded(__VA_ARGS__))
#define RETURN_CAPABILITY(x) FIXGW_TSA(lock_returned(x))
#define NO_THREAD_SAFETY_ANALYSIS FIXGW_TSA(no_thread_safety_analysis)

namespace fixgw {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // BasicLockable, for std::condition_variable_any.
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace fixgw
