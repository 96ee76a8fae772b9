// Unit tests for the expiry commands (expire_family.cc) with a ManualClock: lazy expiry,
// TTL/PTTL/EXPIRETIME rounding, the NX/XX/GT/LT option matrix, overflow checks, times in the
// past, PERSIST and active expiry reclaiming keys nobody reads.
#include <gtest/gtest.h>

#include <string>

#include "../command_harness.h"

namespace ember {
namespace {

using testing::Harness;

constexpr int64_t kStart = 1'700'000'000'000;  // ManualClock's default start, in ms

TEST(ExpireFamily, LazyExpiry) {
  Harness h;
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"PEXPIRE", "k", "100"}), "(integer) 1");
  h.clock().AdvanceMs(100);
  EXPECT_EQ(h.Run({"GET", "k"}), "v");  // expires strictly after its time
  h.clock().AdvanceMs(1);
  EXPECT_EQ(h.Run({"GET", "k"}), "(nil)");
  EXPECT_EQ(h.server().keyspace().stats().expired_keys, 1u);
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 0");
}

TEST(ExpireFamily, TtlAndPttl) {
  Harness h;
  EXPECT_EQ(h.Run({"TTL", "missing"}), "(integer) -2");
  EXPECT_EQ(h.Run({"PTTL", "missing"}), "(integer) -2");
  EXPECT_EQ(h.Run({"EXPIRETIME", "missing"}), "(integer) -2");
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) -1");
  EXPECT_EQ(h.Run({"PTTL", "k"}), "(integer) -1");
  EXPECT_EQ(h.Run({"PEXPIRETIME", "k"}), "(integer) -1");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 10");
  EXPECT_EQ(h.Run({"PTTL", "k"}), "(integer) 10000");
  h.clock().AdvanceMs(1499);
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 9");  // 8501 ms rounds to 9
  h.clock().AdvanceMs(2);
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 8");  // 8499 ms rounds to 8
  EXPECT_EQ(h.Run({"PEXPIRETIME", "k"}), "(integer) " + std::to_string(kStart + 10000));
  EXPECT_EQ(h.Run({"EXPIRETIME", "k"}), "(integer) " + std::to_string(kStart / 1000 + 10));
}

TEST(ExpireFamily, AbsoluteForms) {
  Harness h;
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"EXPIREAT", "k", std::to_string(kStart / 1000 + 100)}), "(integer) 1");
  EXPECT_EQ(h.Run({"PTTL", "k"}), "(integer) 100000");
  EXPECT_EQ(h.Run({"PEXPIREAT", "k", std::to_string(kStart + 1234)}), "(integer) 1");
  EXPECT_EQ(h.Run({"PTTL", "k"}), "(integer) 1234");
  EXPECT_EQ(h.Run({"PEXPIRETIME", "k"}), "(integer) " + std::to_string(kStart + 1234));
}

TEST(ExpireFamily, TimeInThePastDeletes) {
  Harness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "1"});
  h.Run({"SET", "c", "1"});
  h.Run({"SET", "d", "1"});
  EXPECT_EQ(h.Run({"EXPIRE", "a", "0"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PEXPIRE", "b", "-5"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXPIREAT", "c", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PEXPIREAT", "d", std::to_string(kStart)}), "(integer) 1");  // == now
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXPIRE", "a", "0"}), "(integer) 0");  // now missing
  // Deleted by the command, not counted as expired.
  EXPECT_EQ(h.server().keyspace().stats().expired_keys, 0u);
}

TEST(ExpireFamily, OptionMatrix) {
  Harness h;
  h.Run({"SET", "k", "v"});  // no TTL: counts as infinite for GT/LT
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100", "XX"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100", "GT"}), "(integer) 0");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) -1");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100", "LT"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "50", "NX"}), "(integer) 0");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 100");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "200", "LT"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100", "GT"}), "(integer) 0");  // equal is not greater
  EXPECT_EQ(h.Run({"EXPIRE", "k", "100", "LT"}), "(integer) 0");  // equal is not less
  EXPECT_EQ(h.Run({"EXPIRE", "k", "200", "GT"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 200");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "50", "xx", "lt"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 50");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "60", "XX", "GT"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 60");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "70", "XX"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PERSIST", "k"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "70", "NX"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 70");
  // A time in the past still obeys the conditions.
  EXPECT_EQ(h.Run({"EXPIRE", "k", "-1", "GT"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "-1", "LT"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
  // Missing key: 0 with any option.
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "NX"}), "(integer) 0");
}

TEST(ExpireFamily, OptionErrors) {
  Harness h;
  h.Run({"SET", "k", "v"});
  const std::string nx_err =
      "(error) ERR NX and XX, GT or LT options at the same time are not compatible";
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "NX", "XX"}), nx_err);
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "NX", "GT"}), nx_err);
  EXPECT_EQ(h.Run({"PEXPIRE", "k", "10", "LT", "NX"}), nx_err);
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "GT", "LT"}),
            "(error) ERR GT and LT options at the same time are not compatible");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "10", "foo"}), "(error) ERR Unsupported option foo");
  // Options are checked before the number.
  EXPECT_EQ(h.Run({"EXPIRE", "k", "abc", "foo"}), "(error) ERR Unsupported option foo");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "abc"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"EXPIRE", "k"}), "(error) ERR wrong number of arguments for 'expire' command");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) -1");
}

TEST(ExpireFamily, OverflowChecks) {
  Harness h;
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"EXPIRE", "k", "99999999999999999"}),
            "(error) ERR invalid expire time in 'expire' command");
  EXPECT_EQ(h.Run({"EXPIRE", "k", "-99999999999999999"}),
            "(error) ERR invalid expire time in 'expire' command");
  EXPECT_EQ(h.Run({"PEXPIRE", "k", "9223372036854775807"}),
            "(error) ERR invalid expire time in 'pexpire' command");
  EXPECT_EQ(h.Run({"EXPIREAT", "k", "-99999999999999999"}),
            "(error) ERR invalid expire time in 'expireat' command");
  EXPECT_EQ(h.Run({"PEXPIREAT", "k", "9223372036854775807"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PEXPIRETIME", "k"}), "(integer) 9223372036854775807");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 1");
}

TEST(ExpireFamily, PersistAndOverwrite) {
  Harness h;
  EXPECT_EQ(h.Run({"PERSIST", "nope"}), "(integer) 0");
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"PERSIST", "k"}), "(integer) 0");
  h.Run({"EXPIRE", "k", "10"});
  EXPECT_EQ(h.Run({"PERSIST", "k"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) -1");
  h.clock().AdvanceMs(20'000);
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
  EXPECT_EQ(h.server().keyspace().db(0).expires_count(), 0u);
  h.Run({"EXPIRE", "k", "10"});
  EXPECT_EQ(h.server().keyspace().db(0).expires_count(), 1u);
  h.Run({"SET", "k", "w"});  // SET clears the TTL
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) -1");
}

TEST(ExpireFamily, ExpireKeepsValueEncodings) {
  Harness h;
  std::string big(300, 'z');
  h.Run({"SET", "raw", big});
  h.Run({"SET", "int", "42"});
  h.Run({"EXPIRE", "raw", "100"});
  h.Run({"EXPIRE", "int", "100"});
  EXPECT_EQ(h.Run({"GET", "raw"}), big);
  EXPECT_EQ(h.Run({"GET", "int"}), "42");
  h.Run({"PERSIST", "raw"});
  EXPECT_EQ(h.Run({"GET", "raw"}), big);
}

TEST(ExpireFamily, ActiveExpiryReclaimsUnreadKeys) {
  Harness h;
  for (int i = 0; i < 1000; i++) {
    h.Run({"SET", "k" + std::to_string(i), "v", "PX", std::to_string(10 + i % 50)});
  }
  h.Run({"SET", "keep", "v"});
  h.clock().AdvanceMs(100);
  for (int round = 0; round < 1000 && h.server().keyspace().db(0).size() > 1; round++) {
    h.server().keyspace().ActiveExpire(1'000'000);
  }
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 1");
  EXPECT_EQ(h.server().keyspace().stats().expired_keys, 1000u);
}

TEST(ExpireFamily, TtlDoesNotTouchLru) {
  Harness h;
  h.Run({"SET", "k", "v", "EX", "100"});
  h.clock().AdvanceMs(5000);
  h.Run({"TTL", "k"});
  h.Run({"PTTL", "k"});
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "k"}), "(integer) 5");
}

}  // namespace
}  // namespace ember
