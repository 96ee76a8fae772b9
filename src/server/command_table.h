// The command table: one declarative row per command (and per subcommand) holding everything
// the server knows about it — arity, flags, key specs, ACL categories, documentation and the
// handler. The dispatcher's checks (unknown command, arity, auth, write/readonly, OOM, MULTI
// queueing), COMMAND / COMMAND INFO / DOCS / LIST / GETKEYS, ACL key checks and cluster routing
// all read this table and nothing else.
//
// Families register their rows from their own files (RegisterStringFamily etc.), listed once in
// command_table.cc. Rows are built once at startup and immutable afterwards.
//
// The `syntax` string is the argument grammar after the command name, written the way the
// Redis docs write usage lines, e.g. for SET:
//   "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//    PXAT unix-time-milliseconds | KEEPTTL]"
// Grammar: lower-case words are arguments (type guessed from the name: "key" -> key,
// "seconds"/"count"/... -> integer, "pattern" -> pattern, ...; a ":type" suffix forces a
// type, e.g. "increment:double"), UPPER-case words are literal tokens, "[...]" is optional,
// "a | b" is one-of, "(...)" groups, and a trailing "..." repeats. "TOKEN arg" pairs become an
// argument with a token. COMMAND DOCS derives its argument trees from it (redis-cli's hints).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ember {

class CommandContext;
using CommandHandler = void (*)(CommandContext& ctx);

// Command flags, named as in Redis's COMMAND output.
enum CmdFlag : uint64_t {
  kCmdWrite = 1ull << 0,
  kCmdReadOnly = 1ull << 1,
  kCmdDenyOom = 1ull << 2,
  kCmdModule = 1ull << 3,
  kCmdAdmin = 1ull << 4,
  kCmdPubSub = 1ull << 5,
  kCmdNoScript = 1ull << 6,
  kCmdBlocking = 1ull << 7,
  kCmdLoading = 1ull << 8,
  kCmdStale = 1ull << 9,
  kCmdSkipMonitor = 1ull << 10,
  kCmdSkipSlowlog = 1ull << 11,
  kCmdAsking = 1ull << 12,
  kCmdFast = 1ull << 13,
  kCmdNoAuth = 1ull << 14,
  kCmdMayReplicate = 1ull << 15,
  kCmdSentinel = 1ull << 16,
  kCmdOnlySentinel = 1ull << 17,
  kCmdNoMandatoryKeys = 1ull << 18,
  kCmdProtected = 1ull << 19,
  kCmdModuleGetKeys = 1ull << 20,
  kCmdModuleNoCluster = 1ull << 21,
  kCmdNoAsyncLoading = 1ull << 22,
  kCmdNoMulti = 1ull << 23,
  kCmdMovableKeys = 1ull << 24,
  kCmdAllowBusy = 1ull << 25,
};

// ACL categories, named as in Redis (@keyspace, @read, ...). Order defines bit positions.
enum AclCat : uint64_t {
  kAclKeyspace = 1ull << 0,
  kAclRead = 1ull << 1,
  kAclWrite = 1ull << 2,
  kAclSet = 1ull << 3,
  kAclSortedSet = 1ull << 4,
  kAclList = 1ull << 5,
  kAclHash = 1ull << 6,
  kAclString = 1ull << 7,
  kAclBitmap = 1ull << 8,
  kAclHyperLogLog = 1ull << 9,
  kAclGeo = 1ull << 10,
  kAclStream = 1ull << 11,
  kAclPubSub = 1ull << 12,
  kAclAdmin = 1ull << 13,
  kAclFast = 1ull << 14,
  kAclSlow = 1ull << 15,
  kAclBlocking = 1ull << 16,
  kAclDangerous = 1ull << 17,
  kAclConnection = 1ull << 18,
  kAclTransaction = 1ull << 19,
  kAclScripting = 1ull << 20,
};
// Name of each category bit, in bit order ("keyspace", "read", ...).
std::span<const std::string_view> AclCategoryNames();

// Key-spec flags (Redis 7 key specs).
enum KeySpecFlag : uint32_t {
  kKsRO = 1 << 0,
  kKsRW = 1 << 1,
  kKsOW = 1 << 2,
  kKsRM = 1 << 3,
  kKsAccess = 1 << 4,
  kKsUpdate = 1 << 5,
  kKsInsert = 1 << 6,
  kKsDelete = 1 << 7,
  kKsNotKey = 1 << 8,
  kKsIncomplete = 1 << 9,
  kKsVariableFlags = 1 << 10,
};

// Where keys are in the argument vector (Redis 7 key-spec model).
struct KeySpec {
  uint32_t flags = 0;
  // begin_search: by index (keyword empty) or by keyword searched from `start_from`.
  int bs_index = 1;
  std::string_view bs_keyword;
  int bs_keyword_start = 1;
  // find_keys: range (keynum_index < 0) or keynum.
  int fk_last_key = 0;  // range: 0 = one key, -1 = to the end, -2 = all but last
  int fk_key_step = 1;
  int fk_limit = 0;
  int fk_keynum_index = -1;  // keynum: index of the count relative to begin_search
  int fk_first_key = 1;      // keynum: first key relative to begin_search
  // begin_search and find_keys both "unknown" (COMMAND INFO): the keys cannot be located from
  // the arguments (SORT's BY/GET patterns, its STORE anywhere among options). GetKeys skips
  // such a spec; the command's get_keys finds what can be found.
  bool unknown = false;
  std::string_view notes;  // COMMAND INFO "notes", when not empty
};

class Server;

struct CommandSpec {
  std::string name;  // lower-case; for a subcommand, "container|sub"
  int arity = 0;     // Redis convention: >0 exact, <0 at least -arity
  uint64_t flags = 0;
  uint64_t acl = 0;
  std::vector<KeySpec> key_specs;
  std::string_view group;    // "string", "generic", "server", "connection", ...
  std::string_view since;    // "1.0.0"
  std::string_view summary;  // one sentence, our own words
  std::string_view complexity;
  std::string_view syntax;             // argument grammar, see the top of this file
  std::vector<std::string_view> tips;  // "nondeterministic_output", "request_policy:all_shards"
  CommandHandler handler = nullptr;
  // Key finder for commands whose specs cannot locate every key (SORT): when set,
  // CommandTable::GetKeys calls it instead of reading the specs.
  using GetKeysFn = bool (*)(std::span<const std::string_view> args, std::vector<int>* keys,
                             std::vector<uint32_t>* key_flags);
  GetKeysFn get_keys = nullptr;
  // Flags that depend on the arguments (EVAL, EVALSHA, FCALL: a script declared no-writes is
  // neither a write nor may-replicate, so CLIENT PAUSE WRITE lets it run). When set, the
  // dispatcher uses it instead of `flags` for pause checks and transaction flags.
  using FlagsFn = uint64_t (*)(Server& server, const CommandSpec& cmd,
                               std::span<const std::string_view> args);
  FlagsFn runtime_flags = nullptr;
  std::vector<std::unique_ptr<CommandSpec>> subcommands;  // filled by AddSub
  const CommandSpec* parent = nullptr;
  // Dense id of the row (subcommands included), assigned by Add/AddSub: ACL command bitmaps
  // are indexed by it (server/acl.h).
  uint32_t acl_id = 0;

  // INFO commandstats counters (the only mutable part of a row).
  struct Stats {
    uint64_t calls = 0, usec = 0, rejected_calls = 0, failed_calls = 0;
  };
  mutable Stats stats;

  // Legacy (first, last, step) from the key specs, as COMMAND INFO reports them.
  void LegacyKeyRange(int* first, int* last, int* step) const;
  bool has(CmdFlag f) const { return flags & f; }
  // The name as shown in errors and COMMAND: "get", or "config|get".
  const std::string& full_name() const { return name; }
  // "config get" style name for messages about subcommands.
  std::string DisplayName() const;
};

// Builds and owns the table. Lookups are by lower-cased name.
class CommandTable {
 public:
  static CommandTable& Instance();

  // Adds a top-level command. Returns it so subcommands can be attached.
  CommandSpec* Add(CommandSpec spec);
  // Adds a subcommand row under `parent` (spec.name is just the subcommand name, e.g. "get").
  CommandSpec* AddSub(CommandSpec* parent, CommandSpec spec);

  // Case-insensitive lookup of a top-level command; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  // Case-insensitive lookup of a subcommand of `parent`; nullptr if unknown.
  const CommandSpec* FindSub(const CommandSpec* parent, std::string_view sub) const;
  // Resolves args[0] (and args[1] for container commands) to the row that handles them.
  const CommandSpec* Resolve(std::span<const std::string_view> args) const;
  // rename-command: the top-level command `name` is served as `new_name` from now on ("" removes
  // it). Its row keeps its own name, so COMMAND INFO/DOCS/LIST and error texts show the
  // original name, as in Redis. Returns false if `name` is not a command (now) or `new_name` is
  // taken; Config checks both when it reads the file.
  bool Rename(std::string_view name, std::string_view new_name);
  // False for a command removed by rename-command (COMMAND COUNT / LIST / INFO skip it).
  bool Listed(const CommandSpec& cmd) const { return !removed_.count(&cmd); }

  const std::vector<std::unique_ptr<CommandSpec>>& commands() const { return commands_; }
  // Number of acl_ids handed out (rows and subcommand rows).
  uint32_t acl_id_count() const { return next_acl_id_; }

  // Keys of a command invocation from its key specs: appends indexes into args.
  // Returns false if the arguments do not fit the specs (bad numkeys etc.).
  static bool GetKeys(const CommandSpec& cmd, std::span<const std::string_view> args,
                      std::vector<int>* key_indexes, std::vector<uint32_t>* key_flags = nullptr);

 private:
  CommandTable();
  // Case-insensitive hashing and equality, so a lookup needs no lower-cased copy of the name.
  struct NameHash {
    size_t operator()(std::string_view s) const;
  };
  struct NameEq {
    bool operator()(std::string_view a, std::string_view b) const;
  };
  std::vector<std::unique_ptr<CommandSpec>> commands_;
  std::deque<std::string> new_names_;               // rename-command targets (stable storage)
  std::unordered_set<const CommandSpec*> removed_;  // rename-command "" targets
  uint32_t next_acl_id_ = 0;
  std::unordered_map<std::string_view, CommandSpec*, NameHash, NameEq> by_name_;  // views of
                                                                                  // spec names
};

// Helpers for writing rows tersely in family files.
KeySpec KeyAt(int index, uint32_t flags);                         // one key at `index`
KeySpec KeyRange(int first, int last, int step, uint32_t flags);  // keys first..last (-1 = end)
KeySpec KeyNumKeys(int numkeys_index, uint32_t flags);            // "numkeys key [key ...]"

// A compact row for the common shape "COMMAND key ...": the family tables of collection
// commands list these positionally; ToSpec turns one into a full row (with other key specs
// where a command has several keys).
struct KeyedRow {
  const char* name;
  int arity;
  uint64_t flags;
  uint64_t acl;
  uint32_t key_flags;  // flags of the key at index 1
  std::string_view since;
  std::string_view summary;
  std::string_view complexity;
  std::string_view syntax;
  CommandHandler handler;
  std::string_view tip = {};

  CommandSpec ToSpec(std::string_view group, std::vector<KeySpec> keys) const;
};
// Adds rows whose only key is at index 1.
void AddKeyedRows(CommandTable& t, std::string_view group, std::span<const KeyedRow> rows);

// Family registration entry points, each defined in its family file.
void RegisterStringFamily(CommandTable& t);
void RegisterKeyFamily(CommandTable& t);
void RegisterConnectionFamily(CommandTable& t);
void RegisterServerFamily(CommandTable& t);
void RegisterConfigFamily(CommandTable& t);
void RegisterCommandFamily(CommandTable& t);
void RegisterClientFamily(CommandTable& t);
void RegisterScriptingFamily(CommandTable& t);
void RegisterFunctionFamily(CommandTable& t);
void RegisterHashFamily(CommandTable& t);
void RegisterSetFamily(CommandTable& t);
void RegisterListFamily(CommandTable& t);
void RegisterZSetFamily(CommandTable& t);
void RegisterBitopsFamily(CommandTable& t);
void RegisterHyperLogLogFamily(CommandTable& t);
void RegisterGeoFamily(CommandTable& t);
void RegisterSortFamily(CommandTable& t);
void RegisterMultiFamily(CommandTable& t);
void RegisterMemoryFamily(CommandTable& t);
void RegisterStreamFamily(CommandTable& t);
void RegisterStreamGroupFamily(CommandTable& t);
void RegisterPubSubFamily(CommandTable& t);
void RegisterTrackingFamily(CommandTable& t);
void RegisterDumpFamily(CommandTable& t);
void RegisterPersistenceFamily(CommandTable& t);
void RegisterAclFamily(CommandTable& t);

}  // namespace ember

namespace ember {
// The Redis version Ember reports (INFO redis_version, HELLO) so clients enable 7.2 features.
inline constexpr std::string_view kRedisCompatVersion = "7.2.4";
}  // namespace ember
