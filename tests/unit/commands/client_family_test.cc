// CLIENT family through the in-process harness: names, LIST/INFO lines, KILL forms and
// filters, NO-EVICT/NO-TOUCH flags, REPLY ON/OFF/SKIP, SETINFO, PAUSE/UNPAUSE and the errors,
// in Redis's wording.
#include <gtest/gtest.h>

#include "command_harness.h"
#include "server/command_table.h"

namespace ember {
namespace {

using testing::Harness;

TEST(ClientFamilyTest, IdAndNames) {
  Harness h;
  EXPECT_EQ(h.Run({"CLIENT", "ID"}), "(integer) " + std::to_string(h.client().id));
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), "(nil)");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", "worker-1"}), "OK");
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), "worker-1");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", "a b"}),
            "(error) ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", "a\nb"}),
            "(error) ERR Client names cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), "worker-1");
  EXPECT_EQ(h.Run({"CLIENT", "SETNAME", ""}), "OK");
  EXPECT_EQ(h.Run({"CLIENT", "GETNAME"}), "(nil)");
  EXPECT_EQ(h.Run({"CLIENT", "ID", "1"}),
            "(error) ERR wrong number of arguments for 'client|id' command");
  EXPECT_EQ(h.Run({"CLIENT"}), "(error) ERR wrong number of arguments for 'client' command");
  EXPECT_EQ(h.Run({"CLIENT", "FOO"}), "(error) ERR unknown subcommand 'FOO'. Try CLIENT HELP.");
}

TEST(ClientFamilyTest, InfoLine) {
  Harness h;
  h.Run({"CLIENT", "SETNAME", "me"});
  std::string info = h.Run({"CLIENT", "INFO"});
  std::string id = std::to_string(h.client().id);
  EXPECT_EQ(info.substr(0, 3 + id.size()), "id=" + id);
  EXPECT_EQ(info.back(), '\n');
  for (std::string_view field : {" addr=",         " laddr=",
                                 " fd=-1 ",        " name=me ",
                                 " age=0 ",        " idle=0 ",
                                 " flags=N ",      " db=0 ",
                                 " sub=0 ",        " psub=0 ",
                                 " ssub=0 ",       " multi=-1 ",
                                 " qbuf=",         " qbuf-free=",
                                 " argv-mem=",     " multi-mem=0 ",
                                 " obl=",          " oll=",
                                 " omem=",         " tot-mem=",
                                 " events=",       " cmd=client|info ",
                                 " user=default ", " redir=-1 ",
                                 " resp=2 ",       " lib-name= ",
                                 " lib-ver=\n"}) {
    EXPECT_NE(info.find(field), std::string::npos) << field << " in " << info;
  }
  // The previous command shows as cmd= for other clients' lines; age/idle follow the clock.
  h.clock().AdvanceMs(5000);
  info = h.Run({"CLIENT", "INFO"});
  EXPECT_NE(info.find(" age=5 "), std::string::npos) << info;
}

TEST(ClientFamilyTest, InfoIsVerbatimInResp3) {
  Harness h;
  h.client().reply().set_resp(3);
  std::string raw = h.RunRaw({"CLIENT", "INFO"});
  EXPECT_EQ(raw[0], '=');
  EXPECT_NE(raw.find("txt:id="), std::string::npos);
}

TEST(ClientFamilyTest, FlagLetters) {
  Harness h;
  h.Run({"CLIENT", "NO-EVICT", "on"});
  h.Run({"CLIENT", "NO-TOUCH", "ON"});
  std::string info = h.Run({"CLIENT", "INFO"});
  EXPECT_NE(info.find(" flags=eT "), std::string::npos) << info;
  EXPECT_TRUE(h.client().flags & kClientNoTouch);
  h.Run({"CLIENT", "NO-EVICT", "off"});
  EXPECT_EQ(h.Run({"CLIENT", "NO-TOUCH", "off"}), "OK");
  EXPECT_FALSE(h.client().flags & kClientNoTouch);
  EXPECT_NE(h.Run({"CLIENT", "INFO"}).find(" flags=N "), std::string::npos);
  EXPECT_EQ(h.Run({"CLIENT", "NO-EVICT", "maybe"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "NO-TOUCH", "maybe"}), "(error) ERR syntax error");
}

TEST(ClientFamilyTest, List) {
  Harness h;
  Client* other = h.server().CreateFakeClient();
  other->name = "other";
  std::string all = h.Run({"CLIENT", "LIST"});
  EXPECT_NE(all.find("id=" + std::to_string(h.client().id) + " "), std::string::npos);
  EXPECT_NE(all.find("name=other "), std::string::npos);
  EXPECT_NE(all.find(" cmd=NULL "), std::string::npos);  // the other never ran a command
  EXPECT_NE(all.find(" cmd=client|list "), std::string::npos);
  std::string one = h.Run({"CLIENT", "LIST", "ID", std::to_string(other->id)});
  EXPECT_EQ(one.find("id=" + std::to_string(other->id) + " "), 0u) << one;
  EXPECT_EQ(one.find('\n'), one.size() - 1);
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "ID", "0"}), "");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "ID", "1", "abc"}), "(error) ERR Invalid client ID");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE", "normal"}),
            h.Run({"CLIENT", "LIST", "TYPE", "NORMAL"}));
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE", "pubsub"}), "");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE", "foo"}), "(error) ERR Unknown client type 'foo'");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "foo"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "LIST", "TYPE", "normal", "ID", "1"}), "(error) ERR syntax error");
}

TEST(ClientFamilyTest, KillFilters) {
  Harness h;
  Client* a = h.server().CreateFakeClient();
  Client* b = h.server().CreateFakeClient();
  EXPECT_EQ(h.Run({"ACL", "SETUSER", "alice", "on", "nopass", "+@all", "~*"}), "OK");
  b->user = h.server().acl().Find("alice");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", std::to_string(a->id)}), "(integer) 1");
  EXPECT_TRUE(a->closing());
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", std::to_string(a->id)}), "(integer) 0");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "USER", "nobody"}), "(error) ERR No such user 'nobody'");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "USER", "alice"}), "(integer) 1");
  EXPECT_TRUE(b->closing());
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "0"}), "(error) ERR client-id should be greater than 0");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "abc"}),
            "(error) ERR client-id should be greater than 0");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "TYPE", "foo"}), "(error) ERR Unknown client type 'foo'");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "SKIPME", "maybe"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", "1", "SKIPME"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "FOO", "bar"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "MAXAGE", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"CLIENT", "KILL"}),
            "(error) ERR wrong number of arguments for 'client|kill' command");
  // SKIPME yes (the default) spares the caller.
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "TYPE", "normal"}), "(integer) 0");
  EXPECT_FALSE(h.client().flags & kClientCloseAfterReply);
}

TEST(ClientFamilyTest, KillMaxAge) {
  Harness h;
  Client* old_client = h.server().CreateFakeClient();
  h.clock().AdvanceMs(10'000);
  Client* young = h.server().CreateFakeClient();
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "MAXAGE", "5"}), "(integer) 1");
  EXPECT_TRUE(old_client->closing());
  EXPECT_FALSE(young->closing());
}

TEST(ClientFamilyTest, KillSelfClosesAfterReply) {
  Harness h;
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ID", std::to_string(h.client().id), "SKIPME", "no"}),
            "(integer) 1");
  EXPECT_TRUE(h.client().flags & kClientCloseAfterReply);
}

TEST(ClientFamilyTest, KillOldForm) {
  Harness h;
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "1.2.3.4:5"}), "(error) ERR No such client");
  EXPECT_EQ(h.Run({"CLIENT", "KILL", "ADDR"}), "(error) ERR No such client");
}

TEST(ClientFamilyTest, Reply) {
  Harness h;
  EXPECT_EQ(h.RunRaw({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.RunRaw({"PING"}), "");
  EXPECT_EQ(h.Run({"CLIENT", "REPLY", "ON"}), "OK");
  EXPECT_EQ(h.Run({"PING"}), "PONG");
  EXPECT_EQ(h.RunRaw({"CLIENT", "REPLY", "SKIP"}), "");
  EXPECT_EQ(h.RunRaw({"PING"}), "");
  EXPECT_EQ(h.Run({"PING"}), "PONG");
  EXPECT_EQ(h.Run({"CLIENT", "REPLY", "maybe"}), "(error) ERR syntax error");
}

TEST(ClientFamilyTest, SetInfo) {
  Harness h;
  EXPECT_EQ(h.Run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}), "OK");
  EXPECT_EQ(h.Run({"CLIENT", "SETINFO", "lib-ver", "4.3.4"}), "OK");
  std::string info = h.Run({"CLIENT", "INFO"});
  EXPECT_NE(info.find(" lib-name=redis-py lib-ver=4.3.4\n"), std::string::npos) << info;
  EXPECT_EQ(h.Run({"CLIENT", "SETINFO", "foo", "x"}), "(error) ERR Unrecognized option 'foo'");
  EXPECT_EQ(h.Run({"CLIENT", "SETINFO", "lib-name", "a b"}),
            "(error) ERR lib-name cannot contain spaces, newlines or special characters.");
  EXPECT_EQ(h.Run({"CLIENT", "SETINFO", "lib-name"}),
            "(error) ERR wrong number of arguments for 'client|setinfo' command");
}

TEST(ClientFamilyTest, PauseArguments) {
  Harness h;
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "abc"}),
            "(error) ERR timeout is not an integer or out of range");
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "-1"}), "(error) ERR timeout is negative");
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "10", "foo"}),
            "(error) ERR CLIENT PAUSE mode must be WRITE or ALL");
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "10", "write", "x"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try "
            "CLIENT HELP.");
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "1000", "WRITE"}), "OK");
  EXPECT_TRUE(h.server().IsPaused(*CommandTable::Instance().Find("set")));
  EXPECT_FALSE(h.server().IsPaused(*CommandTable::Instance().Find("get")));
  EXPECT_EQ(h.Run({"CLIENT", "UNPAUSE"}), "OK");
  EXPECT_FALSE(h.server().IsPaused(*CommandTable::Instance().Find("set")));
  EXPECT_EQ(h.Run({"CLIENT", "PAUSE", "1000"}), "OK");
  EXPECT_TRUE(h.server().IsPaused(*CommandTable::Instance().Find("get")));
  h.clock().AdvanceMs(1000);
  EXPECT_FALSE(h.server().IsPaused(*CommandTable::Instance().Find("get")));
}

TEST(ClientFamilyTest, Help) {
  Harness h;
  std::string r = h.Run({"CLIENT", "HELP"});
  EXPECT_EQ(r.rfind("[CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:, ", 0), 0u);
  EXPECT_NE(r.find("NO-TOUCH"), std::string::npos);
}

}  // namespace
}  // namespace ember
