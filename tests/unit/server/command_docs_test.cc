// Tests of the syntax-grammar parser behind COMMAND DOCS (server/command_docs.cc): argument
// types, tokens, optional/multiple/multiple_token flags, oneof/block structure and key-spec
// indexes, on the usage lines of many real commands.
#include "server/command_docs.h"

#include <gtest/gtest.h>

#include "server/command_table.h"

namespace ember {
namespace {

// Compact structural dump: name:type, then {token=.. flags} and (children).
std::string Dump(const DocArg& a) {
  std::string s = a.name + ":" + std::string(DocArgTypeName(a.type));
  if (a.key_spec_index >= 0) s += "#" + std::to_string(a.key_spec_index);
  if (!a.token.empty()) s += " T=" + a.token;
  if (a.flags & kDocArgOptional) s += " ?";
  if (a.flags & kDocArgMultiple) s += " *";
  if (a.flags & kDocArgMultipleToken) s += " *T";
  if (!a.args.empty()) {
    s += " (";
    for (size_t i = 0; i < a.args.size(); i++) {
      if (i) s += ", ";
      s += Dump(a.args[i]);
    }
    s += ")";
  }
  return s;
}

std::string Dump(const std::vector<DocArg>& args) {
  std::string s;
  for (size_t i = 0; i < args.size(); i++) {
    if (i) s += " | ";
    s += Dump(args[i]);
  }
  return s;
}

std::string P(std::string_view syntax, std::string_view cmd = "x", int key_specs = 4) {
  return Dump(ParseDocSyntax(syntax, cmd, key_specs));
}

TEST(CommandDocsTest, Empty) {
  EXPECT_EQ(P(""), "");
  EXPECT_TRUE(ParseDocSyntax("   ", "x", 0).empty());
}

TEST(CommandDocsTest, SimpleArguments) {
  EXPECT_EQ(P("key", "get", 1), "key:key#0");
  EXPECT_EQ(P("key value", "append", 1), "key:key#0 | value:string");
  EXPECT_EQ(P("key seconds", "expire", 1), "key:key#0 | seconds:integer");
  EXPECT_EQ(P("pattern", "keys", 0), "pattern:pattern");
  EXPECT_EQ(P("key unix-time-seconds", "expireat", 1), "key:key#0 | unix-time-seconds:unix-time");
  // No key specs: no index.
  EXPECT_EQ(P("key", "x", 0), "key:key");
}

TEST(CommandDocsTest, ForcedTypes) {
  EXPECT_EQ(P("increment:double"), "increment:double");
  EXPECT_EQ(P("EXAT unix-time-seconds:unix-time"), "unix-time-seconds:unix-time T=EXAT");
  EXPECT_EQ(P("protover:integer"), "protover:integer");
  // An unknown suffix is part of the name.
  EXPECT_EQ(P("ip:port"), "ip:port:string");
}

TEST(CommandDocsTest, TypeGuessesUseTheCommand) {
  EXPECT_EQ(P("key increment", "incrbyfloat", 1), "key:key#0 | increment:double");
  EXPECT_EQ(P("key increment", "incrby", 1), "key:key#0 | increment:integer");
  EXPECT_EQ(P("key min max", "zcount", 1), "key:key#0 | min:double | max:double");
  EXPECT_EQ(P("key min max", "zlexcount", 1), "key:key#0 | min:string | max:string");
  EXPECT_EQ(P("key score member", "x", 1), "key:key#0 | score:double | member:string");
  EXPECT_EQ(P("numkeys timeout count offset db port", "x", 0),
            "numkeys:integer | timeout:integer | count:integer | offset:integer | "
            "db:integer | port:integer");
}

TEST(CommandDocsTest, SetLine) {
  std::string syntax =
      "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
      "PXAT unix-time-milliseconds | KEEPTTL]";
  std::vector<DocArg> args = ParseDocSyntax(syntax, "set", 1);
  ASSERT_EQ(args.size(), 5u);
  EXPECT_EQ(Dump(args[0]), "key:key#0");
  EXPECT_EQ(Dump(args[1]), "value:string");
  EXPECT_EQ(Dump(args[2]), "nx-xx:oneof ? (nx:pure-token T=NX, xx:pure-token T=XX)");
  EXPECT_EQ(Dump(args[3]), "get:pure-token T=GET ?");
  EXPECT_EQ(Dump(args[4]),
            "seconds-milliseconds:oneof ? (seconds:integer T=EX, milliseconds:integer T=PX, "
            "unix-time-seconds:unix-time T=EXAT, unix-time-milliseconds:unix-time T=PXAT, "
            "keepttl:pure-token T=KEEPTTL)");
  EXPECT_EQ(RenderDocArgs(args), syntax);
}

TEST(CommandDocsTest, RepeatedKeys) {
  EXPECT_EQ(P("key [key ...]", "del", 1), "key:key#0 *");
  EXPECT_EQ(P("[key ...]", "x", 1), "key:key#0 ? *");
  EXPECT_EQ(P("key ...", "x", 1), "key:key#0 *");
  EXPECT_EQ(P("numkeys key [key ...]", "x", 1), "numkeys:integer | key:key#0 *");
}

TEST(CommandDocsTest, RepeatedBlock) {
  EXPECT_EQ(P("key field value [field value ...]", "hset", 1),
            "key:key#0 | field-value:block * (field:string, value:string)");
  EXPECT_EQ(P("key value [key value ...]", "mset", 1),
            "key-value:block * (key:key#0, value:string)");
}

TEST(CommandDocsTest, TokenWithRepeats) {
  EXPECT_EQ(P("[WEIGHTS weight [weight ...]]"), "weight:double T=WEIGHTS ? *");
  EXPECT_EQ(P("[GET pattern [GET pattern ...]]"), "pattern:pattern T=GET ? * *T");
}

TEST(CommandDocsTest, TokenBlocks) {
  EXPECT_EQ(P("[LIMIT offset count]"), "limit:block T=LIMIT ? (offset:integer, count:integer)");
  EXPECT_EQ(P("[COUNT count [ANY]]"),
            "count:block T=COUNT ? (count:integer, any:pure-token T=ANY ?)");
}

TEST(CommandDocsTest, TokenOneOf) {
  EXPECT_EQ(P("[AGGREGATE SUM | MIN | MAX]"),
            "aggregate:oneof T=AGGREGATE ? (sum:pure-token T=SUM, min:pure-token T=MIN, "
            "max:pure-token T=MAX)");
  EXPECT_EQ(P("[AGGREGATE (SUM | MIN | MAX)]"),
            "aggregate:oneof T=AGGREGATE ? (sum:pure-token T=SUM, min:pure-token T=MIN, "
            "max:pure-token T=MAX)");
  EXPECT_EQ(P("[TYPE <NORMAL | PUBSUB>]"),
            "type:oneof T=TYPE ? (normal:pure-token T=NORMAL, pubsub:pure-token T=PUBSUB)");
  EXPECT_EQ(P("[FILTERBY (MODULE module-name | ACLCAT category | PATTERN pattern)]"),
            "filterby:oneof T=FILTERBY ? (module-name:string T=MODULE, category:string "
            "T=ACLCAT, pattern:pattern T=PATTERN)");
}

TEST(CommandDocsTest, TopLevelOneOf) {
  EXPECT_EQ(P("ON | OFF | SKIP"),
            "on-off:oneof (on:pure-token T=ON, off:pure-token T=OFF, skip:pure-token T=SKIP)");
  EXPECT_EQ(P("(LIB-NAME libname | LIB-VER libver)"),
            "libname-libver:oneof (libname:string T=LIB-NAME, libver:string T=LIB-VER)");
}

TEST(CommandDocsTest, ZaddLine) {
  EXPECT_EQ(P("key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]", "zadd", 1),
            "key:key#0 | nx-xx:oneof ? (nx:pure-token T=NX, xx:pure-token T=XX) | "
            "gt-lt:oneof ? (gt:pure-token T=GT, lt:pure-token T=LT) | ch:pure-token T=CH ? | "
            "incr:pure-token T=INCR ? | score-member:block * (score:double, member:string)");
}

TEST(CommandDocsTest, KeySpecIndexesInOrder) {
  EXPECT_EQ(P("destination numkeys key [key ...] [WEIGHTS weight [weight ...]]", "zunionstore", 2),
            "destination:key#0 | numkeys:integer | key:key#1 * | weight:double T=WEIGHTS ? *");
  EXPECT_EQ(P("source destination", "smove", 2), "source:key#0 | destination:key#1");
  // More key arguments than specs: capped at the last spec.
  EXPECT_EQ(P("key newkey other:key", "x", 2), "key:key#0 | newkey:key#1 | other:key#1");
}

TEST(CommandDocsTest, SymbolsAreTokens) {
  EXPECT_EQ(P("key (* | id) field value [field value ...]", "xadd", 1),
            "key:key#0 | *-id:oneof (*:pure-token T=*, id:string) | "
            "field-value:block * (field:string, value:string)");
  EXPECT_EQ(P("[MAXLEN [= | ~] threshold]"),
            "maxlen-=-~:block ? (maxlen:pure-token T=MAXLEN, =-~:oneof ? (=:pure-token T==, "
            "~:pure-token T=~), threshold:string)");
}

TEST(CommandDocsTest, MalformedInputDoesNotCrash) {
  for (std::string_view s : {"[", "]", "((", "[a | ]", "| |", "...", "[...]", "a [b", "a ]] b",
                             "[ | a]", "TOKEN", "[TOKEN]", "( )", "<<>>", "a:", ":integer"}) {
    std::vector<DocArg> args = ParseDocSyntax(s, "x", 1);
    (void)RenderDocArgs(args);
  }
}

TEST(CommandDocsTest, EveryRowParsesAndRoundTrips) {
  // Every registered row yields a tree whose rendering parses back to the same structure.
  for (const auto& c : CommandTable::Instance().commands()) {
    std::vector<const CommandSpec*> rows = {c.get()};
    for (const auto& s : c->subcommands) rows.push_back(s.get());
    for (const CommandSpec* row : rows) {
      const std::vector<DocArg>& args = DocArgsFor(*row);
      EXPECT_EQ(&args, &DocArgsFor(*row)) << "cached once";
      // Rendering drops ":type" suffixes, so compare the structure through a second render.
      std::string usage = RenderDocArgs(args);
      std::vector<DocArg> again = ParseDocSyntax(usage, row->name, int(row->key_specs.size()));
      EXPECT_EQ(RenderDocArgs(again), usage) << row->name << ": " << row->syntax;
    }
  }
}

}  // namespace
}  // namespace ember
