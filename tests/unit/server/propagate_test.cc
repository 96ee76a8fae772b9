// Unit tests for command propagation (server/propagate.h, Server::Call) and the dirty counter:
// a recording PropagationTarget on the harness's server sees, for each command, exactly the
// argv Redis 7.0.15 writes to its AOF (checked against redis-server's appendonly incr file):
// relative TTLs made absolute, random and blocking commands in their deterministic forms,
// MULTI/EXEC wrapping, scripts' effects, expired keys as DEL; writes that change nothing
// propagate nothing. A replay test runs a random workload on server A, replays what A
// propagated on server B and compares both datasets key by key.
#include "server/propagate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;
using Argv = std::vector<std::string>;

// Records what is propagated as "db: ARG ARG ..." lines.
class Recorder final : public PropagationTarget {
 public:
  void Propagate(int db, std::span<const std::string> argv) override {
    ops.push_back({db, Argv(argv.begin(), argv.end())});
  }
  // The recorded commands as "ARG ARG" strings (with "@db " when db != 0), then cleared.
  std::vector<std::string> Take() {
    std::vector<std::string> out;
    for (auto& [db, argv] : ops) {
      std::string line = db != 0 ? "@" + std::to_string(db) + " " : "";
      for (size_t i = 0; i < argv.size(); i++) line += (i ? " " : "") + argv[i];
      out.push_back(line);
    }
    ops.clear();
    return out;
  }
  std::vector<std::pair<int, Argv>> ops;
};

using Lines = std::vector<std::string>;

// A fake client fed through its query buffer (it can block, as a network client).
class Conn {
 public:
  explicit Conn(Server& s) : c_(s.CreateFakeClient()) {}
  void Send(const Argv& args) {
    std::string bytes = "*" + std::to_string(args.size()) + "\r\n";
    for (const std::string& a : args) {
      bytes += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    }
    c_->qbuf.Append(bytes);
    c_->ProcessInput();
  }
  bool blocked() const { return c_->flags & kClientBlocked; }

 private:
  Client* c_;
};

class PropagateTest : public ::testing::Test {
 protected:
  // Sends a command through a query-buffer client (after which blocked clients are served,
  // as for a network client) and returns what was propagated.
  Lines PropVia(Conn& c, const Argv& args) {
    rec.Take();
    c.Send(args);
    return rec.Take();
  }
  PropagateTest() { h.server().propagator().AddTarget(&rec); }
  ~PropagateTest() override { h.server().propagator().RemoveTarget(&rec); }
  // Runs a command and returns what it propagated.
  Lines Prop(const Argv& args) {
    rec.Take();
    h.Run(args);
    return rec.Take();
  }
  int64_t Now() { return h.clock().NowMs(); }
  std::string At(int64_t delta_ms) { return std::to_string(Now() + delta_ms); }

  Harness h;
  Recorder rec;
};

// --- strings and TTLs -------------------------------------------------------------------------

TEST_F(PropagateTest, SetWithRelativeTtlBecomesPxat) {
  EXPECT_EQ(Prop({"SET", "k", "v"}), Lines({"SET k v"}));
  EXPECT_EQ(Prop({"SET", "k", "v", "EX", "100"}), Lines({"SET k v PXAT " + At(100000)}));
  EXPECT_EQ(Prop({"SET", "k", "v", "PX", "100000", "XX", "GET"}),
            Lines({"SET k v PXAT " + At(100000)}));
  EXPECT_EQ(Prop({"SET", "k", "v", "EXAT", "4000000000"}), Lines({"SET k v PXAT 4000000000000"}));
  EXPECT_EQ(Prop({"SET", "k", "v", "PXAT", "4000000000000"}),
            Lines({"SET k v PXAT 4000000000000"}));
  EXPECT_EQ(Prop({"set", "k", "v", "keepttl"}), Lines({"set k v keepttl"}));
  EXPECT_EQ(Prop({"SET", "k", "v", "PX", "100", "NX"}), Lines{});  // not set: nothing
  EXPECT_EQ(Prop({"SETEX", "k", "100", "v"}), Lines({"SET k v PXAT " + At(100000)}));
  EXPECT_EQ(Prop({"PSETEX", "k", "100", "v"}), Lines({"SET k v PXAT " + At(100)}));
  // A time already past is still a SET with PXAT in Redis 7.0 (not a DEL).
  EXPECT_EQ(Prop({"SET", "k", "v", "EXAT", "1"}), Lines({"SET k v PXAT 1000"}));
}

TEST_F(PropagateTest, GetExGetDelIncrByFloat) {
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(Prop({"GETEX", "k", "EX", "100"}), Lines({"PEXPIREAT k " + At(100000)}));
  EXPECT_EQ(Prop({"GETEX", "k", "PXAT", "4000000000000"}), Lines({"PEXPIREAT k 4000000000000"}));
  EXPECT_EQ(Prop({"GETEX", "k", "PERSIST"}), Lines({"PERSIST k"}));
  EXPECT_EQ(Prop({"GETEX", "k", "PERSIST"}), Lines{});  // no TTL: nothing changes
  EXPECT_EQ(Prop({"GETEX", "k"}), Lines{});
  EXPECT_EQ(Prop({"GETEX", "k", "PXAT", "1"}), Lines({"DEL k"}));
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(Prop({"GETDEL", "k"}), Lines({"DEL k"}));
  EXPECT_EQ(Prop({"GETDEL", "k"}), Lines{});
  h.Run({"SET", "f", "1.5", "EX", "100"});
  EXPECT_EQ(Prop({"INCRBYFLOAT", "f", "1"}), Lines({"SET f 2.5 KEEPTTL"}));
  EXPECT_EQ(Prop({"HINCRBYFLOAT", "h", "f", "1.5"}), Lines({"HSET h f 1.5"}));
  EXPECT_EQ(Prop({"HINCRBYFLOAT", "h", "f", "1.5"}), Lines({"HSET h f 3"}));
}

TEST_F(PropagateTest, ExpireFamilyBecomesPexpireat) {
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(Prop({"EXPIRE", "k", "100"}), Lines({"PEXPIREAT k " + At(100000)}));
  EXPECT_EQ(Prop({"PEXPIRE", "k", "100000"}), Lines({"PEXPIREAT k " + At(100000)}));
  EXPECT_EQ(Prop({"EXPIREAT", "k", "4000000000"}), Lines({"PEXPIREAT k 4000000000000"}));
  EXPECT_EQ(Prop({"pexpireat", "k", "4000000000000"}), Lines({"pexpireat k 4000000000000"}));
  EXPECT_EQ(Prop({"EXPIRE", "k", "100", "GT"}), Lines{});  // condition not met
  EXPECT_EQ(Prop({"EXPIRE", "k", "3000000000", "GT"}),
            Lines({"PEXPIREAT k " + At(3000000000000) + " GT"}));
  EXPECT_EQ(Prop({"EXPIRE", "k", "-1"}), Lines({"DEL k"}));
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(Prop({"EXPIREAT", "k", "1"}), Lines({"DEL k"}));
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(Prop({"PERSIST", "k"}), Lines{});
  EXPECT_EQ(Prop({"EXPIRE", "missing", "10"}), Lines{});
}

TEST_F(PropagateTest, NoChangeNoPropagation) {
  EXPECT_EQ(Prop({"DEL", "nokey"}), Lines{});
  EXPECT_EQ(Prop({"SADD", "s", "a"}), Lines({"SADD s a"}));
  EXPECT_EQ(Prop({"SADD", "s", "a"}), Lines{});
  EXPECT_EQ(Prop({"SETRANGE", "sr", "0", ""}), Lines{});
  EXPECT_EQ(Prop({"MSETNX", "s", "1"}), Lines{});
  EXPECT_EQ(Prop({"HDEL", "h", "zz"}), Lines{});
  EXPECT_EQ(Prop({"LREM", "l", "0", "zz"}), Lines{});
  EXPECT_EQ(Prop({"PUBLISH", "ch", "m"}), Lines{});  // replicas only: never in the AOF
  EXPECT_EQ(Prop({"GET", "s"}), Lines{});
  EXPECT_EQ(Prop({"SRANDMEMBER", "s"}), Lines{});
  EXPECT_EQ(Prop({"SMOVE", "s", "s2", "a"}), Lines({"SMOVE s s2 a"}));
  // FLUSHALL / FLUSHDB / SWAPDB always propagate, as in Redis.
  EXPECT_EQ(Prop({"FLUSHALL"}), Lines({"FLUSHALL"}));
  EXPECT_EQ(Prop({"FLUSHDB"}), Lines({"FLUSHDB"}));
  EXPECT_EQ(Prop({"SWAPDB", "0", "1"}), Lines({"SWAPDB 0 1"}));
}

TEST_F(PropagateTest, HashFieldTtlsBecomeAbsolute) {
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  EXPECT_EQ(Prop({"HEXPIRE", "h", "100", "FIELDS", "2", "a", "zz"}),
            Lines({"HPEXPIREAT h " + At(100000) + " FIELDS 2 a zz"}));
  EXPECT_EQ(Prop({"HPEXPIRE", "h", "100", "NX", "FIELDS", "1", "a"}), Lines{});  // not met
  EXPECT_EQ(Prop({"HPEXPIRE", "h", "100", "XX", "FIELDS", "1", "a"}),
            Lines({"HPEXPIREAT h " + At(100) + " XX FIELDS 1 a"}));
  EXPECT_EQ(Prop({"HEXPIREAT", "h", "4000000000", "FIELDS", "1", "b"}),
            Lines({"HPEXPIREAT h 4000000000000 FIELDS 1 b"}));
  EXPECT_EQ(Prop({"HPERSIST", "h", "FIELDS", "1", "b"}), Lines({"HPERSIST h FIELDS 1 b"}));
  EXPECT_EQ(Prop({"HPERSIST", "h", "FIELDS", "1", "b"}), Lines{});
  EXPECT_EQ(Prop({"HGETEX", "h", "EX", "10", "FIELDS", "1", "b"}),
            Lines({"HGETEX h PXAT " + At(10000) + " FIELDS 1 b"}));
  EXPECT_EQ(Prop({"HGETEX", "h", "FIELDS", "1", "b"}), Lines{});
  EXPECT_EQ(Prop({"HSETEX", "h", "FNX", "PX", "50", "FIELDS", "1", "c", "3"}),
            Lines({"HSETEX h FNX PXAT " + At(50) + " FIELDS 1 c 3"}));
  // Fields expiring are not propagated one by one; a hash emptied by them is a DEL.
  h.clock().AdvanceMs(200);
  EXPECT_EQ(Prop({"HLEN", "h"}), Lines{});
  h.clock().AdvanceMs(20000);
  EXPECT_EQ(Prop({"HLEN", "h"}), Lines({"DEL h"}));
}

TEST_F(PropagateTest, GeoaddBecomesZaddAndPfcountPropagates) {
  EXPECT_EQ(Prop({"GEOADD", "geo", "13.361389", "38.115556", "Palermo"}),
            Lines({"zadd geo 3479099956230698 Palermo"}));
  EXPECT_EQ(Prop({"GEOADD", "geo", "NX", "13.361389", "38.115556", "Palermo"}), Lines{});
  EXPECT_EQ(Prop({"GEOADD", "geo", "CH", "15", "37", "Palermo"}),
            Lines({"zadd geo CH 3476504601741708 Palermo"}));
  h.Run({"PFADD", "hll", "a", "b", "c"});
  EXPECT_EQ(Prop({"PFCOUNT", "hll"}), Lines({"PFCOUNT hll"}));  // caches the count
  EXPECT_EQ(Prop({"PFCOUNT", "hll"}), Lines{});
  EXPECT_EQ(Prop({"PFADD", "hll", "a"}), Lines{});
}

// --- sets, lists, sorted sets ---------------------------------------------------------------

TEST_F(PropagateTest, SpopBecomesSremOrDel) {
  h.Run({"SADD", "s", "a", "b", "c", "d"});
  Lines one = Prop({"SPOP", "s"});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].substr(0, 7), "SREM s ");
  Lines two = Prop({"SPOP", "s", "2"});
  ASSERT_EQ(two.size(), 4u);
  EXPECT_EQ(two[0], "MULTI");
  EXPECT_EQ(two[1].substr(0, 7), "SREM s ");
  EXPECT_EQ(two[3], "EXEC");
  EXPECT_EQ(h.Run({"SCARD", "s"}), "(integer) 1");
  EXPECT_EQ(Prop({"SPOP", "s", "0"}), Lines{});
  h.Run({"SADD", "s", "a", "b", "c"});
  EXPECT_EQ(Prop({"SPOP", "s", "5"}), Lines({"DEL s"}));
  EXPECT_EQ(Prop({"SPOP", "s"}), Lines{});
}

TEST_F(PropagateTest, ListPopsBecomeNonBlockingForms) {
  h.Run({"RPUSH", "l", "a", "b", "c", "d", "e", "f", "g"});
  EXPECT_EQ(Prop({"LMPOP", "1", "l", "LEFT", "COUNT", "2"}), Lines({"LPOP l 2"}));
  EXPECT_EQ(Prop({"LMPOP", "2", "nol", "l", "RIGHT", "COUNT", "2"}), Lines({"RPOP l 2"}));
  EXPECT_EQ(Prop({"BLMPOP", "0", "1", "l", "LEFT", "COUNT", "10"}), Lines({"LPOP l 3"}));
  h.Run({"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_EQ(Prop({"BLPOP", "l", "0"}), Lines({"LPOP l"}));
  EXPECT_EQ(Prop({"BRPOP", "l", "0"}), Lines({"RPOP l"}));
  EXPECT_EQ(Prop({"BLMOVE", "l", "l2", "left", "right", "0"}), Lines({"LMOVE l l2 left right"}));
  EXPECT_EQ(Prop({"BRPOPLPUSH", "l", "l2", "0"}), Lines({"RPOPLPUSH l l2"}));
  h.Run({"SET", "str", "x"});
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(Prop({"BLMOVE", "l", "str", "left", "right", "0"}), Lines{});  // WRONGTYPE
}

TEST_F(PropagateTest, ZsetPopsBecomeZpop) {
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(Prop({"ZADD", "z", "1", "a"}), Lines{});
  EXPECT_EQ(Prop({"ZPOPMIN", "z"}), Lines({"ZPOPMIN z"}));
  EXPECT_EQ(Prop({"ZMPOP", "1", "z", "MAX", "COUNT", "2"}), Lines({"ZPOPMAX z 2"}));
  EXPECT_EQ(Prop({"BZPOPMAX", "z", "0"}), Lines({"ZPOPMAX z"}));
  EXPECT_EQ(Prop({"BZPOPMIN", "z", "0"}), Lines{"ZPOPMIN z"});
  h.Run({"ZADD", "z", "5", "e", "6", "f"});
  EXPECT_EQ(Prop({"BZMPOP", "0", "1", "z", "MIN", "COUNT", "10"}), Lines({"ZPOPMIN z 2"}));
}

// --- streams ---------------------------------------------------------------------------------

TEST_F(PropagateTest, XaddXtrimExplicitIdsAndExactTrims) {
  std::string t = std::to_string(Now());
  EXPECT_EQ(Prop({"xadd", "s", "*", "a", "1"}), Lines({"xadd s " + t + "-0 a 1"}));
  EXPECT_EQ(Prop({"xadd", "s", "maxlen", "2", "*", "a", "2"}),
            Lines({"xadd s maxlen 2 " + t + "-1 a 2"}));
  // An approximate trim becomes exact at the length it left (nothing trimmed here).
  EXPECT_EQ(Prop({"xadd", "s", "maxlen", "~", "2", "*", "a", "3"}),
            Lines({"xadd s maxlen = 3 " + t + "-2 a 3"}));
  EXPECT_EQ(Prop({"xadd", "s", "minid", "~", "0", "LIMIT", "5", "*", "a", "4"}),
            Lines({"xadd s minid = " + t + "-0 " + t + "-3 a 4"}));
  EXPECT_EQ(Prop({"xadd", "s", "nomkstream", "*", "a", "5"}),
            Lines({"xadd s nomkstream " + t + "-4 a 5"}));
  EXPECT_EQ(Prop({"xadd", "s2", "nomkstream", "*", "a", "1"}), Lines{});
  EXPECT_EQ(Prop({"xadd", "s", "9999999999999-1", "a", "1"}),
            Lines({"xadd s 9999999999999-1 a 1"}));
  EXPECT_EQ(Prop({"xtrim", "s", "maxlen", "~", "1"}), Lines{});  // nothing trimmed
  EXPECT_EQ(Prop({"xtrim", "s", "maxlen", "1"}), Lines({"xtrim s maxlen 1"}));
  EXPECT_EQ(Prop({"xtrim", "s", "maxlen", "1"}), Lines{});
  EXPECT_EQ(Prop({"xgroup", "create", "s", "g", "$"}), Lines({"xgroup create s g $"}));
}

TEST_F(PropagateTest, StreamGroupsPropagateExplicitClaims) {
  std::string t = std::to_string(Now());
  h.Run({"XADD", "s", "1-1", "a", "1"});
  EXPECT_EQ(Prop({"XGROUP", "CREATE", "s", "g", "$"}), Lines({"XGROUP CREATE s g $"}));
  EXPECT_EQ(Prop({"XGROUP", "CREATECONSUMER", "s", "g", "c9"}),
            Lines({"XGROUP CREATECONSUMER s g c9"}));
  EXPECT_EQ(Prop({"XGROUP", "CREATECONSUMER", "s", "g", "c9"}), Lines{});
  h.Run({"XADD", "s", "2-1", "a", "2"});
  h.Run({"XADD", "s", "3-1", "a", "3"});
  EXPECT_EQ(Prop({"XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">"}),
            Lines({"XCLAIM s g c1 0 2-1 TIME " + t + " RETRYCOUNT 1 FORCE JUSTID LASTID 2-1"}));
  EXPECT_EQ(Prop({"XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"}),
            Lines({"XCLAIM s g c1 0 3-1 TIME " + t + " RETRYCOUNT 1 FORCE JUSTID LASTID 3-1"}));
  EXPECT_EQ(Prop({"XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"}), Lines{});
  h.Run({"XADD", "s", "4-1", "a", "4"});
  EXPECT_EQ(Prop({"XREADGROUP", "GROUP", "g", "c5", "NOACK", "STREAMS", "s", ">"}),
            Lines({"MULTI", "XGROUP CREATECONSUMER s g c5", "XGROUP SETID s g 4-1 ENTRIESREAD 4",
                   "EXEC"}));
  EXPECT_EQ(Prop({"XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0"}), Lines{});  // history
  h.clock().AdvanceMs(5);
  std::string t2 = std::to_string(Now());
  // A consumer created by a claim of nothing (Redis 7.0 propagates nothing and a replica
  // misses the consumer).
  EXPECT_EQ(Prop({"XCLAIM", "s", "g", "c2", "0", "0-1"}), Lines({"XGROUP CREATECONSUMER s g c2"}));
  EXPECT_EQ(
      Prop({"XAUTOCLAIM", "s", "g", "c2", "0", "0-0"}),
      Lines({"MULTI", "XCLAIM s g c2 0 2-1 TIME " + t2 + " RETRYCOUNT 3 FORCE JUSTID LASTID 4-1",
             "XCLAIM s g c2 0 3-1 TIME " + t2 + " RETRYCOUNT 3 FORCE JUSTID LASTID 4-1", "EXEC"}));
  EXPECT_EQ(Prop({"XCLAIM", "s", "g", "c3", "0", "2-1", "JUSTID"}),
            Lines({"XCLAIM s g c3 0 2-1 TIME " + t2 + " RETRYCOUNT 3 FORCE JUSTID LASTID 4-1"}));
  h.Run({"XDEL", "s", "3-1"});
  EXPECT_EQ(
      Prop({"XAUTOCLAIM", "s", "g", "c3", "0", "0-0", "JUSTID"}),
      Lines({"MULTI", "XCLAIM s g c3 0 2-1 TIME " + t2 + " RETRYCOUNT 3 FORCE JUSTID LASTID 4-1",
             "XCLAIM s g c2 0 3-1 TIME " + t2 + " RETRYCOUNT 3 FORCE JUSTID LASTID 4-1", "EXEC"}));
  EXPECT_EQ(Prop({"XACK", "s", "g", "0-1"}), Lines{});
  EXPECT_EQ(Prop({"XACK", "s", "g", "2-1"}), Lines({"XACK s g 2-1"}));
  EXPECT_EQ(Prop({"XGROUP", "SETID", "s", "g", "0"}), Lines({"XGROUP SETID s g 0"}));
  EXPECT_EQ(Prop({"XGROUP", "DELCONSUMER", "s", "g", "nobody"}),
            Lines({"XGROUP DELCONSUMER s g nobody"}));
  EXPECT_EQ(Prop({"XGROUP", "DESTROY", "s", "g"}), Lines({"XGROUP DESTROY s g"}));
  EXPECT_EQ(Prop({"XGROUP", "DESTROY", "s", "g"}), Lines{});
}

// --- blocked clients served later -----------------------------------------------------------

TEST_F(PropagateTest, ServedBlockedClientsPropagateAfterThePush) {
  Conn a(h.server()), b(h.server()), c(h.server());
  a.Send({"BLPOP", "bl", "0"});
  b.Send({"BRPOP", "bl", "0"});
  c.Send({"BLMOVE", "bm", "bm2", "left", "right", "0"});
  ASSERT_TRUE(a.blocked() && b.blocked() && c.blocked());
  EXPECT_EQ(rec.Take(), Lines{});
  // Not wrapped together: the push goes out alone, then each served pop.
  Conn p(h.server());
  EXPECT_EQ(PropVia(p, {"RPUSH", "bl", "x", "y", "z"}),
            Lines({"RPUSH bl x y z", "LPOP bl", "RPOP bl"}));
  EXPECT_EQ(PropVia(p, {"RPUSH", "bm", "x"}), Lines({"RPUSH bm x", "LMOVE bm bm2 left right"}));
  Conn d(h.server());
  d.Send({"BZMPOP", "0", "1", "bz", "MAX", "COUNT", "5"});
  EXPECT_EQ(PropVia(p, {"ZADD", "bz", "1", "a", "2", "b"}),
            Lines({"ZADD bz 1 a 2 b", "ZPOPMAX bz 2"}));
  Conn e(h.server());
  e.Send({"BLMPOP", "0", "1", "bl2", "RIGHT", "COUNT", "3"});
  EXPECT_EQ(PropVia(p, {"RPUSH", "bl2", "a", "b"}), Lines({"RPUSH bl2 a b", "RPOP bl2 2"}));
}

// --- transactions and scripts ---------------------------------------------------------------

TEST_F(PropagateTest, MultiExecWrapsMoreThanOneCommand) {
  h.Run({"MULTI"});
  h.Run({"SET", "a", "1"});
  h.Run({"INCR", "a"});
  EXPECT_EQ(Prop({"EXEC"}), Lines({"MULTI", "SET a 1", "INCR a", "EXEC"}));
  h.Run({"MULTI"});
  h.Run({"SET", "a", "1"});
  h.Run({"GET", "a"});
  EXPECT_EQ(Prop({"EXEC"}), Lines({"SET a 1"}));  // one write: no wrapping
  h.Run({"MULTI"});
  h.Run({"GET", "a"});
  EXPECT_EQ(Prop({"EXEC"}), Lines{});
  // SELECT inside: each command in the db in effect; MULTI in the first one's db.
  h.Run({"MULTI"});
  h.Run({"SELECT", "1"});
  h.Run({"SET", "a", "1"});
  h.Run({"SELECT", "0"});
  h.Run({"SET", "b", "1"});
  EXPECT_EQ(Prop({"EXEC"}), Lines({"@1 MULTI", "@1 SET a 1", "SET b 1", "EXEC"}));
}

TEST_F(PropagateTest, ScriptsPropagateTheirEffects) {
  EXPECT_EQ(Prop({"EVAL", "redis.call('set','x','1'); redis.call('incr','x'); return 1", "0"}),
            Lines({"MULTI", "set x 1", "incr x", "EXEC"}));
  EXPECT_EQ(Prop({"EVAL", "redis.call('set','x','1'); return 1", "0"}), Lines({"set x 1"}));
  EXPECT_EQ(Prop({"EVAL", "return redis.call('get','x')", "0"}), Lines{});
  EXPECT_EQ(Prop({"EVAL", "redis.call('select', 2); redis.call('set','x','1'); return 1", "0"}),
            Lines({"@2 set x 1"}));
  EXPECT_EQ(Prop({"EVAL", "redis.call('spop','nokey'); return 1", "0"}), Lines{});
  h.Run({"FUNCTION", "LOAD",
         "#!lua name=lib\nredis.register_function('f', function(k) "
         "return redis.call('expire', k[1], 100) end)"});
  h.Run({"SET", "fk", "v"});
  EXPECT_EQ(Prop({"FCALL", "f", "1", "fk"}), Lines({"PEXPIREAT fk " + At(100000)}));
}

TEST_F(PropagateTest, FunctionCommandsPropagate) {
  std::string code = "#!lua name=lib2\nredis.register_function('g', function() return 1 end)";
  EXPECT_EQ(Prop({"FUNCTION", "LOAD", code}), Lines({"FUNCTION LOAD " + code}));
  EXPECT_EQ(Prop({"FUNCTION", "DELETE", "lib2"}), Lines({"FUNCTION DELETE lib2"}));
  EXPECT_EQ(Prop({"FUNCTION", "DELETE", "lib2"}), Lines{});  // error
  EXPECT_EQ(Prop({"FUNCTION", "FLUSH"}), Lines({"FUNCTION FLUSH"}));
}

// --- expiry -----------------------------------------------------------------------------------

TEST_F(PropagateTest, LazyExpiryPropagatesDelWithTheCommand) {
  h.Run({"SET", "k", "v", "PX", "10"});
  h.clock().AdvanceMs(20);
  // A read: just the DEL.
  EXPECT_EQ(Prop({"GET", "k"}), Lines({"DEL k"}));
  h.Run({"SET", "k", "v", "PX", "10"});
  h.clock().AdvanceMs(20);
  // A write over the expired key: DEL and the command, in one transaction (Redis 7.0).
  EXPECT_EQ(Prop({"SET", "k", "v2"}), Lines({"MULTI", "DEL k", "SET k v2", "EXEC"}));
  h.Run({"CONFIG", "SET", "lazyfree-lazy-expire", "yes"});
  h.Run({"SET", "k", "v", "PX", "10"});
  h.clock().AdvanceMs(20);
  EXPECT_EQ(Prop({"EXISTS", "k"}), Lines({"UNLINK k"}));
}

TEST_F(PropagateTest, ActiveExpiryPropagatesEachDelAlone) {
  h.Run({"SET", "a", "1", "PX", "10"});
  h.Run({"SET", "b", "1", "PX", "10"});
  h.Run({"SELECT", "3"});
  h.Run({"SET", "c", "1", "PX", "10"});
  rec.Take();
  h.clock().AdvanceMs(20);
  for (int i = 0; i < 20 && h.server().keyspace().db(0).size() + h.server().keyspace().db(3).size();
       i++) {
    h.server().Cron();
  }
  Lines got = rec.Take();
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, Lines({"@3 DEL c", "DEL a", "DEL b"}));
}

// --- dirty counter ----------------------------------------------------------------------------

TEST_F(PropagateTest, DirtyCounter) {
  Server& s = h.server();
  uint64_t d0 = s.dirty();
  h.Run({"SETBIT", "foo", "0", "0"});
  h.Run({"BITFIELD", "foo2", "SET", "i5", "0", "0"});
  EXPECT_EQ(s.dirty(), d0 + 2);
  h.Run({"SETBIT", "foo", "0", "0"});
  h.Run({"BITFIELD", "foo2", "SET", "i5", "0", "0"});
  EXPECT_EQ(s.dirty(), d0 + 2);  // no change
  h.Run({"SET", "e", "1", "PX", "10"});
  uint64_t d1 = s.dirty();
  h.clock().AdvanceMs(20);
  h.Run({"GET", "e"});
  EXPECT_EQ(s.dirty(), d1);  // expiry is not a change to save
  // BLPOP served later counts once for the push and once for the pop.
  Conn a(h.server());
  a.Send({"BLPOP", "lst", "0"});
  uint64_t d2 = s.dirty();
  Conn p(h.server());
  p.Send({"LPUSH", "lst", "a"});
  EXPECT_EQ(s.dirty(), d2 + 2);
  Conn m(h.server());
  m.Send({"BLMOVE", "lst", "lst1", "LEFT", "LEFT", "0"});
  uint64_t d3 = s.dirty();
  p.Send({"LPUSH", "lst", "a"});
  EXPECT_EQ(s.dirty(), d3 + 2);  // the push and the move, as Redis counts them
}

// --- replay equivalence ------------------------------------------------------------------------

// Records each propagated command with the time it was propagated at.
class TimedRecorder final : public PropagationTarget {
 public:
  explicit TimedRecorder(ManualClock& clock) : clock_(clock) {}
  void Propagate(int db, std::span<const std::string> argv) override {
    ops.push_back({clock_.NowMs(), db, Argv(argv.begin(), argv.end())});
  }
  struct Op {
    int64_t ms;
    int db;
    Argv argv;
  };
  std::vector<Op> ops;

 private:
  ManualClock& clock_;
};

// A server's dataset as text, one entry per live key of dbs 0..3: type, contents (sorted where
// unordered), absolute expiry; hash fields with their TTLs; streams with their groups and PELs.
std::map<std::string, std::string> Dataset(Harness& h) {
  std::map<std::string, std::string> out;
  auto list = [&h](const Argv& args) {
    std::string r = h.Run(args);
    return r;
  };
  for (int db = 0; db < 4; db++) {
    h.Run({"SELECT", std::to_string(db)});
    std::string keys = h.Run({"KEYS", "*"});
    // "[a, b]" -> names (test keys have no ", " inside).
    std::vector<std::string> names;
    std::string inner = keys.substr(1, keys.size() - 2);
    for (size_t pos = 0; !inner.empty() && pos <= inner.size();) {
      size_t comma = inner.find(", ", pos);
      if (comma == std::string::npos) comma = inner.size();
      names.push_back(inner.substr(pos, comma - pos));
      pos = comma + 2;
    }
    for (const std::string& k : names) {
      std::string type = h.Run({"TYPE", k});
      std::string v = type + " ttl=" + h.Run({"PEXPIRETIME", k}) + " ";
      if (type == "string") {
        v += list({"GET", k});
      } else if (type == "list") {
        v += list({"LRANGE", k, "0", "-1"});
      } else if (type == "set") {
        v += list({"SORT", k, "ALPHA"});
      } else if (type == "zset") {
        v += list({"ZRANGE", k, "0", "-1", "WITHSCORES"});
      } else if (type == "hash") {
        std::string fields = list({"HKEYS", k});
        std::vector<std::string> fs;
        std::string in = fields.substr(1, fields.size() - 2);
        for (size_t pos = 0; !in.empty() && pos <= in.size();) {
          size_t comma = in.find(", ", pos);
          if (comma == std::string::npos) comma = in.size();
          fs.push_back(in.substr(pos, comma - pos));
          pos = comma + 2;
        }
        std::sort(fs.begin(), fs.end());
        for (const std::string& f : fs) {
          v += f + "=" + list({"HGET", k, f}) + "@" + list({"HPEXPIRETIME", k, "FIELDS", "1", f}) +
               ";";
        }
      } else if (type == "stream") {
        // Not compared, as in Redis: entries-read (XCLAIM ... LASTID moves a group without
        // it) and a consumer's seen-time (refreshed by reads that change nothing).
        v += list({"XRANGE", k, "-", "+"});
        std::string groups = list({"XINFO", "GROUPS", k});
        for (const char* g : {"g1", "g2"}) {
          if (groups.find(std::string("name, ") + g) == std::string::npos) continue;
          v += std::string(" group ") + g + " pel=" + list({"XPENDING", k, g, "-", "+", "1000"});
          std::string consumers = list({"XINFO", "CONSUMERS", k, g});
          // Drop each "idle, (integer) N, " (seen-time).
          for (size_t p = consumers.find("idle, "); p != std::string::npos;
               p = consumers.find("idle, ", p)) {
            size_t e = consumers.find(", ", p + 6);
            consumers.erase(p, e + 2 - p);
          }
          v += " consumers=" + consumers;
        }
        // Group names, sizes and positions.
        for (size_t p = groups.find("entries-read, "); p != std::string::npos;
             p = groups.find("entries-read, ", p)) {
          size_t e = groups.find("]", p);
          groups.erase(p, e - p);
        }
        v += " groups=" + groups;
      }
      out["db" + std::to_string(db) + ":" + k] = v;
    }
  }
  h.Run({"SELECT", "0"});
  return out;
}

const char* pick_blocking(std::mt19937& rng) {
  static const char* kCmds[] = {"BLPOP", "BRPOP"};
  return kCmds[std::uniform_int_distribution<int>(0, 1)(rng)];
}

// One random command of the workload (keys drawn from small pools so commands meet).
Argv RandomCommand(std::mt19937& rng) {
  auto pick = [&rng](std::initializer_list<const char*> xs) {
    return std::string(
        *(xs.begin() + std::uniform_int_distribution<size_t>(0, xs.size() - 1)(rng)));
  };
  auto num = [&rng](int lo, int hi) {
    return std::to_string(std::uniform_int_distribution<int>(lo, hi)(rng));
  };
  std::string s = pick({"s1", "s2"}), l = pick({"l1", "l2"}), z = pick({"z1", "z2"});
  std::string hk = pick({"h1", "h2"}), st = pick({"st1", "st2"}), x = pick({"x1", "x2"});
  std::string v = num(0, 9);
  switch (std::uniform_int_distribution<int>(0, 47)(rng)) {
    case 0:
      return {"SET", s, v, "EX", num(1, 3)};
    case 1:
      return {"SET", s, v, "PX", num(1, 3000), pick({"NX", "XX", "GET"})};
    case 2:
      return {"SETEX", s, num(1, 3), v};
    case 3:
      return {"GETEX", s, pick({"EX", "PX", "PERSIST", "PXAT"}), num(1, 3000)};
    case 4:
      return {"GETEX", s, "PERSIST"};
    case 5:
      return {"EXPIRE", pick({"s1", "l1", "z1", "h1", "st1"}), num(-1, 3)};
    case 6:
      return {"PEXPIRE", pick({"s2", "l2", "z2", "h2"}), num(1, 3000), pick({"NX", "GT"})};
    case 7:
      return {"INCRBYFLOAT", st, "1.5"};
    case 8:
      return {"GETDEL", s};
    case 9:
      return {"APPEND", st, v};
    case 10:
      return {"HINCRBYFLOAT", hk, "f" + v, "0.25"};
    case 11:
      return {"HSET", hk, "f" + v, v, "g" + v, v};
    case 12:
      return {"HEXPIRE", hk, num(1, 3), "FIELDS", "2", "f" + v, "g" + num(0, 9)};
    case 13:
      return {"HPERSIST", hk, "FIELDS", "1", "f" + v};
    case 14:
      return {"HGETEX", hk, "PX", num(1, 3000), "FIELDS", "1", "g" + v};
    case 15:
      return {"SADD", x, v, num(0, 9), num(0, 9)};
    case 16:
      return {"SPOP", x};
    case 17:
      return {"SPOP", x, num(0, 4)};
    case 18:
      return {"SMOVE", "x1", "x2", v};
    case 19:
      return {"RPUSH", l, v, num(0, 9)};
    case 20:
      return {"LMPOP", "2", "l1", "l2", pick({"LEFT", "RIGHT"}), "COUNT", num(1, 3)};
    case 21:
      return {"BLPOP", l, "0"};  // sent by a client that may wait (see below)
    case 22:
      return {"LMOVE", "l1", "l2", "LEFT", "RIGHT"};
    case 23:
      return {"ZADD", z, num(0, 20), "m" + v};
    case 24:
      return {"ZPOPMIN", z};
    case 25:
      return {"ZMPOP", "2", "z1", "z2", "MAX", "COUNT", num(1, 3)};
    case 26:
      return {"ZINCRBY", z, "1", "m" + v};
    case 27:
      return {"XADD", "xs", "*", "f", v};
    case 28:
      return {"XADD", "xs", "MAXLEN", "~", num(2, 8), "*", "f", v};
    case 29:
      return {"XTRIM", "xs", "MAXLEN", num(3, 10)};
    case 30:
      return {"XGROUP", "CREATE", "xs", pick({"g1", "g2"}), "$", "MKSTREAM"};
    case 31:
      return {"XREADGROUP", "GROUP", pick({"g1", "g2"}), "c" + num(1, 3), "COUNT", "2", "STREAMS",
              "xs",         ">"};
    case 32:
      return {"XREADGROUP", "GROUP", "g2", "c" + num(1, 3), "NOACK", "STREAMS", "xs", ">"};
    case 33:
      return {"XAUTOCLAIM", "xs", pick({"g1", "g2"}), "c" + num(1, 3), "0", "0-0", "COUNT", "2"};
    case 34:
      return {"XACK", "xs", "g1", "0-1"};
    case 35:
      return {"XDEL", "xs", "0-1"};
    case 36:
      return {"EVAL",
              "redis.call('incr', KEYS[1]); redis.call('spop', KEYS[2]); "
              "redis.call('expire', KEYS[1], 2); return 1",
              "2", "cnt", x};
    case 37:
      return {"EVAL", "return redis.call('rpush', KEYS[1], ARGV[1])", "1", l, v};
    case 38:
      return {"DEL", pick({"s1", "l1", "z2", "h2", "x1", "nokey"})};
    case 39:
      return {"SELECT", num(0, 2)};
    case 40:
      return {"MOVE", s, num(0, 3)};
    case 41:
      return {"INCR", "cnt"};
    case 42:
      return {"SWAPDB", "1", "2"};
    case 43:
      return {"HSETEX", hk, "EX", num(1, 3), "FIELDS", "1", "e" + v, v};
    case 44:
      return {"BZPOPMIN", z, "0"};
    case 45:
      return {"SETRANGE", st, num(0, 3), v};
    case 46:
      return {"COPY", s, "copy" + v, "REPLACE"};
    default:
      return {"XCLAIM", "xs", "g1", "c9", "0", "0-1"};
  }
}

class PropagateReplayTest : public ::testing::TestWithParam<int> {};

TEST_P(PropagateReplayTest, RandomWorkloadReplaysToTheSameDataset) {
  Harness a, b;
  b.clock().SetMs(a.clock().NowMs());
  TimedRecorder rec(a.clock());
  a.server().propagator().AddTarget(&rec);
  Conn main(a.server()), waiter(a.server()), waiter2(a.server()), waiter3(a.server());
  std::mt19937 rng{uint32_t(GetParam())};
  for (int i = 0; i < 3000; i++) {
    int r = std::uniform_int_distribution<int>(0, 99)(rng);
    if (r < 8) {
      a.clock().AdvanceMs(std::uniform_int_distribution<int>(1, 700)(rng));
      if (r < 3) a.server().Cron();  // active expiry
      continue;
    }
    if (r < 11) {  // a transaction of a few commands
      main.Send({"MULTI"});
      for (int j = 0; j < 3; j++) main.Send(RandomCommand(rng));
      main.Send({"EXEC"});
      continue;
    }
    if (r < 13 && !waiter.blocked()) {  // a pop that waits for a later push
      waiter.Send({pick_blocking(rng), "l1", "0"});
      continue;
    }
    if (r < 14 && !waiter2.blocked()) {
      waiter2.Send({"BZMPOP", "0", "1", "z1", "MIN", "COUNT", "2"});
      continue;
    }
    Argv cmd = RandomCommand(rng);
    if (cmd[0] == "BLPOP" || cmd[0] == "BZPOPMIN") {
      if (!waiter3.blocked()) waiter3.Send(cmd);
      continue;
    }
    main.Send(cmd);
    ASSERT_FALSE(main.blocked());
  }
  ASSERT_GT(rec.ops.size(), 500u);
  // Replay on b at the times a propagated, as an AOF loads (SELECT when the db changes).
  int db = 0;
  for (const auto& op : rec.ops) {
    b.clock().SetMs(op.ms);
    if (op.db != db) {
      b.Run({"SELECT", std::to_string(op.db)});
      db = op.db;
    }
    std::string reply = b.Run(op.argv);
    EXPECT_EQ(reply.rfind("(error)", 0), std::string::npos)
        << op.argv[0] << " " << (op.argv.size() > 1 ? op.argv[1] : "") << ": " << reply;
  }
  b.clock().SetMs(a.clock().NowMs());
  auto da = Dataset(a), dbs = Dataset(b);
  EXPECT_GT(da.size(), 5u);
  EXPECT_EQ(da, dbs);
  a.server().propagator().RemoveTarget(&rec);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PropagateReplayTest, ::testing::Values(1, 2, 3, 12345, 777));

}  // namespace
}  // namespace ember
