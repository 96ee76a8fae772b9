// Scripting: Lua scripts (EVAL, EVALSHA and their _RO forms, the SCRIPT commands) and
// functions (FUNCTION, FCALL), with Redis 7's semantics.
//
// Two interpreters (lua_vm.h): the EVAL one holds the script cache — compiled chunks keyed by
// the SHA-1 of their body, so EVALSHA and a repeated EVAL never parse again — and the function
// one holds the libraries (functions.h). A script runs atomically on the command thread.
// redis.call builds argument views straight from the Lua stack (numbers are formatted into a
// reused buffer), runs the command through Server::Call on the script client (a client without
// a connection, not listed in CLIENT LIST) and parses the RESP the command wrote back into Lua
// values. Checks before each command follow Redis's order: unknown command, arity, not allowed
// from scripts, writes from read-only scripts, OOM at the first write. Errors are counted once:
// by the command that failed, or by the script when it raises its own.
//
// Script cache bound: scripts that arrive through EVAL are kept in LRU order and the oldest is
// dropped beyond kMaxEvalScripts (scripts loaded with SCRIPT LOAD stay until SCRIPT FLUSH), so
// an application that generates a new script per call cannot grow the cache without bound.
//
// Busy scripts: a count hook runs every kHookInstructions Lua instructions. Once a script has
// run for busy-reply-threshold ms, the server processes events from inside the hook: other
// clients get -BUSY for everything except the commands flagged allow-busy (SCRIPT KILL,
// FUNCTION KILL, FUNCTION STATS, SHUTDOWN NOSAVE, ...), and the caller's connection is taken
// out of the event loop until the script ends. SCRIPT KILL / FUNCTION KILL stop a script that
// has not written; SHUTDOWN NOSAVE stops any (the hook aborts it and the loop exits).
//
// Ownership: the Server owns one Scripting (created on first use). Thread: command thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "scripting/lua_vm.h"

struct lua_Debug;

namespace ember {

class Client;
class CommandContext;
class FunctionLibraries;
class ReplyBuilder;
class Server;
struct CommandSpec;

// Script flags: shebang flags of EVAL scripts and register_function flags.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptAllowCrossSlot = 1 << 4,
  kScriptEvalCompat = 1 << 5,  // EVAL script without a shebang: Redis 6 rules
};
// Parses one flag name ("no-writes"); false if unknown.
bool ParseScriptFlag(std::string_view name, uint32_t* flag);
// The names of the flags set in `flags`, in Redis's order.
std::span<const std::pair<std::string_view, uint32_t>> ScriptFlagNames();

// The script (or function) running now.
struct ScriptRun {
  Client* caller = nullptr;
  std::span<const std::string_view> caller_args;  // the EVAL/FCALL request (FUNCTION STATS)
  std::string_view name;                          // SHA-1 or function name, for errors
  LuaVm* vm = nullptr;
  bool eval = true;
  bool read_only = false;  // no write commands (EVAL_RO, FCALL_RO, no-writes)
  bool allow_oom = false;  // flagged allow-oom or no-writes
  bool oom = false;        // used memory was over maxmemory when it started
  bool wrote = false;      // ran a write command (then it cannot be killed)
  bool killed = false;
  bool timed_out = false;  // past busy-reply-threshold: the server answers -BUSY
  int resp = 2;            // redis.setresp
  int64_t start_us = 0;
};

class Scripting {
 public:
  static constexpr int kHookInstructions = 100000;
  static constexpr size_t kMaxEvalScripts = 500;
  static constexpr int64_t kFunctionLoadTimeoutMs = 500;

  explicit Scripting(Server* server);
  ~Scripting();

  Server& server() { return *server_; }

  // --- EVAL family ---
  // EVAL / EVALSHA / EVAL_RO / EVALSHA_RO: runs the script and replies.
  void Eval(CommandContext& ctx, bool by_sha, bool read_only);
  // SCRIPT LOAD: compiles and caches `body`; returns "" and sets *sha, or the error text.
  std::string LoadScript(std::string_view body, std::string* sha);
  bool ScriptExists(std::string_view sha) const;
  // SCRIPT FLUSH: forgets every script and starts a fresh interpreter. With `async` and more
  // than LazyFreer::kEffortThreshold scripts the old interpreter is closed on the lazy-free
  // thread (server/lazyfree.h), as Redis frees a big script cache.
  void FlushScripts(bool async = false);

  // --- functions ---
  FunctionLibraries& libraries() { return *libraries_; }
  // FCALL / FCALL_RO: runs the function and replies.
  void FCall(CommandContext& ctx, bool read_only);

  // CommandSpec::runtime_flags of EVAL, EVALSHA and FCALL: the row's flags without write and
  // may-replicate when the script (shebang) or function declares no-writes.
  uint64_t CommandFlags(const CommandSpec& cmd, std::span<const std::string_view> args);

  // --- running scripts ---
  const ScriptRun* running() const { return run_; }
  // The ACL check of a command a script calls, for the caller's user: "" or the error reply
  // (the denial is logged in ACL LOG with context "lua").
  std::string CheckAcl(const CommandSpec& cmd, std::span<const std::string_view> argv);
  // SCRIPT KILL (eval) / FUNCTION KILL: replies OK, NOTBUSY, UNKILLABLE or BUSY.
  void Kill(CommandContext& ctx, bool eval);
  // The dispatcher's check while a script is busy: "" if `cmd` may run, else the error.
  std::string_view BusyReject(const CommandSpec& cmd, std::span<const std::string_view> args) const;
  // redis.call / redis.pcall: runs vm.argv for the running script; pushes the reply converted
  // to Lua, or an error object. Returns false if that object is an error.
  bool CallCommand(lua_State* L);
  // redis.setresp.
  void set_script_resp(int resp) {
    if (run_) run_->resp = resp;
  }
  // Called by the count hook.
  void OnHook(lua_State* L);

  // --- INFO ---
  size_t eval_vm_memory() const { return eval_vm_ ? eval_vm_->MemoryBytes() : 0; }
  size_t functions_vm_memory() const;
  size_t cached_scripts() const { return scripts_.size(); }
  size_t scripts_memory() const { return scripts_bytes_; }
  uint64_t evicted_scripts() const { return evicted_scripts_; }

 private:
  struct CachedScript {
    int ref;
    uint32_t flags;
    size_t body_size;
    bool from_eval;
    std::list<std::string>::iterator lru;  // valid when from_eval
  };
  // Transparent string hash: lookups by string_view copy nothing.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using ScriptMap = std::unordered_map<std::string, CachedScript, Hash, std::equal_to<>>;

  // Compiles and caches; returns the entry or nullptr with *err set.
  CachedScript* CreateScript(std::string_view body, std::string_view sha, bool from_eval,
                             std::string* err);
  void EvictOldestEvalScript();
  // Checks the script may start (flags, OOM, _RO) and runs it; replies.
  void Run(CommandContext& ctx, LuaVm& vm, int ref, uint32_t flags, std::string_view name,
           bool eval, bool ro_command, size_t numkeys);
  void ReplyScriptError(ReplyBuilder& rb, const ScriptRun& run, bool* uncounted);
  // Busy handling.
  void EnterBusy(ScriptRun& run);
  void LeaveBusy(ScriptRun& run);
  // The checks redis.call makes before running a command; "" or the error text.
  std::string_view CheckCommand(const CommandSpec* cmd, size_t argc);

  Server* server_;
  std::unique_ptr<LuaVm> eval_vm_;
  std::unique_ptr<FunctionLibraries> libraries_;
  std::unique_ptr<Client> client_;  // the script client
  ScriptMap scripts_;
  std::list<std::string> eval_lru_;  // SHA-1 of EVAL-created scripts, oldest first
  size_t scripts_bytes_ = 0;
  uint64_t evicted_scripts_ = 0;
  ScriptRun* run_ = nullptr;
  // FUNCTION LOAD time limit (the hook checks it while a library registers).
  int64_t load_deadline_us_ = 0;
  friend class FunctionLibraries;
};

// The count hook installed on every VM.
void ScriptingLuaHook(lua_State* L, lua_Debug* ar);

// INFO lines: the memory section's script fields (used_memory_lua, used_memory_scripts_eval,
// number_of_cached_scripts, number_of_functions, ...) and the stats section's
// evicted_scripts. Zeros while no script or function was ever used.
void AppendScriptingMemoryInfo(Server& server, std::string* out);
void AppendScriptingStatsInfo(Server& server, std::string* out);

}  // namespace ember
