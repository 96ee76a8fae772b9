// LFU counter math (see lfu.h for the field layout and the idea).
#include "core/lfu.h"

namespace ember {

namespace {
constexpr uint32_t kMinutesMask = 0xffff;
}  // namespace

uint32_t LfuMinutes(int64_t now_ms) { return uint32_t(now_ms / 60000) & kMinutesMask; }

uint32_t LfuElapsedMinutes(uint32_t last_minutes, int64_t now_ms) {
  uint32_t now = LfuMinutes(now_ms);
  // Modular difference: a stored minute "ahead" of now means the clock wrapped in between.
  return now >= last_minutes ? now - last_minutes : kMinutesMask - last_minutes + now;
}

uint32_t LfuField(uint8_t counter, int64_t now_ms) { return LfuMinutes(now_ms) << 8 | counter; }

uint8_t LfuDecayedCounter(uint32_t field, int decay_time, int64_t now_ms) {
  uint32_t counter = field & 0xff;
  if (decay_time <= 0) return uint8_t(counter);
  uint32_t periods = LfuElapsedMinutes(field >> 8, now_ms) / uint32_t(decay_time);
  return periods >= counter ? 0 : uint8_t(counter - periods);
}

uint8_t LfuLogIncr(uint8_t counter, int log_factor, double r) {
  if (counter >= kLfuCounterMax) return counter;
  // Counting starts above the initial value: a fresh key's first hits are as likely to count
  // as a counter of 0's.
  double base = counter > kLfuInitVal ? double(counter - kLfuInitVal) : 0.0;
  double p = 1.0 / (base * double(log_factor < 0 ? 0 : log_factor) + 1.0);
  return r < p ? uint8_t(counter + 1) : counter;
}

double LfuRandom() {
  // xorshift64*: plenty for a coin flip per access, and no locks or syscalls.
  thread_local uint64_t state = 0x9e3779b97f4a7c15ull;
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  uint64_t x = state * 0x2545f4914f6cdd1dull;
  return double(x >> 11) * (1.0 / 9007199254740992.0);  // 53 random bits
}

uint32_t LfuTouch(uint32_t field, int log_factor, int decay_time, int64_t now_ms) {
  uint8_t counter = LfuDecayedCounter(field, decay_time, now_ms);
  return LfuField(LfuLogIncr(counter, log_factor, LfuRandom()), now_ms);
}

}  // namespace ember
