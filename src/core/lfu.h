// LFU access counting for maxmemory's allkeys-lfu / volatile-lfu policies.
//
// Under an LFU policy each entry's 24-bit access field (KvEntry::lru) holds two parts:
//   bits 8..23  the minute (Unix minutes modulo 2^16) of the last decrement or increment
//   bits 0..7   a logarithmic access counter, 0..255
// The counter is not a count of accesses but roughly its logarithm: an access raises it by one
// with probability 1 / ((counter - kLfuInitVal) * lfu-log-factor + 1), so a key needs about a
// million hits to saturate at the default factor 10, and a factor of 0 makes every access
// count. New keys start at kLfuInitVal (5) rather than 0, so they survive long enough to
// collect hits instead of being the first candidates for eviction.
//
// Decay makes the counter forget: whenever the field is read for a decision (an access, an
// eviction sample, OBJECT FREQ), one is subtracted per lfu-decay-time minutes elapsed since the
// stored minute (a decay time of 0 disables decay). The stored minute wraps every ~45 days; an
// elapsed time computed across the wrap is still correct as long as a key is looked at at least
// once per wrap, and at worst a very old key decays less than it should.
// Thread: pure functions, except LfuRandom (per-thread generator).
#pragma once

#include <cstdint>

namespace ember {

inline constexpr uint8_t kLfuInitVal = 5;
inline constexpr uint32_t kLfuCounterMax = 255;

// The current time in minutes, modulo 2^16 (the high 16 bits of the field).
uint32_t LfuMinutes(int64_t now_ms);
// Minutes elapsed since `last_minutes` (both modulo 2^16).
uint32_t LfuElapsedMinutes(uint32_t last_minutes, int64_t now_ms);
// The 24-bit field for `counter` as of `now_ms`.
uint32_t LfuField(uint8_t counter, int64_t now_ms);
// The counter stored in `field` after decay by the minutes elapsed until `now_ms`.
uint8_t LfuDecayedCounter(uint32_t field, int decay_time, int64_t now_ms);
// One access: the counter after a probabilistic increment, with `r` uniform in [0, 1).
uint8_t LfuLogIncr(uint8_t counter, int log_factor, double r);
// A uniform random number in [0, 1) from a fast per-thread generator.
double LfuRandom();
// The field after one access at `now_ms`: decay, increment, restamp the minute.
uint32_t LfuTouch(uint32_t field, int log_factor, int decay_time, int64_t now_ms);

}  // namespace ember
