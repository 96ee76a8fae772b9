// Unit tests for server/multi.{h,cc}: the compact command queue (binary-safe copies, varint
// lengths across their byte boundaries, flags union, memory accounting) and the WATCH registry
// on its own (per-db keys, duplicate watches, counters, dirty marking, the stale-key rule, the
// EXEC-time expiry check). SWAPDB's rules are tested through the commands in
// tests/unit/commands/multi_family_test.cc; freeing a watching client in
// tests/integration/test_multi.py.
#include "server/multi.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

const CommandSpec& Spec(std::string_view name) { return *CommandTable::Instance().Find(name); }

std::vector<std::string> Strings(std::span<const std::string_view> views) {
  return {views.begin(), views.end()};
}

// --- CommandQueue ----------------------------------------------------------------------------

TEST(CommandQueueTest, RoundTripsArguments) {
  CommandQueue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.MemoryUsage(), 0u);
  std::vector<std::string> a = {"SET", "k", std::string("v\0\r\n", 4)};
  std::vector<std::string> b = {"GET", "k"};
  std::vector<std::string> c = {"PING"};
  // Lengths around the varint boundaries (127/128, 16383/16384) and an empty argument.
  std::vector<std::string> d = {"MSET",
                                std::string(127, 'a'),
                                std::string(128, 'b'),
                                std::string(16383, 'c'),
                                std::string(16384, 'd'),
                                ""};
  for (auto* args : {&a, &b, &c, &d}) {
    std::vector<std::string_view> views(args->begin(), args->end());
    {
      const CommandSpec& spec = Spec((*args)[0] == "MSET" ? "mset" : (*args)[0]);
      q.Append(spec, views, spec.flags);
    }
    for (std::string& s : *args) s.assign(s.size(), '#');  // the caller's buffer is reused
  }
  ASSERT_EQ(q.size(), 4u);
  std::vector<std::string_view> argv;
  EXPECT_EQ(Strings(q.Args(0, &argv)), (std::vector<std::string>{"SET", "k", {"v\0\r\n", 4}}));
  EXPECT_EQ(Strings(q.Args(1, &argv)), (std::vector<std::string>{"GET", "k"}));
  EXPECT_EQ(Strings(q.Args(2, &argv)), (std::vector<std::string>{"PING"}));
  std::vector<std::string> big = Strings(q.Args(3, &argv));
  ASSERT_EQ(big.size(), 6u);
  EXPECT_EQ(big[1], std::string(127, 'a'));
  EXPECT_EQ(big[2], std::string(128, 'b'));
  EXPECT_EQ(big[3], std::string(16383, 'c'));
  EXPECT_EQ(big[4], std::string(16384, 'd'));
  EXPECT_EQ(big[5], "");
  EXPECT_EQ(&q.cmd(1), &Spec("get"));
  EXPECT_GE(q.MemoryUsage(), 127u + 128 + 16383 + 16384);
}

TEST(CommandQueueTest, FlagsAreTheUnion) {
  CommandQueue q;
  std::vector<std::string_view> get = {"GET", "k"}, set = {"SET", "k", "v"};
  q.Append(Spec("get"), get, Spec("get").flags);
  EXPECT_FALSE(q.flags() & kCmdWrite);
  EXPECT_TRUE(q.flags() & kCmdReadOnly);
  q.Append(Spec("set"), set, Spec("set").flags);
  EXPECT_TRUE(q.flags() & kCmdWrite);
}

// --- WatchRegistry ---------------------------------------------------------------------------

TEST(WatchRegistryTest, WatchCountsAndUnwatch) {
  Harness h;
  WatchRegistry& w = h.server().watches();
  Client* a = h.server().CreateFakeClient();
  Client* b = h.server().CreateFakeClient();
  w.Watch(*a, 0, "k", false);
  w.Watch(*a, 0, "k", false);  // duplicate
  w.Watch(*a, 3, "k", false);  // same name, other db: another key
  w.Watch(*b, 0, "k", false);
  EXPECT_EQ(w.watched_keys(), 2u);
  EXPECT_EQ(w.watching_clients(), 2u);
  EXPECT_EQ(a->tx->watched.size(), 2u);
  w.UnwatchAll(*a);
  EXPECT_EQ(w.watched_keys(), 1u);
  EXPECT_EQ(w.watching_clients(), 1u);
  w.UnwatchAll(*a);  // idempotent
  w.UnwatchAll(*b);
  EXPECT_EQ(w.watched_keys(), 0u);
  EXPECT_EQ(w.watching_clients(), 0u);
}

TEST(WatchRegistryTest, TouchMarksDirtyPerDbAndKey) {
  Harness h;
  WatchRegistry& w = h.server().watches();
  Client* a = h.server().CreateFakeClient();
  Client* b = h.server().CreateFakeClient();
  w.Watch(*a, 0, "x", false);
  w.Watch(*a, 0, "y", false);
  w.Watch(*b, 1, "x", false);
  w.Touch(0, "other");
  w.Touch(2, "x");
  EXPECT_FALSE(a->flags & kClientDirtyCas);
  EXPECT_FALSE(b->flags & kClientDirtyCas);
  w.Touch(0, "x");
  EXPECT_TRUE(a->flags & kClientDirtyCas);
  EXPECT_FALSE(b->flags & kClientDirtyCas);
  // A dirty client stops watching all its keys at once.
  EXPECT_EQ(a->tx, nullptr);
  EXPECT_EQ(w.watched_keys(), 1u);
  w.Touch(0, "y");  // nobody left
  w.Touch(1, "x");
  EXPECT_TRUE(b->flags & kClientDirtyCas);
  EXPECT_EQ(w.watched_keys(), 0u);
}

TEST(WatchRegistryTest, StaleWatchSurvivesItsRemovalOnly) {
  Harness h;
  WatchRegistry& w = h.server().watches();
  Client* a = h.server().CreateFakeClient();
  w.Watch(*a, 0, "x", /*expired=*/true);
  w.Touch(0, "x");  // the stale key's removal
  EXPECT_FALSE(a->flags & kClientDirtyCas);
  w.Touch(0, "x");  // anything after that is a change
  EXPECT_TRUE(a->flags & kClientDirtyCas);
}

TEST(WatchRegistryTest, ExpiredAtExecCheck) {
  Harness h;
  h.server().set_active_expire(false);
  WatchRegistry& w = h.server().watches();
  Client& c = h.client();
  h.Run({"SET", "live", "1"});
  h.Run({"SET", "soon", "1", "PX", "10"});
  w.Watch(c, 0, "live", false);
  w.Watch(c, 0, "missing", false);
  w.Watch(c, 0, "soon", false);
  EXPECT_FALSE(w.AnyWatchedKeyExpired(c, h.server().keyspace()));
  h.clock().AdvanceMs(11);
  EXPECT_TRUE(w.AnyWatchedKeyExpired(c, h.server().keyspace()));
  w.UnwatchAll(c);
  w.Watch(c, 0, "soon", /*expired=*/true);  // stale when watched: not a change
  EXPECT_FALSE(w.AnyWatchedKeyExpired(c, h.server().keyspace()));
}

}  // namespace
}  // namespace ember
