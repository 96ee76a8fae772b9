// COMMAND family through the in-process harness: COMMAND / INFO shapes (compared with what
// redis-server 7.0 returns for GET, SET and the CONFIG container), COUNT, LIST filters, DOCS,
// GETKEYS / GETKEYSANDFLAGS and their errors, HELP.
#include <gtest/gtest.h>

#include "command_harness.h"
#include "server/command_table.h"

namespace ember {
namespace {

using testing::Harness;

size_t CountTop(const std::string& rendered) {
  // Number of top-level elements of a rendered array "[a, [b, c], d]".
  if (rendered == "[]") return 0;
  size_t depth = 0, n = 1;
  for (char c : rendered) {
    if (c == '[')
      depth++;
    else if (c == ']')
      depth--;
    else if (c == ',' && depth == 1)
      n++;
  }
  return n;
}

TEST(CommandFamilyTest, InfoGetMatchesRedisShape) {
  Harness h;
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "get"}),
            "[[get, (integer) 2, [readonly, fast], (integer) 1, (integer) 1, (integer) 1, "
            "[@read, @string, @fast], [], [[flags, [RO, access], begin_search, [type, index, "
            "spec, [index, (integer) 1]], find_keys, [type, range, spec, [lastkey, (integer) 0, "
            "keystep, (integer) 1, limit, (integer) 0]]]], []]]");
}

TEST(CommandFamilyTest, InfoSetFlags) {
  Harness h;
  std::string r = h.Run({"COMMAND", "INFO", "SET"});
  EXPECT_NE(r.find("[set, (integer) -3, [write, denyoom], (integer) 1, (integer) 1, (integer) 1, "
                   "[@write, @string, @slow]"),
            std::string::npos)
      << r;
  EXPECT_NE(r.find("[flags, [RW, access, update, variable_flags]"), std::string::npos) << r;
}

TEST(CommandFamilyTest, InfoRawRespTypes) {
  Harness h;
  h.client().reply().set_resp(3);
  std::string raw = h.RunRaw({"COMMAND", "INFO", "get"});
  // Flags and categories are sets of status strings; key specs a set of maps.
  EXPECT_NE(raw.find("~2\r\n+readonly\r\n+fast\r\n"), std::string::npos);
  EXPECT_NE(raw.find("~3\r\n+@read\r\n+@string\r\n+@fast\r\n"), std::string::npos);
  EXPECT_NE(raw.find("~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n"), std::string::npos);
  // No subcommands: an empty set.
  EXPECT_EQ(raw.substr(raw.size() - 4), "~0\r\n");
}

TEST(CommandFamilyTest, InfoUnknownIsNil) {
  Harness h;
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "nosuch", "get"}).substr(0, 12), "[(nil), [get");
  EXPECT_EQ(h.RunRaw({"COMMAND", "INFO", "nosuch"}), "*1\r\n$-1\r\n");
}

TEST(CommandFamilyTest, InfoContainerHasSubcommands) {
  Harness h;
  std::string r = h.Run({"COMMAND", "INFO", "client"});
  EXPECT_EQ(r.rfind("[[client, (integer) -2, [], (integer) 0, (integer) 0, (integer) 0, [@slow], "
                    "[], [], [[client|",
                    0),
            0u)
      << r;
  EXPECT_NE(r.find("[client|list, (integer) -2, [admin, noscript, loading, stale]"),
            std::string::npos);
  // Subcommands are found by their full name too.
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "client|id"}).substr(0, 26), "[[client|id, (integer) 2, ");
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "client|nosuch"}), "[(nil)]");
}

TEST(CommandFamilyTest, AllAndCount) {
  Harness h;
  size_t n = CommandTable::Instance().commands().size();
  EXPECT_EQ(h.Run({"COMMAND", "COUNT"}), "(integer) " + std::to_string(n));
  EXPECT_EQ(CountTop(h.Run({"COMMAND"})), n);
  EXPECT_EQ(CountTop(h.Run({"COMMAND", "INFO"})), n);
  EXPECT_EQ(h.Run({"COMMAND", "COUNT", "x"}),
            "(error) ERR wrong number of arguments for 'command|count' command");
}

TEST(CommandFamilyTest, List) {
  Harness h;
  std::string all = h.Run({"COMMAND", "LIST"});
  EXPECT_NE(all.find("get"), std::string::npos);
  EXPECT_NE(all.find("client|list"), std::string::npos);
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "PATTERN", "command|*"}),
            "[command|count, command|list, command|info, command|docs, command|getkeys, "
            "command|getkeysandflags, command|help]");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "pattern", "GE?"}), "[get]");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "MODULE", "x"}), "[]");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcat"}), "[]");
  std::string conn = h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT", "Connection"});
  EXPECT_NE(conn.find("ping"), std::string::npos);
  EXPECT_NE(conn.find("client|id"), std::string::npos);
  EXPECT_EQ(conn.find("[get"), std::string::npos);
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "foo", "bar"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "a"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"COMMAND", "LIST", "FILTERBY", "ACLCAT"}), "(error) ERR syntax error");
}

TEST(CommandFamilyTest, DocsGet) {
  Harness h;
  std::string r = h.Run({"COMMAND", "DOCS", "get"});
  EXPECT_NE(r.find("[get, [summary, "), std::string::npos) << r;
  EXPECT_NE(r.find("since, 1.0.0, group, string, complexity, O(1), arguments, [[name, key, type, "
                   "key, key_spec_index, (integer) 0]]]]"),
            std::string::npos)
      << r;
  EXPECT_EQ(h.Run({"COMMAND", "DOCS", "nosuch"}), "[]");
}

TEST(CommandFamilyTest, DocsSetArguments) {
  Harness h;
  std::string r = h.Run({"COMMAND", "DOCS", "set"});
  EXPECT_NE(r.find("[name, nx-xx, type, oneof, flags, [optional], arguments, [[name, nx, type, "
                   "pure-token, token, NX], [name, xx, type, pure-token, token, XX]]]"),
            std::string::npos)
      << r;
  EXPECT_NE(r.find("[name, seconds, type, integer, token, EX]"), std::string::npos) << r;
  EXPECT_NE(r.find("[name, get, type, pure-token, token, GET, flags, [optional]]"),
            std::string::npos)
      << r;
}

TEST(CommandFamilyTest, DocsRespMapShapes) {
  Harness h;
  h.client().reply().set_resp(3);
  std::string raw = h.RunRaw({"COMMAND", "DOCS", "get"});
  EXPECT_EQ(raw.substr(0, 14), "%1\r\n$3\r\nget\r\n%");
  EXPECT_NE(raw.find("$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n"),
            std::string::npos);
}

TEST(CommandFamilyTest, DocsContainerNestsSubcommands) {
  Harness h;
  std::string r = h.Run({"COMMAND", "DOCS", "client"});
  EXPECT_NE(r.find("subcommands, [client|id, [summary,"), std::string::npos) << r;
  EXPECT_NE(r.find("client|reply, [summary"), std::string::npos) << r;
  EXPECT_EQ(CountTop(h.Run({"COMMAND", "DOCS"})), 2 * CommandTable::Instance().commands().size());
}

TEST(CommandFamilyTest, GetKeys) {
  Harness h;
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "get", "a"}), "[a]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "SET", "k", "v", "EX", "10"}), "[k]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "foo", "x", "y"}),
            "(error) ERR Invalid command specified");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "ping", "x"}),
            "(error) ERR The command has no key arguments");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "client", "list"}),
            "(error) ERR The command has no key arguments");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "client", "nosuch"}),
            "(error) ERR Invalid command specified");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "get", "a", "b"}),
            "(error) ERR Invalid number of arguments specified for command");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "get"}),
            "(error) ERR wrong number of arguments for 'command|getkeys' command");
}

TEST(CommandFamilyTest, GetKeysAndFlags) {
  Harness h;
  // SET's flags depend on its arguments, as in Redis 7.2.
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v"}), "[[k, [OW, update]]]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "get"}),
            "[[k, [RW, access, update]]]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "get", "k"}), "[[k, [RO, access]]]");
}

TEST(CommandFamilyTest, GetKeysFromSpecsOfAllShapes) {
  // Movable-key rows registered by other families, when present.
  Harness h;
  if (CommandTable::Instance().Find("mset")) {
    EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"}), "[a, b]");
  }
  if (CommandTable::Instance().Find("del")) {
    EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "del", "a", "b", "c"}), "[a, b, c]");
  }
}

TEST(CommandFamilyTest, Help) {
  Harness h;
  std::string r = h.Run({"COMMAND", "HELP"});
  EXPECT_EQ(r.rfind("[COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:, ", 0), 0u);
  EXPECT_NE(r.find("GETKEYSANDFLAGS"), std::string::npos);
  EXPECT_EQ(h.Run({"COMMAND", "FOO"}), "(error) ERR unknown subcommand 'FOO'. Try COMMAND HELP.");
}

}  // namespace
}  // namespace ember
