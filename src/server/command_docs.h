// Command documentation trees for COMMAND DOCS: each row's `syntax` string (grammar at the top
// of command_table.h) is parsed into the argument tree Redis 7 reports — names, types
// (string/integer/double/key/pattern/unix-time/pure-token/oneof/block), tokens, key-spec
// indexes and the optional/multiple/multiple_token flags. redis-cli reads these trees to show
// its inline hints, so their structure matters more than the exact group names (groups get a
// generated name: their token, or their first members' names).
//
// Trees are built once per row, on first use, and cached for the process lifetime (the table is
// immutable after startup). Thread: command thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class ReplyBuilder;
struct CommandSpec;

enum class DocArgType {
  kString,
  kInteger,
  kDouble,
  kKey,
  kPattern,
  kUnixTime,
  kPureToken,
  kOneOf,
  kBlock
};

enum DocArgFlag : uint32_t {
  kDocArgOptional = 1 << 0,
  kDocArgMultiple = 1 << 1,
  kDocArgMultipleToken = 1 << 2,
};

struct DocArg {
  std::string name;
  DocArgType type = DocArgType::kString;
  int key_spec_index = -1;  // only for key arguments, -1 when unknown
  std::string token;        // literal word that precedes the value ("EX"), or the pure token
  uint32_t flags = 0;
  std::vector<DocArg> args;  // members of a oneof / block
};

// "string", "integer", ..., "oneof", "block" (the names COMMAND DOCS uses).
std::string_view DocArgTypeName(DocArgType t);

// Parses a syntax string into argument trees. `command` (the row's full name, e.g. "zadd" or
// "client|kill") refines type guesses (INCRBYFLOAT's increment is a double); key arguments
// get key_spec_index 0, 1, ... in order, capped at `num_key_specs` - 1 (none if 0).
// Unbalanced brackets are tolerated: the parser closes what is open at the end.
std::vector<DocArg> ParseDocSyntax(std::string_view syntax, std::string_view command,
                                   int num_key_specs);

// The cached argument tree of a row.
const std::vector<DocArg>& DocArgsFor(const CommandSpec& spec);

// Writes one row's COMMAND DOCS value (the map after the name): summary, since, group,
// complexity, [arguments], [subcommands (a map name -> docs)].
void ReplyCommandDocs(ReplyBuilder& r, const CommandSpec& spec);

// Renders a tree back into a usage line ("key [NX | XX] [EX seconds]"); for tests and logs.
std::string RenderDocArgs(const std::vector<DocArg>& args);

}  // namespace ember
