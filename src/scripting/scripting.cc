// Scripting: the EVAL script cache, running scripts and functions, redis.call, busy scripts
// and SCRIPT/FUNCTION KILL. See scripting.h.
#include "scripting/scripting.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "core/clock.h"
#include "persistence/persistence.h"
#include "scripting/functions.h"
#include "scripting/lua_convert.h"
#include "scripting/sha1.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/errors.h"
#include "server/info.h"
#include "server/lazyfree.h"
#include "server/log.h"
#include "server/server.h"

namespace ember {
namespace {

constexpr std::pair<std::string_view, uint32_t> kFlagNames[] = {
    {"no-writes", kScriptNoWrites},
    {"allow-oom", kScriptAllowOom},
    {"allow-stale", kScriptAllowStale},
    {"no-cluster", kScriptNoCluster},
    {"allow-cross-slot-keys", kScriptAllowCrossSlot},
};

// Parses an EVAL script's shebang line ("#!lua flags=no-writes,allow-oom"). Sets *flags and
// *len (the shebang's length, up to but excluding its newline). Returns "" or the error.
std::string ParseShebang(std::string_view body, uint32_t* flags, size_t* len) {
  *len = 0;
  if (!body.starts_with("#!")) {
    *flags = kScriptEvalCompat;
    return "";
  }
  size_t eol = body.find('\n');
  std::string_view line = body.substr(0, eol);
  *len = line.size();
  *flags = 0;
  std::string_view rest = line.substr(2);
  size_t sp = rest.find(' ');
  std::string_view engine = rest.substr(0, sp);
  if (engine != "lua") return "ERR Unexpected engine in script shebang: " + std::string(line);
  rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  while (!rest.empty()) {
    size_t end = rest.find(' ');
    std::string_view opt = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (opt.empty()) continue;
    if (!opt.starts_with("flags=")) return "ERR Unknown lua shebang option: " + std::string(opt);
    std::string_view list = opt.substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      uint32_t bit = 0;
      if (!ParseScriptFlag(name, &bit)) {
        return "ERR Unexpected flag in script shebang: " + std::string(name);
      }
      *flags |= bit;
    }
  }
  return "";
}

// numkeys of EVAL/FCALL at args[2]: "" or the error to reply.
std::string_view ParseNumKeys(std::span<const std::string_view> args, bool fcall, size_t* numkeys) {
  int64_t n;
  if (!ParseInt64(args[2], &n)) return fcall ? errors::kFunctionBadNumKeys : errors::kNotInteger;
  if (n > int64_t(args.size()) - 3) return errors::kNumkeysTooMany;
  if (n < 0) return errors::kNumKeysNegative;
  *numkeys = size_t(n);
  return "";
}

bool OverMaxmemory(const ServerConfig& cfg) {
  return cfg.maxmemory > 0 && UsedMemory() > uint64_t(cfg.maxmemory);
}

}  // namespace

bool ParseScriptFlag(std::string_view name, uint32_t* flag) {
  for (auto& [n, bit] : kFlagNames) {
    if (n == name) {
      *flag = bit;
      return true;
    }
  }
  return false;
}

std::span<const std::pair<std::string_view, uint32_t>> ScriptFlagNames() { return kFlagNames; }

void ScriptingLuaHook(lua_State* L, lua_Debug* ar) {
  (void)ar;
  LuaVm::Of(L).owner().OnHook(L);
}

Scripting::Scripting(Server* server)
    : server_(server),
      eval_vm_(std::make_unique<LuaVm>(this, LuaVm::Kind::kEval)),
      client_(server->CreateUnlistedClient()) {
  libraries_ = std::make_unique<FunctionLibraries>(this);
}

Scripting::~Scripting() = default;

size_t Scripting::functions_vm_memory() const { return libraries_->vm_memory(); }

// --- the script cache ---

Scripting::CachedScript* Scripting::CreateScript(std::string_view body, std::string_view sha,
                                                 bool from_eval, std::string* err) {
  uint32_t flags = 0;
  size_t shebang = 0;
  *err = ParseShebang(body, &flags, &shebang);
  if (!err->empty()) return nullptr;
  if (!eval_vm_->Compile(body.substr(shebang), "@user_script", err)) {
    *err = "ERR Error compiling script (new function): " + *err;
    return nullptr;
  }
  CachedScript entry{eval_vm_->Ref(), flags, body.size(), from_eval, {}};
  if (from_eval) entry.lru = eval_lru_.insert(eval_lru_.end(), std::string(sha));
  auto [it, inserted] = scripts_.emplace(std::string(sha), entry);
  scripts_bytes_ += body.size() + sha.size() + sizeof(CachedScript);
  if (from_eval && eval_lru_.size() > kMaxEvalScripts) EvictOldestEvalScript();
  return &it->second;
}

void Scripting::EvictOldestEvalScript() {
  auto it = scripts_.find(eval_lru_.front());
  eval_lru_.pop_front();
  if (it == scripts_.end()) return;
  eval_vm_->Unref(it->second.ref);
  scripts_bytes_ -= it->second.body_size + it->first.size() + sizeof(CachedScript);
  scripts_.erase(it);
  evicted_scripts_++;
}

std::string Scripting::LoadScript(std::string_view body, std::string* sha) {
  char hex[40];
  Sha1Hex(body, hex);
  sha->assign(hex, 40);
  auto it = scripts_.find(*sha);
  if (it != scripts_.end()) {
    if (it->second.from_eval) {  // now loaded on purpose: no longer evictable
      eval_lru_.erase(it->second.lru);
      it->second.from_eval = false;
    }
    return "";
  }
  std::string err;
  CreateScript(body, *sha, /*from_eval=*/false, &err);
  return err;
}

bool Scripting::ScriptExists(std::string_view sha) const {
  if (sha.size() != 40) return false;
  char lower[40];
  for (size_t i = 0; i < 40; i++) lower[i] = char(tolower(static_cast<unsigned char>(sha[i])));
  return scripts_.find(std::string_view(lower, 40)) != scripts_.end();
}

void Scripting::FlushScripts(bool async) {
  size_t count = scripts_.size();
  scripts_.clear();
  eval_lru_.clear();
  scripts_bytes_ = 0;
  std::unique_ptr<LuaVm> old =
      std::exchange(eval_vm_, std::make_unique<LuaVm>(this, LuaVm::Kind::kEval));
  if (async && count > LazyFreer::kEffortThreshold) {
    // The cached chunks live only in the old interpreter, which nothing else references;
    // lua_close runs no script code (no userdata __gc can be made from a script).
    // (std::function needs a copyable callable, hence shared_ptr; moved, so the job holds
    // the only reference and the interpreter closes on the thread.)
    server_->lazyfree().SubmitJob(
        [vm = std::shared_ptr<LuaVm>(std::move(old))]() mutable { vm.reset(); }, count);
  }
}

// EVAL script numkeys [key ...] [arg ...] (and EVALSHA, EVAL_RO, EVALSHA_RO)
void Scripting::Eval(CommandContext& ctx, bool by_sha, bool read_only) {
  size_t numkeys = 0;
  std::string_view err = ParseNumKeys(ctx.args(), /*fcall=*/false, &numkeys);
  if (!err.empty()) return ctx.reply().Error(err);
  char sha[40];
  std::string_view body = ctx.arg(1);
  if (by_sha) {
    if (body.size() != 40) return ctx.reply().Error(errors::kNoScript);
    for (size_t i = 0; i < 40; i++) sha[i] = char(tolower(static_cast<unsigned char>(body[i])));
  } else {
    Sha1Hex(body, sha);
  }
  std::string_view key(sha, 40);
  auto it = scripts_.find(key);
  CachedScript* script;
  if (it != scripts_.end()) {
    script = &it->second;
    if (script->from_eval) eval_lru_.splice(eval_lru_.end(), eval_lru_, script->lru);
  } else {
    if (by_sha) return ctx.reply().Error(errors::kNoScript);
    std::string compile_err;
    script = CreateScript(body, key, /*from_eval=*/true, &compile_err);
    if (!script) return ctx.reply().Error(compile_err);
  }
  Run(ctx, *eval_vm_, script->ref, script->flags, key, /*eval=*/true, read_only, numkeys);
}

uint64_t Scripting::CommandFlags(const CommandSpec& cmd, std::span<const std::string_view> args) {
  if (args.size() < 2) return cmd.flags;
  uint32_t flags = kScriptEvalCompat;
  if (cmd.name == "fcall") {
    const ScriptFunction* fn = libraries_->Find(args[1]);
    if (fn) flags = fn->flags;
  } else if (cmd.name == "evalsha") {
    if (args[1].size() == 40) {
      char sha[40];
      for (size_t i = 0; i < 40; i++)
        sha[i] = char(tolower(static_cast<unsigned char>(args[1][i])));
      auto it = scripts_.find(std::string_view(sha, 40));
      if (it != scripts_.end()) flags = it->second.flags;
    }
  } else {
    size_t len;
    if (!ParseShebang(args[1], &flags, &len).empty()) flags = kScriptEvalCompat;
  }
  if (flags & kScriptEvalCompat) return cmd.flags;
  // A script with flags may grow memory unless it says allow-oom or no-writes: the
  // dispatcher's OOM check refuses it as a denyoom command, as Redis does.
  uint64_t out = cmd.flags;
  if (!(flags & (kScriptAllowOom | kScriptNoWrites))) out |= kCmdDenyOom;
  if (flags & kScriptNoWrites) out &= ~uint64_t(kCmdWrite | kCmdMayReplicate);
  return out;
}

// FCALL function numkeys [key ...] [arg ...] (and FCALL_RO)
void Scripting::FCall(CommandContext& ctx, bool read_only) {
  size_t numkeys = 0;
  std::string_view err = ParseNumKeys(ctx.args(), /*fcall=*/true, &numkeys);
  if (!err.empty()) return ctx.reply().Error(err);
  const ScriptFunction* fn = libraries_->Find(ctx.arg(1));
  if (!fn) return ctx.reply().Error(errors::kFunctionNotFound);
  Run(ctx, libraries_->vm(), fn->ref, fn->flags, fn->name, /*eval=*/false, read_only, numkeys);
}

// --- running ---

void Scripting::Run(CommandContext& ctx, LuaVm& vm, int ref, uint32_t flags, std::string_view name,
                    bool eval, bool ro_command, size_t numkeys) {
  bool oom = OverMaxmemory(ctx.cfg());
  bool compat = flags & kScriptEvalCompat;
  if (!compat) {
    if (!(flags & (kScriptAllowOom | kScriptNoWrites)) && oom) {
      return ctx.reply().Error(errors::kScriptOomFlag);
    }
    if (!(flags & kScriptNoWrites) && ro_command) {
      return ctx.reply().Error(errors::kScriptWriteFlagRo);
    }
  }
  ScriptRun run;
  run.caller = &ctx.client();
  run.caller_args = ctx.args();
  run.name = name;
  run.vm = &vm;
  run.eval = eval;
  run.read_only = ro_command || (flags & kScriptNoWrites);
  run.allow_oom = !compat && (flags & (kScriptAllowOom | kScriptNoWrites));
  run.oom = oom;
  run.start_us = SystemClock::MonotonicUs();
  client_->db_index = ctx.client().db_index;
  std::span<const std::string_view> args = ctx.args();
  run_ = &run;
  bool ok = vm.Call(ref, args.subspan(3, numkeys), args.subspan(3 + numkeys));
  run_ = nullptr;
  if (run.timed_out) LeaveBusy(run);
  lua_State* L = vm.state();
  if (run.killed) lua_sethook(L, ScriptingLuaHook, LUA_MASKCOUNT, kHookInstructions);
  bool uncounted = false;
  if (ok) {
    LuaToReply(L, ctx.reply(), run.resp, &uncounted);
  } else {
    ReplyScriptError(ctx.reply(), run, &uncounted);
  }
  if (uncounted) server_->MarkCallFailed();
  if (client_->obuf.capacity() > 64 * 1024) std::string().swap(client_->obuf);
}

// The error object on top of the stack (popped) as the script's reply: "<err> script: <name>,
// on <source>:<line>." when the position is known.
void Scripting::ReplyScriptError(ReplyBuilder& rb, const ScriptRun& run, bool* uncounted) {
  lua_State* L = run.vm->state();
  std::string msg;
  if (lua_istable(L, -1)) {
    lua_pushliteral(L, "err");
    lua_rawget(L, -2);
    size_t len = 0;
    const char* err = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : nullptr;
    msg = err ? std::string(err, len) : std::string("ERR unknown error");
    lua_pop(L, 1);
    lua_pushliteral(L, "source");
    lua_rawget(L, -2);
    lua_pushliteral(L, "line");
    lua_rawget(L, -3);
    if (lua_isstring(L, -2) && lua_isstring(L, -1)) {
      msg += " script: ";
      msg += run.name;
      msg += ", on ";
      msg += lua_tostring(L, -2);
      msg += ":";
      msg += lua_tostring(L, -1);
      msg += ".";
    }
    lua_pop(L, 2);
    lua_pushliteral(L, "ignore_error_stats_update");
    lua_rawget(L, -2);
    *uncounted = lua_toboolean(L, -1);
    lua_pop(L, 1);
  } else {
    const char* s = lua_tostring(L, -1);
    msg = "ERR Error running script (call to " + std::string(run.name) + "): @" +
          (s ? s : "unknown error");
  }
  lua_pop(L, 1);
  if (*uncounted) {
    ReplyUncountedError(rb, msg);
  } else {
    rb.Error(msg);
  }
}

// --- redis.call ---

std::string_view Scripting::CheckCommand(const CommandSpec* cmd, size_t argc) {
  if (!cmd) return errors::kScriptUnknownCommand;
  if ((cmd->arity > 0 && int(argc) != cmd->arity) || int(argc) < -cmd->arity) {
    return errors::kScriptWrongArity;
  }
  if (cmd->has(kCmdNoScript)) return errors::kScriptNotAllowed;
  // May-replicate commands (PUBLISH, PFCOUNT...) count as writes here, as in Redis.
  if ((cmd->flags & (kCmdWrite | kCmdMayReplicate)) && run_->read_only) {
    return errors::kScriptReadOnlyWrite;
  }
  if (!run_->allow_oom && run_->oom && !run_->wrote && cmd->has(kCmdDenyOom)) {
    return errors::kOom;
  }
  // A failed BGSAVE (stop-writes-on-bgsave-error) or AOF write refuses writes in scripts too.
  if (cmd->has(kCmdWrite)) {
    std::string_view refusal = server_->persistence().WriteRefusal();
    if (!refusal.empty()) return refusal;
  }
  return "";
}

std::string Scripting::CheckAcl(const CommandSpec& cmd, std::span<const std::string_view> argv) {
  Client& caller = *run_->caller;
  const CommandSpec* outer = CommandTable::Instance().Resolve(run_->caller_args);
  AclVerdict v;
  if (outer) {
    CommandContext info(*server_, caller, *outer, run_->caller_args);
    v = server_->acl().CheckAndLog(caller, cmd, argv, "lua", &info);
  } else {
    v = server_->acl().CheckAndLog(caller, cmd, argv, "lua");
  }
  if (v.ok()) return "";
  std::string_view object =
      v.denied == AclDenied::kCommand ? std::string_view(cmd.name) : argv[size_t(v.pos)];
  return errors::AclScriptDenied(AclDeniedMessage(*caller.user, cmd, v.denied, object));
}

bool Scripting::CallCommand(lua_State* L) {
  LuaVm& vm = LuaVm::Of(L);
  int argc = lua_gettop(L);
  vm.argv.clear();
  if (vm.numbuf.size() < size_t(argc) * 32) vm.numbuf.resize(size_t(argc) * 32);
  for (int i = 1; i <= argc; i++) {
    int t = lua_type(L, i);
    if (t == LUA_TSTRING) {
      size_t len;
      const char* s = lua_tolstring(L, i, &len);
      vm.argv.emplace_back(s, len);
    } else if (t == LUA_TNUMBER) {
      char* buf = vm.numbuf.data() + size_t(i - 1) * 32;
      double d = lua_tonumber(L, i);
      size_t n;
      if (d == std::floor(d) && std::fabs(d) < 1e15) {
        n = size_t(std::to_chars(buf, buf + 32, int64_t(d)).ptr - buf);
        if (n == 1 && buf[0] == '0' && std::signbit(d)) {  // -0.0 prints as "-0"
          buf[0] = '-';
          buf[1] = '0';
          n = 2;
        }
      } else {
        n = size_t(snprintf(buf, 32, "%.17g", d));
      }
      vm.argv.emplace_back(buf, n);
    } else {
      LuaPushError(L, "Lua redis lib command arguments must be strings or integers");
      return false;
    }
  }
  const CommandTable& table = CommandTable::Instance();
  std::span<const std::string_view> argv(vm.argv);
  const CommandSpec* cmd = table.Find(argv[0]);
  if (cmd && !cmd->subcommands.empty() && argv.size() >= 2) cmd = table.FindSub(cmd, argv[1]);
  Client& c = *client_;
  c.obuf.clear();
  c.reply().set_resp(run_->resp);
  std::string_view err = CheckCommand(cmd, argv.size());
  std::string acl_err;
  if (err.empty() && run_->caller && !run_->caller->user->unrestricted) {
    acl_err = CheckAcl(*cmd, argv);  // the caller's user, logged with context "lua"
    err = acl_err;
  }
  if (!err.empty()) {
    if (cmd) cmd->stats.rejected_calls++;
    c.reply().Error(err);  // counted here, like any rejected command
    server_->SettleCallErrors();
  } else {
    if (cmd->has(kCmdWrite)) run_->wrote = true;
    server_->Call(c, *cmd, argv);
  }
  size_t pos = 0;
  bool is_error = !c.obuf.empty() && c.obuf[0] == '-';
  if (!LuaPushResp(L, c.obuf, &pos)) {
    lua_settop(L, argc);
    LuaPushError(L, "Reply from the command could not be read");
    return false;
  }
  return !is_error;
}

// --- busy scripts and KILL ---

void Scripting::OnHook(lua_State* L) {
  if (!run_) {
    if (load_deadline_us_ && SystemClock::MonotonicUs() > load_deadline_us_) {
      LuaPushError(L, errors::kFunctionLoadTimeout);
      LuaRaise(L);
    }
    return;
  }
  if (!run_->timed_out && !run_->killed) {
    std::string threshold_text = server_->config().GetValue("busy-reply-threshold");
    int64_t threshold_ms = strtoll(threshold_text.c_str(), nullptr, 10);
    if (threshold_ms > 0 && SystemClock::MonotonicUs() - run_->start_us >= threshold_ms * 1000) {
      EnterBusy(*run_);
    }
  }
  if (run_->timed_out) server_->ProcessEventsWhileBusy();
  if (run_->killed || server_->shutting_down()) {
    run_->killed = true;
    // A line hook fires again at once, so a pcall cannot swallow the kill.
    lua_sethook(L, ScriptingLuaHook, LUA_MASKLINE, 0);
    LuaPushErrorReply(L, errors::kScriptKilled, /*counted=*/false);
    LuaRaise(L);
  }
}

void Scripting::EnterBusy(ScriptRun& run) {
  run.timed_out = true;
  server_->set_script_busy(true);
  Logf(LogLevel::kWarning,
       "Slow script detected: still in execution after %lld milliseconds. You can try killing "
       "the script using the %s command. Script name is: %.*s.",
       static_cast<long long>((SystemClock::MonotonicUs() - run.start_us) / 1000),
       run.eval ? "SCRIPT KILL" : "FUNCTION KILL", int(run.name.size()), run.name.data());
  // The caller's connection leaves the event loop: nothing may be read into its query buffer
  // while its request's arguments are in use.
  if (Connection* conn = run.caller->conn()) server_->loop().Remove(conn->fd());
}

void Scripting::LeaveBusy(ScriptRun& run) {
  server_->set_script_busy(false);
  Logf(LogLevel::kWarning, "Slow script finished in %lld milliseconds.",
       static_cast<long long>((SystemClock::MonotonicUs() - run.start_us) / 1000));
  Client* c = run.caller;
  if (Connection* conn = c->conn(); conn && !c->closing()) {
    uint32_t events = EventLoop::kReadable;
    if (c->flags & kClientWriteHandler) events |= EventLoop::kWritable;
    server_->loop().Add(conn->fd(), events, c);
  }
}

void Scripting::Kill(CommandContext& ctx, bool eval) {
  if (!run_) return ctx.reply().Error(errors::kNotBusy);
  if (run_->wrote) return ctx.reply().Error(errors::kUnkillable);
  if (eval && !run_->eval) return ctx.reply().Error(errors::kBusyFunction);
  if (!eval && run_->eval) return ctx.reply().Error(errors::kBusyScript);
  run_->killed = true;
  ctx.reply().Ok();
}

std::string_view Scripting::BusyReject(const CommandSpec& cmd,
                                       std::span<const std::string_view> args) const {
  if (!run_ || !run_->timed_out) return "";
  if (cmd.has(kCmdAllowBusy)) {
    if (cmd.name != "shutdown") return "";
    for (size_t i = 1; i < args.size(); i++)
      if (EqualsIgnoreCase(args[i], "NOSAVE")) return "";
  }
  return run_->eval ? errors::kBusyScript : errors::kBusyFunction;
}

void AppendScriptingMemoryInfo(Server& server, std::string* out) {
  Scripting* s = server.scripting_if_created();
  uint64_t eval_vm = s ? s->eval_vm_memory() : 0, fn_vm = s ? s->functions_vm_memory() : 0;
  uint64_t scripts = s ? s->scripts_memory() : 0;
  uint64_t fn_count = s ? s->libraries().function_count() : 0;
  uint64_t lib_count = s ? s->libraries().library_count() : 0;
  uint64_t fn_mem = fn_count * 128 + lib_count * 256;  // function and library records
  auto line = [out](const char* name, uint64_t v) {
    char buf[96];
    snprintf(buf, sizeof(buf), "%s:%llu\r\n", name, static_cast<unsigned long long>(v));
    out->append(buf);
  };
  auto human = [out](const char* name, uint64_t v) {
    out->append(name).append(":").append(BytesToHuman(v)).append("\r\n");
  };
  line("used_memory_lua", eval_vm);
  line("used_memory_vm_eval", eval_vm);
  human("used_memory_lua_human", eval_vm);
  line("used_memory_scripts_eval", scripts);
  line("number_of_cached_scripts", s ? s->cached_scripts() : 0);
  line("number_of_functions", fn_count);
  line("number_of_libraries", lib_count);
  line("used_memory_vm_functions", fn_vm);
  line("used_memory_vm_total", eval_vm + fn_vm);
  human("used_memory_vm_total_human", eval_vm + fn_vm);
  line("used_memory_functions", fn_mem);
  line("used_memory_scripts", scripts + fn_mem);
  human("used_memory_scripts_human", scripts + fn_mem);
}

void AppendScriptingStatsInfo(Server& server, std::string* out) {
  Scripting* s = server.scripting_if_created();
  char buf[64];
  snprintf(buf, sizeof(buf), "evicted_scripts:%llu\r\n",
           static_cast<unsigned long long>(s ? s->evicted_scripts() : 0));
  out->append(buf);
}

}  // namespace ember
