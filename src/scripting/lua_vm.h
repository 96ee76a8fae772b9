// LuaVm: one Lua 5.1 interpreter with Ember's sandbox — the libraries scripts expect (base,
// table, string, math, cjson, bit, cmsgpack, struct), the `redis` API, read-only globals and
// library tables, no file or process access, no bytecode loading — plus the helpers to
// compile a chunk, keep compiled functions in the registry and call one under the error
// handler that gives errors Redis's shape ({err=..., source=..., line=...}).
//
// Two VMs exist, as in Redis: one for EVAL scripts (the script cache) and one for FUNCTION
// libraries. The function VM switches what its globals show: while a library registers
// (FUNCTION LOAD) only `redis.register_function`, `redis.log` and the version fields; while a
// function runs, the full API.
//
// How the sandbox protects tables. Debian's Lua has no read-only tables, so every protected
// table (globals, redis, string, math, table, cjson, bit, cmsgpack, struct, coroutine) is
// reached through an empty proxy whose metatable forwards reads to the real table and turns
// every write into "Attempt to modify a readonly table"; the thread's global table is the
// globals proxy, so chunks made by loadstring are sandboxed too. rawset, setmetatable and pairs
// are wrapped so that they can neither write through a proxy nor miss what it shows. Reading
// an undefined global raises "Script attempted to access nonexistent global variable".
//
// Ownership: Scripting owns its VMs. Thread: command thread only.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
#include <lua5.1/lauxlib.h>
#include <lua5.1/lua.h>
}

namespace ember {

class Scripting;

class LuaVm {
 public:
  enum class Kind { kEval, kFunction };

  LuaVm(Scripting* owner, Kind kind);
  ~LuaVm();
  LuaVm(const LuaVm&) = delete;
  LuaVm& operator=(const LuaVm&) = delete;

  // The VM a lua_State (or one of its coroutines) belongs to.
  static LuaVm& Of(lua_State* L) {
    void* ud = nullptr;
    lua_getallocf(L, &ud);
    return *static_cast<LuaVm*>(ud);
  }

  lua_State* state() const { return L_; }
  Scripting& owner() const { return *owner_; }
  Kind kind() const { return kind_; }

  // Compiles `code` as a chunk named `chunkname` ("@user_script") running in the sandbox. On
  // success the function is left on the stack; otherwise *err is Lua's message.
  bool Compile(std::string_view code, const char* chunkname, std::string* err);
  // Pops the value on top of the stack into the registry; returns its reference.
  int Ref() { return luaL_ref(L_, LUA_REGISTRYINDEX); }
  void Unref(int ref) { luaL_unref(L_, LUA_REGISTRYINDEX, ref); }

  // Calls the function `ref` under the error handler. EVAL: keys and args become the KEYS and
  // ARGV globals; functions: they are the two arguments. Leaves exactly one value on the
  // stack: the result, or the error object when it returns false.
  bool Call(int ref, std::span<const std::string_view> keys,
            std::span<const std::string_view> args);

  // Function VM: show the registration API (true) or the run-time API (false) to globals.
  void SetLoadPhase(bool loading);

  // Bytes the interpreter holds (INFO used_memory_lua / used_memory_vm_functions).
  size_t MemoryBytes() const;

  // Scratch reused by every redis.call: argument views and the digits of numeric arguments.
  std::vector<std::string_view> argv;
  std::string numbuf;

 private:
  void OpenLibraries();
  void BuildGlobals();

  lua_State* L_ = nullptr;
  Scripting* owner_;
  Kind kind_;
  int run_globals_ref_ = LUA_NOREF;   // real globals table of the run-time API
  int load_globals_ref_ = LUA_NOREF;  // function VM: real globals during registration
  int globals_meta_ref_ = LUA_NOREF;  // metatable of the globals proxy (its __index switches)
  int errh_ref_ = LUA_NOREF;          // the error handler
  int calls_ = 0;                     // for the periodic GC step
};

// --- shared by the lua_*.cc files ---

// Pushes Redis's error object {err = msg} ("ERR " is prefixed when msg has no "-CODE" form;
// see the rules in lua_redis_api.cc).
void LuaPushError(lua_State* L, std::string_view msg);
// Raises the value on top of the stack as an error (never returns).
[[noreturn]] void LuaRaise(lua_State* L);

// Sandbox (lua_sandbox.cc). Replaces the table at `idx` by its read-only proxy on the stack
// top (the real table stays referenced by the proxy).
void LuaPushProtected(lua_State* L, int idx);
// Installs the sandbox helpers (proxy registry, wrapped base functions) into the real globals
// table at the top of the stack.
void LuaInstallSandbox(lua_State* L);
// Sets the metatable that makes reading a missing key of the table at the top raise
// "Script attempted to access nonexistent global variable".
void LuaSetNonexistentGlobalError(lua_State* L);
// Protects the string metatable so that string methods cannot be rewritten.
void LuaProtectStringMetatable(lua_State* L);

// The `redis` table (lua_redis_api.cc): full = the run-time API, otherwise the registration API.
void LuaPushRedisApi(lua_State* L, bool full);

// Libraries written here (lua_cmsgpack.cc, lua_struct.cc).
int LuaOpenCmsgpack(lua_State* L);
int LuaOpenStruct(lua_State* L);

}  // namespace ember
