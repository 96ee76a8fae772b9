// Unit tests for server/tracking.{h,cc} and the CLIENT TRACKING family: the compact key table
// (against a reference map through growth, backward-shift deletion and random picks), and
// client-side caching through the dispatcher with several in-process clients — default mode,
// RESP3 pushes after the reply, NOLOOP, OPTIN/OPTOUT with CLIENT CACHING, BCAST prefixes and
// their collision errors, RESP2 redirects in Pub/Sub mode, broken redirects, flushes, expiry,
// transactions, the tracking-table-max-keys limit, TRACKINGINFO/GETREDIR and CLIENT LIST.
#include "server/tracking.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

// --- TrackedKeys ------------------------------------------------------------------------------

TEST(TrackedKeysTest, AddRemoveAndCounts) {
  TrackedKeys t;
  EXPECT_TRUE(t.Add("a", 5));
  EXPECT_FALSE(t.Add("a", 5));
  EXPECT_TRUE(t.Add("a", 3));
  EXPECT_TRUE(t.Add("a", 9));
  EXPECT_TRUE(t.Add(std::string("b\0c", 3), 5));
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.items(), 4u);
  std::vector<uint64_t> ids;
  EXPECT_FALSE(t.Remove("zz", &ids));
  EXPECT_TRUE(t.Remove("a", &ids));
  EXPECT_EQ(ids, (std::vector<uint64_t>{3, 5, 9}));  // sorted
  EXPECT_EQ(t.size(), 1u);
  EXPECT_EQ(t.items(), 1u);
  ids.clear();
  EXPECT_TRUE(t.Remove(std::string("b\0c", 3), &ids));
  EXPECT_EQ(ids, (std::vector<uint64_t>{5}));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.MemoryUsage(), 0u);
  std::string k;
  EXPECT_FALSE(t.RandomKey(1, &k));
}

// Random adds and removes against std::map: exercises growth and the backward shift that keeps
// probe chains intact without tombstones.
TEST(TrackedKeysTest, MatchesReferenceUnderChurn) {
  TrackedKeys t;
  std::map<std::string, std::set<uint64_t>> ref;
  std::mt19937_64 rng(42);
  size_t items = 0;
  for (int step = 0; step < 200000; step++) {
    std::string key = "k" + std::to_string(rng() % 3000);
    if (rng() % 3 != 0) {
      uint64_t id = rng() % 7 + 1;
      bool added = ref[key].insert(id).second;
      items += added;
      ASSERT_EQ(t.Add(key, id), added);
    } else {
      std::vector<uint64_t> ids;
      auto it = ref.find(key);
      ASSERT_EQ(t.Remove(key, &ids), it != ref.end());
      if (it != ref.end()) {
        ASSERT_EQ(ids, std::vector<uint64_t>(it->second.begin(), it->second.end()));
        items -= it->second.size();
        ref.erase(it);
      }
    }
    ASSERT_EQ(t.size(), ref.size());
    ASSERT_EQ(t.items(), items);
  }
  // Random picks always name a tracked key; removing them all empties the table.
  std::string k;
  while (t.RandomKey(rng(), &k)) {
    ASSERT_TRUE(ref.count(k)) << k;
    std::vector<uint64_t> ids;
    ASSERT_TRUE(t.Remove(k, &ids));
    ref.erase(k);
  }
  EXPECT_TRUE(ref.empty());
  EXPECT_EQ(t.MemoryUsage(), 0u);
}

// --- through the dispatcher -------------------------------------------------------------------

// Several in-process clients on one server. Run() returns what the command appended to the
// client's output (reply and any pushes), rendered; Out() drains what others' commands queued.
class TrackingTest : public ::testing::Test {
 protected:
  Server& server() { return h_.server(); }
  Client* NewClient() { return server().CreateFakeClient(); }

  std::string Run(Client* c, const std::vector<std::string>& args) {
    c->obuf.clear();
    std::vector<std::string_view> views(args.begin(), args.end());
    server().Execute(*c, views);
    std::string out = RenderAll(c->obuf);
    c->obuf.clear();
    return out;
  }
  // Everything queued for c since its last Run/Out, rendered; then cleared.
  std::string Out(Client* c) {
    std::string s = RenderAll(c->obuf);
    c->obuf.clear();
    return s;
  }
  static std::string RenderAll(const std::string& raw) {
    std::string out;
    size_t pos = 0;
    while (pos < raw.size()) {
      if (!out.empty()) out += " | ";
      out += Harness::Render(raw, &pos);
    }
    return out;
  }
  std::string Id(Client* c) { return std::to_string(c->id); }
  std::string Info(const std::string& field) {
    std::string info = Run(h_.server().CreateFakeClient(), {"INFO", "stats"});
    info += Run(h_.server().CreateFakeClient(), {"INFO", "clients"});
    size_t p = info.find(field + ":");
    if (p == std::string::npos) return "?";
    p += field.size() + 1;
    return info.substr(p, info.find('\r', p) - p);
  }

  Harness h_;
};

TEST_F(TrackingTest, Resp3DefaultModeInvalidatesReadKeysOnce) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKING", "on"}), "OK");
  Run(b, {"SET", "k", "1"});
  Run(b, {"SET", "other", "1"});
  EXPECT_EQ(Run(a, {"GET", "k"}), "1");
  Run(b, {"SET", "other", "2"});  // never read by a
  EXPECT_EQ(Out(a), "");
  Run(b, {"SET", "k", "2"});
  EXPECT_EQ(Out(a), "[invalidate, [k]]");
  Run(b, {"SET", "k", "3"});  // not read again: no second message
  EXPECT_EQ(Out(a), "");
  EXPECT_EQ(Info("tracking_total_keys"), "0");
}

TEST_F(TrackingTest, OwnWriteInvalidationFollowsTheReply) {
  Client* a = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on"});
  Run(a, {"HSET", "h", "f", "1"});
  Run(a, {"HGET", "h", "f"});
  EXPECT_EQ(Run(a, {"HDEL", "h", "f"}), "(integer) 1 | [invalidate, [h]]");
  // Inside a transaction, after the whole EXEC array.
  Run(a, {"MSET", "x", "1", "y", "2"});
  Run(a, {"GET", "x"});
  Run(a, {"MULTI"});
  Run(a, {"INCR", "x"});
  Run(a, {"GET", "y"});
  EXPECT_EQ(Run(a, {"EXEC"}), "[(integer) 2, 2] | [invalidate, [x]]");
}

TEST_F(TrackingTest, NoLoopSkipsOwnWrites) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on", "NOLOOP"});
  Run(a, {"MGET", "k1", "k2"});
  EXPECT_EQ(Run(a, {"SET", "k1", "x"}), "OK");
  Run(b, {"SET", "k2", "x"});
  EXPECT_EQ(Out(a), "[invalidate, [k2]]");
}

TEST_F(TrackingTest, Resp2ClientWithoutRedirectGetsNothingButKeysAreTracked) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"CLIENT", "TRACKING", "on"});
  Run(a, {"GET", "k"});
  EXPECT_EQ(Info("tracking_total_keys"), "1");
  Run(b, {"SET", "k", "1"});
  EXPECT_EQ(Out(a), "");
  EXPECT_EQ(Info("tracking_total_keys"), "0");
}

TEST_F(TrackingTest, RedirectToResp2PubSubClient) {
  Client* a = NewClient();
  Client* r = NewClient();
  Client* b = NewClient();
  EXPECT_EQ(Run(r, {"SUBSCRIBE", "__redis__:invalidate"}),
            "[subscribe, __redis__:invalidate, (integer) 1]");
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKING", "on", "REDIRECT", Id(r)}), "OK");
  EXPECT_EQ(Run(a, {"CLIENT", "GETREDIR"}), "(integer) " + Id(r));
  Run(a, {"GET", "k"});
  Run(b, {"SET", "k", "1"});
  EXPECT_EQ(Out(r), "[message, __redis__:invalidate, [k]]");
  EXPECT_EQ(Out(a), "");
  // A flush: a null instead of the keys.
  Run(a, {"GET", "k"});
  Run(b, {"FLUSHALL"});
  EXPECT_EQ(Out(r), "[message, __redis__:invalidate, (nil)]");
  EXPECT_EQ(Info("tracking_total_keys"), "0");
}

TEST_F(TrackingTest, RedirectToResp2ClientNotInPubSubDropsMessages) {
  Client* a = NewClient();
  Client* r = NewClient();
  Client* b = NewClient();
  Run(a, {"CLIENT", "TRACKING", "on", "REDIRECT", Id(r)});
  Run(a, {"GET", "k"});
  Run(b, {"SET", "k", "1"});
  EXPECT_EQ(Out(r), "");
  EXPECT_EQ(Out(a), "");
}

TEST_F(TrackingTest, BrokenRedirectIsReportedToResp3Client) {
  Client* a = NewClient();
  Client* r = NewClient();
  Client* b = NewClient();
  uint64_t rid = r->id;
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on", "REDIRECT", Id(r)});
  Run(a, {"GET", "k"});
  server().FreeClient(r);
  Run(b, {"SET", "k", "1"});
  EXPECT_EQ(Out(a), "[tracking-redir-broken, (integer) " + std::to_string(rid) + "]");
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKINGINFO"}),
            "[flags, [on, broken_redirect], redirect, (integer) " + std::to_string(rid) +
                ", prefixes, []]");
  std::string list = Run(a, {"CLIENT", "INFO"});
  EXPECT_NE(list.find("flags=tR "), std::string::npos) << list;
  EXPECT_NE(list.find(" redir=" + std::to_string(rid) + " "), std::string::npos) << list;
}

TEST_F(TrackingTest, OptInNeedsCachingYesForTheNextCommandOnly) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on", "OPTIN"});
  Run(a, {"GET", "k1"});  // not tracked
  EXPECT_EQ(Run(a, {"CLIENT", "CACHING", "yes"}), "OK");
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKINGINFO"}),
            "[flags, [on, optin, caching-yes], redirect, (integer) 0, prefixes, []]");
  Run(a, {"GET", "k2"});  // tracked
  Run(a, {"GET", "k3"});  // the flag is gone again
  Run(b, {"MSET", "k1", "1", "k2", "1", "k3", "1"});
  EXPECT_EQ(Out(a), "[invalidate, [k2]]");
  // CACHING yes covers a whole transaction.
  Run(a, {"CLIENT", "CACHING", "yes"});
  Run(a, {"MULTI"});
  Run(a, {"GET", "k1"});
  Run(a, {"GET", "k3"});
  Run(a, {"EXEC"});
  Run(b, {"MSET", "k1", "2", "k3", "2"});
  EXPECT_EQ(Out(a), "[invalidate, [k1]] | [invalidate, [k3]]");
}

TEST_F(TrackingTest, OptOutSkipsAfterCachingNo) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on", "OPTOUT"});
  EXPECT_EQ(Run(a, {"CLIENT", "CACHING", "no"}), "OK");
  Run(a, {"GET", "k1"});  // not tracked
  Run(a, {"GET", "k2"});  // tracked
  Run(b, {"MSET", "k1", "1", "k2", "1"});
  EXPECT_EQ(Out(a), "[invalidate, [k2]]");
}

TEST_F(TrackingTest, CachingErrors) {
  Client* a = NewClient();
  EXPECT_EQ(Run(a, {"CLIENT", "CACHING", "yes"}),
            "(error) ERR CLIENT CACHING can be called only when the client is in tracking mode "
            "with OPTIN or OPTOUT mode enabled");
  Run(a, {"CLIENT", "TRACKING", "on"});
  EXPECT_EQ(Run(a, {"CLIENT", "CACHING", "yes"}),
            "(error) ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
  EXPECT_EQ(Run(a, {"CLIENT", "CACHING", "no"}),
            "(error) ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT "
            "mode.");
  Run(a, {"CLIENT", "TRACKING", "on", "OPTIN"});
  EXPECT_EQ(Run(a, {"CLIENT", "CACHING", "maybe"}), "(error) ERR syntax error");
}

TEST_F(TrackingTest, TrackingOptionErrors) {
  Client* a = NewClient();
  Client* b = NewClient();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"CLIENT", "TRACKING"});
    return Run(a, args);
  };
  EXPECT_EQ(run({"on", "REDIRECT", "999999"}),
            "(error) ERR The client ID you want redirect to does not exist");
  EXPECT_EQ(run({"on", "REDIRECT", "0"}),
            "(error) ERR The client ID you want redirect to does not exist");
  EXPECT_EQ(run({"on", "REDIRECT", "x"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(run({"on", "REDIRECT", Id(b), "REDIRECT", "999999"}),
            "(error) ERR A client can only redirect to a single other client");
  EXPECT_EQ(run({"on", "PREFIX", "a"}),
            "(error) ERR PREFIX option requires BCAST mode to be enabled");
  EXPECT_EQ(run({"on", "BCAST", "OPTIN"}),
            "(error) ERR OPTIN and OPTOUT are not compatible with BCAST");
  EXPECT_EQ(run({"on", "OPTIN", "OPTOUT"}),
            "(error) ERR You can't specify both OPTIN mode and OPTOUT mode");
  EXPECT_EQ(run({"on", "BCAST", "PREFIX"}), "(error) ERR syntax error");
  EXPECT_EQ(run({"maybe"}), "(error) ERR syntax error");
  EXPECT_EQ(run({"off", "BCAST", "OPTIN", "PREFIX", "x"}), "OK");
  EXPECT_EQ(run({"on", "OPTIN"}), "OK");
  EXPECT_EQ(run({"on", "OPTOUT"}),
            "(error) ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
            "client, and then re-enabling it with a different mode.");
  EXPECT_EQ(run({"on", "BCAST"}),
            "(error) ERR You can't switch BCAST mode on/off before disabling tracking for this "
            "client, and then re-enabling it with a different mode.");
  EXPECT_EQ(run({"on", "REDIRECT", Id(a)}), "OK");  // redirecting to itself is allowed
}

TEST_F(TrackingTest, PrefixCollisions) {
  Client* a = NewClient();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"CLIENT", "TRACKING"});
    return Run(a, args);
  };
  EXPECT_EQ(run({"on", "BCAST", "PREFIX", "FOOBAR", "PREFIX", "FOO"}),
            "(error) ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'. Prefixes "
            "for a single client must not overlap.");
  EXPECT_EQ(run({"on", "BCAST", "PREFIX", "FOO", "PREFIX", "BAR"}), "OK");
  EXPECT_EQ(run({"on", "BCAST", "PREFIX", "FO"}),
            "(error) ERR Prefix 'FO' overlaps with an existing prefix 'FOO'. Prefixes for a "
            "single client must not overlap.");
  EXPECT_EQ(run({"on", "BCAST", "PREFIX", "BAR"}),
            "(error) ERR Prefix 'BAR' overlaps with an existing prefix 'BAR'. Prefixes for a "
            "single client must not overlap.");
  EXPECT_EQ(run({"on", "BCAST", "PREFIX", "baz"}), "OK");
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKINGINFO"}),
            "[flags, [on, bcast], redirect, (integer) 0, prefixes, [BAR, FOO, baz]]");
  EXPECT_EQ(Info("tracking_total_prefixes"), "3");
  EXPECT_EQ(run({"off"}), "OK");
  EXPECT_EQ(Info("tracking_total_prefixes"), "0");
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKINGINFO"}),
            "[flags, [off], redirect, (integer) -1, prefixes, []]");
}

TEST_F(TrackingTest, BcastCollectsKeysPerPrefixUntilBeforeSleep) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a:", "PREFIX", "b:"});
  Run(b, {"MSET", "a:2", "1", "a:1", "1", "b:1", "1", "c:1", "1"});
  Run(b, {"INCR", "a:1"});
  EXPECT_EQ(Out(a), "");
  server().tracking().BroadcastPending();
  EXPECT_EQ(Out(a), "[invalidate, [a:1, a:2]] | [invalidate, [b:1]]");
  server().tracking().BroadcastPending();
  EXPECT_EQ(Out(a), "");
  std::string list = Run(a, {"CLIENT", "INFO"});
  EXPECT_NE(list.find("flags=tB "), std::string::npos) << list;
}

TEST_F(TrackingTest, BcastNoLoopLeavesOutOwnLastWrites) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"});
  Run(a, {"SET", "mine", "1"});
  server().tracking().BroadcastPending();
  EXPECT_EQ(Out(a), "");
  Run(a, {"SET", "both", "1"});
  Run(b, {"SET", "both", "2"});  // the last writer is b
  Run(b, {"SET", "theirs", "2"});
  Run(a, {"SET", "mine", "2"});
  server().tracking().BroadcastPending();
  EXPECT_EQ(Out(a), "[invalidate, [both, theirs]]");
}

TEST_F(TrackingTest, SwitchingToBcastDropsPendingDefaultModeKeys) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on"});
  Run(a, {"GET", "k"});
  Run(a, {"CLIENT", "TRACKING", "off"});
  Run(a, {"CLIENT", "TRACKING", "on", "BCAST"});
  Run(b, {"SET", "k", "1"});
  EXPECT_EQ(Out(a), "");  // not from the key table ...
  server().tracking().BroadcastPending();
  EXPECT_EQ(Out(a), "[invalidate, [k]]");  // ... only the broadcast
}

TEST_F(TrackingTest, FlushSendsNullAfterTheReplyAndEmptiesTheTable) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on"});
  Run(a, {"SET", "k", "1"});
  Run(a, {"GET", "k"});
  Run(a, {"GET", "missing"});
  EXPECT_EQ(Info("tracking_total_keys"), "2");
  EXPECT_EQ(Run(a, {"FLUSHDB"}), "OK | [invalidate, (nil)]");  // one null, no per-key message
  EXPECT_EQ(Info("tracking_total_keys"), "0");
  Run(a, {"GET", "k"});
  Run(a, {"MULTI"});
  Run(a, {"FLUSHALL"});
  EXPECT_EQ(Run(a, {"EXEC"}), "[OK] | [invalidate, (nil)]");
  // A flush that fails sends nothing.
  Run(a, {"GET", "k"});
  EXPECT_EQ(Run(b, {"FLUSHALL", "bogus"}), "(error) ERR syntax error");
  EXPECT_EQ(Out(a), "");
  EXPECT_EQ(Info("tracking_total_keys"), "1");
}

TEST_F(TrackingTest, ExpiryInvalidatesEvenForNoLoop) {
  Client* a = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on", "BCAST", "NOLOOP"});
  Run(a, {"SET", "k", "v", "PX", "10"});
  server().tracking().BroadcastPending();
  EXPECT_EQ(Out(a), "");
  h_.clock().AdvanceMs(20);
  EXPECT_EQ(Run(a, {"GET", "k"}), "(nil)");  // lazy expiry: nobody's write
  server().tracking().BroadcastPending();
  EXPECT_EQ(Out(a), "[invalidate, [k]]");
}

TEST_F(TrackingTest, LazyExpiryMessageFollowsTheReply) {
  Client* a = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on"});
  server().set_active_expire(false);
  Run(a, {"MSET", "x", "1", "y", "2"});
  Run(a, {"PEXPIRE", "y", "100"});
  Run(a, {"GET", "y"});
  h_.clock().AdvanceMs(200);
  EXPECT_EQ(Run(a, {"MGET", "x", "y"}), "[1, (nil)] | [invalidate, [y]]");
}

TEST_F(TrackingTest, TableLimitInvalidatesRandomKeys) {
  Client* a = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on"});
  for (int i = 0; i < 250; i++) Run(a, {"GET", "key" + std::to_string(i)});
  Tracking& t = server().tracking();
  EXPECT_EQ(t.total_keys(), 250u);
  Client* admin = NewClient();
  EXPECT_EQ(Run(admin, {"CONFIG", "SET", "tracking-table-max-keys", "1"}), "OK");
  t.EnforceLimit();  // effort 100: still over
  EXPECT_EQ(t.total_keys(), 150u);
  t.EnforceLimit();  // effort 200: down to the limit
  EXPECT_EQ(t.total_keys(), 1u);
  std::string out = Out(a);
  size_t n = 0;
  for (size_t p = 0; (p = out.find("invalidate", p)) != std::string::npos; p++) n++;
  EXPECT_EQ(n, 249u);
  // Before a command, the limit applies at once; the message precedes that command's reply.
  Run(admin, {"CONFIG", "SET", "tracking-table-max-keys", "1000000"});
  Run(a, {"GET", "extra"});
  Run(admin, {"CONFIG", "SET", "tracking-table-max-keys", "1"});
  std::string r = Run(a, {"PING"});
  EXPECT_EQ(r.substr(r.size() - 4), "PONG") << r;
  EXPECT_EQ(r.rfind("[invalidate, [", 0), 0u) << r;
}

TEST_F(TrackingTest, TrackingInfoAndGetRedir) {
  Client* a = NewClient();
  Client* r = NewClient();
  EXPECT_EQ(Run(a, {"CLIENT", "GETREDIR"}), "(integer) -1");
  Run(a, {"CLIENT", "TRACKING", "on"});
  EXPECT_EQ(Run(a, {"CLIENT", "GETREDIR"}), "(integer) 0");
  Run(a, {"CLIENT", "TRACKING", "on", "REDIRECT", Id(r), "NOLOOP"});
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKINGINFO"}),
            "[flags, [on, noloop], redirect, (integer) " + Id(r) + ", prefixes, []]");
  Run(a, {"CLIENT", "TRACKING", "off"});
  Run(a, {"CLIENT", "TRACKING", "on", "BCAST"});
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKINGINFO"}),
            "[flags, [on, bcast], redirect, (integer) 0, prefixes, []]");
  EXPECT_EQ(Info("tracking_clients"), "1");
  Run(a, {"RESET"});
  EXPECT_EQ(Info("tracking_clients"), "0");
  EXPECT_EQ(Info("tracking_total_prefixes"), "0");
  EXPECT_EQ(Run(a, {"CLIENT", "TRACKINGINFO"}),
            "[flags, [off], redirect, (integer) -1, prefixes, []]");
}

TEST_F(TrackingTest, InfoCountsItemsAndClients) {
  Client* a = NewClient();
  Client* b = NewClient();
  Client* c = NewClient();
  Run(a, {"CLIENT", "TRACKING", "on"});
  Run(b, {"CLIENT", "TRACKING", "on"});
  Run(c, {"CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:"});
  Run(a, {"MGET", "k1", "k2"});
  Run(b, {"GET", "k1"});
  EXPECT_EQ(Info("tracking_total_keys"), "2");
  EXPECT_EQ(Info("tracking_total_items"), "3");
  EXPECT_EQ(Info("tracking_total_prefixes"), "1");
  EXPECT_EQ(Info("tracking_clients"), "3");
  server().FreeClient(b);  // closing: skipped from now on, freed before the loop sleeps
  server().FreeClient(c);
  Client* d = NewClient();
  Run(d, {"SET", "k1", "x"});
  EXPECT_EQ(Info("tracking_total_items"), "1");  // k2 for a
}

TEST_F(TrackingTest, WritesAndOtherCommandsAreNotTracked) {
  Client* a = NewClient();
  Client* b = NewClient();
  Run(a, {"HELLO", "3"});
  Run(a, {"CLIENT", "TRACKING", "on"});
  Run(a, {"SET", "w", "1"});  // a write: not remembered
  Run(a, {"EXISTS", "e"});    // read-only: remembered
  Run(a, {"LRANGE", "l", "0", "-1"});
  EXPECT_EQ(Info("tracking_total_keys"), "2");
  Run(b, {"MSET", "w", "2", "e", "2"});
  EXPECT_EQ(Out(a), "[invalidate, [e]]");
}

}  // namespace
}  // namespace ember
