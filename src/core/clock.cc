// SystemClock: CLOCK_REALTIME for cached "now", CLOCK_MONOTONIC for durations.
#include "core/clock.h"

#include <time.h>

namespace ember {

void SystemClock::Refresh() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  now_us_ = int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

int64_t SystemClock::MonotonicUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

}  // namespace ember
