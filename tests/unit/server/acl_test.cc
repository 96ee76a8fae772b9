// ACL unit tests: the rule parser (every error), rendering back (GETUSER parts and ACL LIST,
// with Redis 7.2's rule compaction), permission checks through key specs (read/write),
// channels, selectors, and the dispatcher path (AUTH, NOPERM, ACL LOG) through the in-process
// harness.
#include "server/acl.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "server/command_table.h"

namespace ember {
namespace {

using testing::Harness;

AclUser MakeUser(std::vector<std::string_view> rules) {
  AclUser u;
  u.name = "u";
  u.selectors.emplace_back();
  std::string err = AclApplyRules(&u, rules, false);
  EXPECT_EQ(err, "");
  return u;
}

std::string RuleError(std::vector<std::string_view> rules) {
  AclUser u;
  u.name = "u";
  u.selectors.emplace_back();
  return AclApplyRules(&u, rules, false);
}

AclDenied Check(const AclUser& u, std::vector<std::string_view> args) {
  const CommandSpec* cmd = CommandTable::Instance().Resolve(args);
  EXPECT_NE(cmd, nullptr);
  return u.Check(*cmd, args).denied;
}

TEST(AclRules, Errors) {
  EXPECT_EQ(RuleError({"foo"}), "ERR Error in ACL SETUSER modifier 'foo': Syntax error");
  EXPECT_EQ(RuleError({"+nosuch"}),
            "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(RuleError({"+@nosuch"}),
            "ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(RuleError({"-select|0"}),
            "ERR Error in ACL SETUSER modifier '-select|0': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(RuleError({"+get|a|b"}),
            "ERR Error in ACL SETUSER modifier '+get|a|b': Unknown command or category name in "
            "ACL");
  EXPECT_EQ(RuleError({"+config|nosuch"}),
            "ERR Error in ACL SETUSER modifier '+config|nosuch': Unknown command or category "
            "name in ACL");
  EXPECT_EQ(RuleError({"+config|get|x"}),
            "ERR Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a "
            "subcommand is not supported");
  EXPECT_EQ(RuleError({"~*", "~a"}),
            "ERR Error in ACL SETUSER modifier '~a': Adding a pattern after the * pattern (or "
            "the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to "
            "start with an empty list of patterns");
  EXPECT_EQ(RuleError({"allchannels", "&a"}),
            "ERR Error in ACL SETUSER modifier '&a': Adding a pattern after the * pattern (or "
            "the 'allchannels' flag) is not valid and does not have any effect. Try "
            "'resetchannels' to start with an empty list of channels");
  EXPECT_EQ(RuleError({"%X~a"}), "ERR Error in ACL SETUSER modifier '%X~a': Syntax error");
  EXPECT_EQ(RuleError({"%~a"}), "ERR Error in ACL SETUSER modifier '%~a': Syntax error");
  EXPECT_EQ(RuleError({"#abc"}),
            "ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 "
            "characters and contain only lowercase hexadecimal characters");
  EXPECT_EQ(RuleError({"<nope"}),
            "ERR Error in ACL SETUSER modifier '<nope': The password you are trying to remove "
            "from the user does not exist");
  EXPECT_EQ(RuleError({"(+get", "~a"}),
            "ERR Unmatched parenthesis in acl selector starting at '(+get'.");
  EXPECT_EQ(RuleError({"(bad)"}), "ERR Error in ACL SETUSER modifier '(bad)': Syntax error");
  EXPECT_EQ(RuleError({")"}), "ERR Error in ACL SETUSER modifier ')': Syntax error");
}

TEST(AclRules, CompactionAsRedis72) {
  auto cmds = [](std::vector<std::string_view> rules) {
    return MakeUser(rules).selectors[0].DescribeCommands();
  };
  EXPECT_EQ(cmds({}), "-@all");
  EXPECT_EQ(cmds({"+@all", "-@hash", "-@slow", "+hget", "-@hash"}), "+@all -@slow +hget -@hash");
  EXPECT_EQ(cmds({"-@all", "+hget", "-hset", "+hset", "-hget"}), "-@all +hset -hget");
  EXPECT_EQ(cmds({"+client|list", "+client|list", "+config|get", "+config", "+acl|list", "-acl"}),
            "-@all +client|list +config -acl");
  EXPECT_EQ(cmds({"+select|0", "+select|0", "+debug|segfault", "+debug"}),
            "-@all +select|0 +debug");
  EXPECT_EQ(cmds({"+@HASH", "+@hash"}), "-@all +@hash");
  EXPECT_EQ(cmds({"+@string", "+@all"}), "+@all");
  EXPECT_EQ(cmds({"+config", "+config|get", "-config|set", "+config"}), "-@all +config");
}

TEST(AclRules, DescribeRoundTrip) {
  AclUser u = MakeUser(
      {"on", ">pw", "%R~r*", "%W~w*", "%RW~b*", "&ch*", "+@all", "-@dangerous", "(~x* +get)"});
  std::string line = u.Describe();
  EXPECT_EQ(line,
            "user u on sanitize-payload #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e2"
            "6170c4 %R~r* %W~w* ~b* resetchannels &ch* +@all -@dangerous (~x* resetchannels "
            "-@all +get)");
  // Feeding the rendered rules back gives the same user.
  std::vector<std::string> words;
  size_t pos = std::string("user u ").size();
  while (pos < line.size()) {
    size_t sp = line.find(' ', pos);
    if (sp == std::string::npos) sp = line.size();
    words.push_back(line.substr(pos, sp - pos));
    pos = sp + 1;
  }
  std::vector<std::string_view> views(words.begin(), words.end());
  AclUser again = MakeUser(views);
  EXPECT_EQ(again.Describe(), line);
  EXPECT_EQ(MakeUser({"%R~foo", "%W~foo", "%RW~bar"}).selectors[0].DescribeKeys(), "~foo ~bar");
}

TEST(AclCheck, KeysThroughKeySpecs) {
  AclUser u = MakeUser({"+@all", "%R~read*", "%W~write*", "%RW~rw*"});
  EXPECT_EQ(Check(u, {"get", "read1"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"get", "write1"}), AclDenied::kKey);
  EXPECT_EQ(Check(u, {"set", "write1", "v"}), AclDenied::kNone);  // OW without GET
  EXPECT_EQ(Check(u, {"set", "write1", "v", "GET"}), AclDenied::kKey);
  EXPECT_EQ(Check(u, {"set", "rw1", "v", "GET"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"set", "read1", "v"}), AclDenied::kKey);
  // Existence checks need either permission; nothing matching is still denied.
  EXPECT_EQ(Check(u, {"exists", "read1"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"exists", "write1"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"exists", "nothing"}), AclDenied::kKey);
  EXPECT_EQ(Check(u, {"lmove", "read1", "write1", "LEFT", "RIGHT"}), AclDenied::kKey);
  EXPECT_EQ(Check(u, {"lmove", "rw1", "write1", "LEFT", "RIGHT"}), AclDenied::kNone);
}

TEST(AclCheck, CommandsSubcommandsFirstArgs) {
  AclUser u = MakeUser({"allkeys", "+@all", "-client", "+client|id", "-select", "+select|0"});
  EXPECT_EQ(Check(u, {"client", "id"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"client", "kill", "x"}), AclDenied::kCommand);
  EXPECT_EQ(Check(u, {"select", "0"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"select", "1"}), AclDenied::kCommand);
  AclUser v = MakeUser({"allkeys", "-@all", "+@string"});
  EXPECT_EQ(Check(v, {"get", "k"}), AclDenied::kNone);
  EXPECT_EQ(Check(v, {"hget", "k", "f"}), AclDenied::kCommand);
}

TEST(AclCheck, Channels) {
  AclUser u = MakeUser({"+@all", "resetchannels", "&news.*", "&exact"});
  EXPECT_EQ(Check(u, {"publish", "news.a", "m"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"publish", "other", "m"}), AclDenied::kChannel);
  EXPECT_EQ(Check(u, {"subscribe", "exact", "news.b"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"subscribe", "exact", "zzz"}), AclDenied::kChannel);
  // PSUBSCRIBE needs the pattern itself to be listed.
  EXPECT_EQ(Check(u, {"psubscribe", "news.*"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"psubscribe", "news.a*"}), AclDenied::kChannel);
  EXPECT_EQ(Check(u, {"unsubscribe", "zzz"}), AclDenied::kNone);
}

TEST(AclCheck, SelectorsAreNotAdditive) {
  AclUser u = MakeUser({"on", "nopass", "(+@write ~write::*)", "(+@read ~read::*)"});
  EXPECT_EQ(Check(u, {"set", "write::a", "v"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"get", "read::a"}), AclDenied::kNone);
  EXPECT_EQ(Check(u, {"get", "write::a"}), AclDenied::kKey);
  EXPECT_EQ(Check(u, {"ping"}), AclDenied::kCommand);
  // The most relevant denial is the later key.
  AclUser m = MakeUser({"+mget", "~key", "(+mget ~key ~otherkey)"});
  const CommandSpec* mget = CommandTable::Instance().Find("mget");
  std::vector<std::string_view> args = {"mget", "otherkey", "someotherkey"};
  AclVerdict v = m.Check(*mget, args);
  EXPECT_EQ(v.denied, AclDenied::kKey);
  EXPECT_EQ(v.pos, 2);
}

TEST(AclCheck, PasswordsHashed) {
  AclUser u = MakeUser({"on", ">secret"});
  EXPECT_TRUE(u.PasswordMatches("secret"));
  EXPECT_FALSE(u.PasswordMatches("Secret"));
  EXPECT_EQ(u.passwords[0], AclHashPassword("secret"));
  EXPECT_EQ(u.passwords[0].size(), 64u);
}

TEST(AclDispatcher, AuthNopermAndLog) {
  Harness h;
  EXPECT_EQ(h.Run({"ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@all", "-@dangerous"}), "OK");
  EXPECT_EQ(h.Run({"AUTH", "app", "bad"}),
            "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(h.Run({"AUTH", "app", "pw"}), "OK");
  EXPECT_EQ(h.Run({"ACL", "WHOAMI"}), "app");
  EXPECT_EQ(h.Run({"ACL", "LIST"}),
            "(error) NOPERM User app has no permissions to run the 'acl|list' command");
  EXPECT_EQ(h.Run({"FLUSHALL"}),
            "(error) NOPERM User app has no permissions to run the 'flushall' command");
  EXPECT_EQ(h.Run({"SET", "other", "1"}), "(error) NOPERM No permissions to access a key");
  EXPECT_EQ(h.Run({"SET", "app:1", "1"}), "OK");
  EXPECT_EQ(h.Run({"AUTH", "default", "x"}), "OK");  // default is nopass
  EXPECT_EQ(h.server().acl().log().size(), 4u);
  EXPECT_EQ(h.server().acl().log()[0].object, "other");
  EXPECT_EQ(h.server().acl().log()[3].reason, AclDenied::kAuth);
  EXPECT_EQ(h.server().acl().stats().denied_auth, 1u);
  EXPECT_EQ(h.server().acl().stats().denied_cmd, 2u);
  EXPECT_EQ(h.server().acl().stats().denied_key, 1u);
}

TEST(AclDispatcher, RequirePassIsTheDefaultUsersPassword) {
  Harness h;
  EXPECT_EQ(h.Run({"CONFIG", "SET", "requirepass", "s3"}), "OK");
  EXPECT_FALSE(h.server().acl().DefaultUserNoPass());
  EXPECT_EQ(h.Run({"AUTH", "s3"}), "OK");
  EXPECT_EQ(h.Run({"AUTH", "nope"}),
            "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "requirepass", ""}), "OK");
  EXPECT_TRUE(h.server().acl().DefaultUserNoPass());
}

}  // namespace
}  // namespace ember
