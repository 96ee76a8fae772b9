// Micro-benchmarks for the keyspace table: insert, find (hit and miss), full SCAN and active
// expiry over 1M keys of 16 bytes with 16-byte values (the memory-per-key reference shape).
// Reported counters: ns per operation, bucket-array and entry bytes per key, and how many
// 25ms expiry cycles (hz=10 at 25% CPU) reclaim 1M expired keys.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/db.h"
#include "core/dict.h"

namespace ember {
namespace {

constexpr int kKeys = 1'000'000;

std::string Key(int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key:%012d", i);  // 16 bytes
  return buf;
}

const std::vector<std::string>& Keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> v;
    v.reserve(kKeys);
    for (int i = 0; i < kKeys; ++i) v.push_back(Key(i));
    return v;
  }();
  return keys;
}

const std::string kValue(16, 'v');

void FillDict(Dict& d) {
  for (const std::string& k : Keys()) d.Insert(KvEntry::CreateString(k, kValue));
}

void BM_DictInsert(benchmark::State& state) {
  const auto& keys = Keys();
  for (auto _ : state) {
    Dict d;
    for (const std::string& k : keys) d.Insert(KvEntry::CreateString(k, kValue));
    benchmark::DoNotOptimize(d.size());
    state.PauseTiming();
    d.Clear();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
}
BENCHMARK(BM_DictInsert)->Unit(benchmark::kMillisecond);

void BM_DictFindHit(benchmark::State& state) {
  Dict d;
  FillDict(d);
  while (d.RehashStep(1000)) {
  }
  const auto& keys = Keys();
  uint64_t x = 88172645463325252ULL;
  for (auto _ : state) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    benchmark::DoNotOptimize(d.Find(keys[x % kKeys]));
  }
  state.SetItemsProcessed(state.iterations());
  size_t entry_bytes = 0;
  d.ForEach([&](KvEntry* e) { entry_bytes += e->MemoryUsage(); });
  state.counters["entry_B/key"] = double(entry_bytes) / double(d.size());
  state.counters["bucket_B/key"] = double(d.BucketBytes()) / double(d.size());
}
BENCHMARK(BM_DictFindHit);

// Same table, but only 4096 distinct keys are looked up: measures the code path rather than
// DRAM latency (the random variant above is dominated by cache misses on bucket and entry).
void BM_DictFindHitHot(benchmark::State& state) {
  Dict d;
  FillDict(d);
  while (d.RehashStep(1000)) {
  }
  const auto& keys = Keys();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(d.Find(keys[(i++ & 4095) * 241]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DictFindHitHot);

void BM_DictFindMiss(benchmark::State& state) {
  Dict d;
  FillDict(d);
  while (d.RehashStep(1000)) {
  }
  std::vector<std::string> misses;
  for (int i = 0; i < 4096; ++i) misses.push_back("miss:" + std::to_string(i) + "-padding");
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(d.Find(misses[i++ & 4095]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DictFindMiss);

void BM_DictScan(benchmark::State& state) {
  Dict d;
  FillDict(d);
  while (d.RehashStep(1000)) {
  }
  for (auto _ : state) {
    size_t n = 0;
    uint64_t cursor = 0;
    do {
      cursor = d.Scan(cursor, [&n](KvEntry*) { ++n; });
    } while (cursor != 0);
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
}
BENCHMARK(BM_DictScan)->Unit(benchmark::kMillisecond);

void BM_ActiveExpire1M(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    ManualClock clock;
    KeyspaceStats stats;
    auto db = std::make_unique<Db>(0, &clock, &stats, nullptr);
    for (const std::string& k : Keys()) {
      db->Add(KvEntry::CreateString(k, kValue, clock.NowMs() + 1000));
    }
    clock.AdvanceMs(1001);
    state.ResumeTiming();
    int cycles = 0;
    while (db->expires_count() > 0) {
      db->ActiveExpireCycle(25'000);
      ++cycles;
    }
    state.counters["cycles_25ms"] = cycles;
  }
}
BENCHMARK(BM_ActiveExpire1M)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace ember
