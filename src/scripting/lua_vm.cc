// LuaVm: interpreter setup (libraries, sandbox, globals), compiling, the registry of compiled
// functions and calls under Redis's error handler.
#include "scripting/lua_vm.h"

#include <cstdlib>
#include <cstring>

extern "C" {
#include <lua5.1/lua-bitop.h>
#include <lua5.1/lua-cjson.h>
#include <lua5.1/lualib.h>
}

#include "scripting/scripting.h"

namespace ember {
namespace {

constexpr int kGcPeriod = 50;  // calls between explicit incremental GC steps, as Redis

void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  (void)ud, (void)osize;
  if (nsize == 0) {
    free(ptr);
    return nullptr;
  }
  return realloc(ptr, nsize);
}

// Error handler: gives every error Redis's shape {err=..., source=..., line=...}. The
// position is the Lua code's: when the error came from a C function (error(), redis.call,
// a guard metamethod) the frame above it.
int ErrorHandler(lua_State* L) {
  lua_Debug ar;
  bool have = false;
  if (lua_getstack(L, 1, &ar)) {
    lua_getinfo(L, "nSl", &ar);
    have = true;
    if (strcmp(ar.what, "C") == 0) {
      have = lua_getstack(L, 2, &ar) != 0;
      if (have) lua_getinfo(L, "nSl", &ar);
    }
  }
  if (!lua_istable(L, 1)) {
    const char* msg = lua_isstring(L, 1)    ? lua_tostring(L, 1)
                      : lua_isnil(L, 1)     ? "nil"
                      : lua_isboolean(L, 1) ? (lua_toboolean(L, 1) ? "true" : "false")
                                            : luaL_typename(L, 1);
    lua_newtable(L);
    lua_pushfstring(L, "ERR %s", msg);
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
  }
  if (have) {
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushinteger(L, ar.currentline);
    lua_setfield(L, 1, "line");
  }
  lua_settop(L, 1);
  return 1;
}

struct Library {
  const char* name;
  lua_CFunction open;
  bool global;  // the opener sets the global itself
};

}  // namespace

LuaVm::LuaVm(Scripting* owner, Kind kind) : owner_(owner), kind_(kind) {
  L_ = lua_newstate(Alloc, this);
  OpenLibraries();
  BuildGlobals();
  lua_pushcfunction(L_, ErrorHandler);
  errh_ref_ = Ref();
  lua_sethook(L_, ScriptingLuaHook, LUA_MASKCOUNT, Scripting::kHookInstructions);
}

LuaVm::~LuaVm() {
  if (L_) lua_close(L_);
}

void LuaVm::OpenLibraries() {
  static const Library kLibs[] = {
      {"", luaopen_base, true},
      {LUA_TABLIBNAME, luaopen_table, true},
      {LUA_STRLIBNAME, luaopen_string, true},
      {LUA_MATHLIBNAME, luaopen_math, true},
      {"cjson", luaopen_cjson, false},
      {"bit", luaopen_bit, false},
      {"cmsgpack", LuaOpenCmsgpack, false},
      {"struct", LuaOpenStruct, false},
  };
  for (const Library& lib : kLibs) {
    lua_pushcfunction(L_, lib.open);
    lua_pushstring(L_, lib.name);
    lua_call(L_, 1, 1);
    if (!lib.global && lua_istable(L_, -1)) {
      lua_setglobal(L_, lib.name);
    } else {
      lua_pop(L_, 1);
    }
  }
}

// Globals: the real table (libraries behind proxies, the redis API) guarded against reads of
// undefined names, reached through the read-only proxy that becomes the thread's globals.
void LuaVm::BuildGlobals() {
  lua_pushvalue(L_, LUA_GLOBALSINDEX);  // real globals, run-time API
  int real = lua_gettop(L_);
  LuaInstallSandbox(L_);
  for (const char* name :
       {"string", "math", "table", "cjson", "bit", "cmsgpack", "struct", "coroutine"}) {
    lua_getfield(L_, real, name);
    if (lua_istable(L_, -1)) {
      LuaPushProtected(L_, -1);
      lua_setfield(L_, real, name);
    }
    lua_pop(L_, 1);
  }
  LuaPushRedisApi(L_, /*full=*/true);
  LuaPushProtected(L_, -1);
  lua_setfield(L_, real, "redis");
  lua_pop(L_, 1);

  // The globals proxy, installed as _G and as the thread's global table. Its metatable is
  // kept: the function VM switches its __index between the two API sets.
  LuaPushProtected(L_, real);
  int proxy = lua_gettop(L_);
  lua_getmetatable(L_, proxy);
  globals_meta_ref_ = Ref();
  lua_pushvalue(L_, proxy);
  lua_setfield(L_, real, "_G");
  lua_pushvalue(L_, real);
  LuaSetNonexistentGlobalError(L_);
  lua_pop(L_, 1);
  lua_pushvalue(L_, real);
  run_globals_ref_ = Ref();

  if (kind_ == Kind::kFunction) {
    // Registration-time globals: only `redis` with the registration API.
    lua_newtable(L_);
    LuaPushRedisApi(L_, /*full=*/false);
    LuaSetNonexistentGlobalError(L_);
    LuaPushProtected(L_, -1);
    lua_setfield(L_, -3, "redis");
    lua_pop(L_, 1);
    LuaSetNonexistentGlobalError(L_);
    load_globals_ref_ = Ref();
  }
  lua_pushvalue(L_, proxy);
  lua_replace(L_, LUA_GLOBALSINDEX);
  LuaProtectStringMetatable(L_);
  lua_settop(L_, 0);
}

void LuaVm::SetLoadPhase(bool loading) {
  lua_rawgeti(L_, LUA_REGISTRYINDEX, globals_meta_ref_);
  lua_rawgeti(L_, LUA_REGISTRYINDEX, loading ? load_globals_ref_ : run_globals_ref_);
  lua_setfield(L_, -2, "__index");
  lua_pop(L_, 1);
}

bool LuaVm::Compile(std::string_view code, const char* chunkname, std::string* err) {
  if (luaL_loadbuffer(L_, code.data(), code.size(), chunkname) != 0) {
    size_t len = 0;
    const char* msg = lua_tolstring(L_, -1, &len);
    err->assign(msg ? msg : "unknown error", msg ? len : 13);
    lua_pop(L_, 1);
    return false;
  }
  return true;
}

namespace {
void PushStringArray(lua_State* L, std::span<const std::string_view> items) {
  lua_createtable(L, int(items.size()), 0);
  for (size_t i = 0; i < items.size(); i++) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, int(i + 1));
  }
}
}  // namespace

bool LuaVm::Call(int ref, std::span<const std::string_view> keys,
                 std::span<const std::string_view> args) {
  lua_rawgeti(L_, LUA_REGISTRYINDEX, errh_ref_);
  int errh = lua_gettop(L_);
  lua_rawgeti(L_, LUA_REGISTRYINDEX, ref);
  int nargs = 0;
  if (kind_ == Kind::kEval) {
    lua_rawgeti(L_, LUA_REGISTRYINDEX, run_globals_ref_);
    PushStringArray(L_, keys);
    lua_setfield(L_, -2, "KEYS");
    PushStringArray(L_, args);
    lua_setfield(L_, -2, "ARGV");
    lua_pop(L_, 1);
  } else {
    PushStringArray(L_, keys);
    PushStringArray(L_, args);
    nargs = 2;
  }
  bool ok = lua_pcall(L_, nargs, 1, errh) == 0;
  lua_remove(L_, errh);
  if (++calls_ >= kGcPeriod) {
    calls_ = 0;
    lua_gc(L_, LUA_GCSTEP, kGcPeriod);
  }
  return ok;
}

size_t LuaVm::MemoryBytes() const {
  return size_t(lua_gc(L_, LUA_GCCOUNT, 0)) * 1024 + size_t(lua_gc(L_, LUA_GCCOUNTB, 0));
}

}  // namespace ember
