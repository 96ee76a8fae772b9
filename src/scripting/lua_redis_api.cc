// The `redis` table scripts see: call, pcall, error_reply, status_reply, sha1hex, log and
// its levels, setresp, set_repl and its constants, replicate_commands, breakpoint, debug,
// acl_check_cmd, REDIS_VERSION(_NUM); and, for libraries being loaded, register_function.
//
// Errors these functions raise are error objects ({err = "ERR ..."}), like Redis's, so the
// script's failure reply reads "ERR <msg> script: <name>, on @user_script:<line>.".
#include <string>

#include "scripting/functions.h"
#include "scripting/lua_vm.h"
#include "scripting/scripting.h"
#include "scripting/sha1.h"
#include "server/acl.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/log.h"

namespace ember {

// Error objects follow Redis's luaPushErrorBuff: "-CODE msg" keeps CODE, "-msg" without a
// space and plain "msg" get "ERR"; trailing CR/LF are trimmed.
void LuaPushError(lua_State* L, std::string_view msg) {
  std::string_view code = "ERR";
  if (!msg.empty() && msg[0] == '-') {
    msg.remove_prefix(1);
    size_t sp = msg.find(' ');
    if (sp != std::string_view::npos) {
      code = msg.substr(0, sp);
      msg.remove_prefix(sp + 1);
    }
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, code.data(), code.size());
  lua_pushliteral(L, " ");
  lua_pushlstring(L, msg.data(), msg.size());
  lua_concat(L, 3);
  lua_setfield(L, -2, "err");
}

void LuaRaise(lua_State* L) {
  lua_error(L);
  __builtin_unreachable();
}

namespace {

[[noreturn]] void RaiseError(lua_State* L, std::string_view msg) {
  LuaPushError(L, msg);
  LuaRaise(L);
}

int GenericCall(lua_State* L, bool raise) {
  Scripting& s = LuaVm::Of(L).owner();
  if (!s.running()) RaiseError(L, "redis.call/pcall can only be called inside a script invocation");
  if (lua_gettop(L) == 0) {
    LuaPushError(L, "Please specify at least one argument for this redis lib call");
    if (raise) LuaRaise(L);
    return 1;
  }
  if (!s.CallCommand(L) && raise) LuaRaise(L);
  return 1;
}

int Call(lua_State* L) { return GenericCall(L, true); }
int PCall(lua_State* L) { return GenericCall(L, false); }

// redis.error_reply(msg): {err = msg} with Redis's code rules.
int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    RaiseError(L, "wrong number or type of arguments");
  }
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  std::string_view msg(s, len);
  if (msg.empty() || msg[0] != '-') {
    lua_pushliteral(L, "-");
    lua_pushvalue(L, 1);
    lua_concat(L, 2);
    s = lua_tolstring(L, -1, &len);
    msg = std::string_view(s, len);
  }
  LuaPushError(L, msg);
  return 1;
}

// redis.status_reply(msg): {ok = msg}.
int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    RaiseError(L, "wrong number or type of arguments");
  }
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int Sha1HexFn(lua_State* L) {
  if (lua_gettop(L) != 1) RaiseError(L, "wrong number of arguments");
  size_t len;
  const char* s = lua_tolstring(L, 1, &len);
  char hex[40];
  Sha1Hex(std::string_view(s ? s : "", s ? len : 0), hex);
  lua_pushlstring(L, hex, 40);
  return 1;
}

int LogFn(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) RaiseError(L, "redis.log() requires two arguments or more.");
  if (!lua_isnumber(L, 1)) RaiseError(L, "First argument must be a number (log level).");
  int level = int(lua_tointeger(L, 1));
  if (level < 0 || level > 3) RaiseError(L, "Invalid debug level.");
  // Joined on the Lua stack, so an error in tostring cannot leak a C++ string.
  for (int i = 2; i <= argc; i++) {
    if (i > 2) lua_pushliteral(L, " ");
    size_t len;
    const char* s = lua_tolstring(L, i, &len);
    if (s) {
      lua_pushlstring(L, s, len);
    } else {
      lua_pushliteral(L, "");
    }
  }
  lua_concat(L, 2 * (argc - 1) - 1);
  size_t len;
  const char* text = lua_tolstring(L, -1, &len);
  Log(static_cast<LogLevel>(level), std::string_view(text, len));
  return 0;
}

int SetResp(lua_State* L) {
  Scripting& s = LuaVm::Of(L).owner();
  if (lua_gettop(L) != 1) RaiseError(L, "redis.setresp() requires one argument.");
  int resp = int(lua_tointeger(L, 1));
  if (resp != 2 && resp != 3) RaiseError(L, "RESP version must be 2 or 3.");
  s.set_script_resp(resp);
  return 0;
}

constexpr int kReplNone = 0, kReplAof = 1, kReplReplica = 2, kReplAll = 3;

// Replication is effects-based and there are no replicas yet: the flags are checked and kept
// by nobody.
int SetRepl(lua_State* L) {
  if (!LuaVm::Of(L).owner().running()) {
    RaiseError(L, "redis.set_repl can only be called inside a script invocation");
  }
  if (lua_gettop(L) != 1) RaiseError(L, "redis.set_repl() requires one argument.");
  int flags = int(lua_tointeger(L, 1));
  if ((flags & ~kReplAll) != 0) {
    RaiseError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  return 0;
}

int ReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int Breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);  // no debugging session
  return 1;
}

int Debug(lua_State* L) {
  (void)L;
  return 0;
}

// redis.acl_check_cmd(cmd, ...): whether the script's user may run the command with these
// arguments (keys and channels included); nothing is logged.
int AclCheckCmd(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc == 0) RaiseError(L, "Please specify at least one argument for this redis lib call");
  size_t len;
  const char* name = lua_tolstring(L, 1, &len);
  const CommandTable& table = CommandTable::Instance();
  const CommandSpec* cmd = name ? table.Find(std::string_view(name, len)) : nullptr;
  if (cmd && !cmd->subcommands.empty() && argc >= 2) {
    const char* sub = lua_tolstring(L, 2, &len);
    cmd = sub ? table.FindSub(cmd, std::string_view(sub, len)) : nullptr;
  }
  if (!cmd) RaiseError(L, "Invalid command passed to redis.acl_check_cmd()");
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
    RaiseError(L, "Wrong number of args calling Redis command from script");
  }
  const ScriptRun* run = LuaVm::Of(L).owner().running();
  bool allowed = true;
  if (run && run->caller && !run->caller->user->unrestricted) {
    std::vector<std::string> owned;
    for (int i = 1; i <= argc; i++) {
      size_t n;
      const char* s = lua_tolstring(L, i, &n);
      owned.emplace_back(s ? s : "", s ? n : 0);
    }
    std::vector<std::string_view> views(owned.begin(), owned.end());
    allowed = run->caller->user->Check(*cmd, views).ok();
  }
  lua_pushboolean(L, allowed);
  return 1;
}

int RegisterFunction(lua_State* L) { return LuaVm::Of(L).owner().libraries().RegisterFunction(L); }

void SetNumber(lua_State* L, const char* name, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

void SetFunction(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

void PushVersion(lua_State* L) {
  lua_pushlstring(L, kRedisCompatVersion.data(), kRedisCompatVersion.size());
  lua_setfield(L, -2, "REDIS_VERSION");
  int major = 0, minor = 0, patch = 0;
  sscanf(std::string(kRedisCompatVersion).c_str(), "%d.%d.%d", &major, &minor, &patch);
  SetNumber(L, "REDIS_VERSION_NUM", (major << 16) | (minor << 8) | patch);
}

void PushLogLevels(lua_State* L) {
  SetFunction(L, "log", LogFn);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
}

}  // namespace

void LuaPushRedisApi(lua_State* L, bool full) {
  lua_newtable(L);
  PushLogLevels(L);
  PushVersion(L);
  if (!full) {
    SetFunction(L, "register_function", RegisterFunction);
    return;
  }
  SetFunction(L, "call", Call);
  SetFunction(L, "pcall", PCall);
  SetFunction(L, "error_reply", ErrorReply);
  SetFunction(L, "status_reply", StatusReply);
  SetFunction(L, "sha1hex", Sha1HexFn);
  SetFunction(L, "setresp", SetResp);
  SetFunction(L, "set_repl", SetRepl);
  SetFunction(L, "replicate_commands", ReplicateCommands);
  SetFunction(L, "breakpoint", Breakpoint);
  SetFunction(L, "debug", Debug);
  SetFunction(L, "acl_check_cmd", AclCheckCmd);
  SetNumber(L, "REPL_NONE", kReplNone);
  SetNumber(L, "REPL_AOF", kReplAof);
  SetNumber(L, "REPL_SLAVE", kReplReplica);
  SetNumber(L, "REPL_REPLICA", kReplReplica);
  SetNumber(L, "REPL_ALL", kReplAll);
}

}  // namespace ember
