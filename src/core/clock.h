// Time source for everything that depends on the wall clock: expiry, LRU/LFU, idle timeouts,
// SLOWLOG. The server refreshes a cached "now" once per event-loop turn (as Redis caches
// mstime), so every command of one turn sees the same time; tests use a ManualClock and move
// time forward explicitly. Only the command-execution thread touches a Clock.
#pragma once

#include <cstdint>

namespace ember {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, as cached at the last Refresh().
  int64_t NowMs() const { return now_us_ / 1000; }
  // Microseconds since the Unix epoch, as cached at the last Refresh().
  int64_t NowUs() const { return now_us_; }
  // Re-reads the underlying time source.
  virtual void Refresh() = 0;

 protected:
  int64_t now_us_ = 0;
};

// Real time from CLOCK_REALTIME.
class SystemClock final : public Clock {
 public:
  SystemClock() { Refresh(); }
  void Refresh() override;
  // Monotonic microseconds, for measuring durations (not cached).
  static int64_t MonotonicUs();
};

// A clock that only moves when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) { now_us_ = start_ms * 1000; }
  void Refresh() override {}
  void SetMs(int64_t ms) { now_us_ = ms * 1000; }
  void AdvanceMs(int64_t ms) { now_us_ += ms * 1000; }
};

}  // namespace ember
