// The sandbox's building blocks: read-only proxies for protected tables, the error raised by
// reading an undefined global, and the base functions that must not see past (or write
// through) a proxy or load bytecode. See lua_vm.h for the design.
#include <cstring>

#include "scripting/lua_vm.h"

namespace ember {
namespace {

// Registry keys (addresses of these statics are unique light userdata).
char kProxiesKey;   // weak-keyed table: proxy -> real table
char kSentinelKey;  // what getmetatable returns for a protected table

int ReadOnlyError(lua_State* L) { return luaL_error(L, "Attempt to modify a readonly table"); }

// The same error from a wrapped C function: no position, as Lua reports errors of C code.
int ReadOnlyErrorNoPosition(lua_State* L) {
  lua_pushliteral(L, "Attempt to modify a readonly table");
  return lua_error(L);
}

int NonexistentGlobal(lua_State* L) {
  if (lua_gettop(L) != 2) return luaL_error(L, "Wrong number of arguments to the globals guard");
  if (!lua_isstring(L, 2)) {
    return luaL_error(L, "Script attempted to access a nonexistent global variable");
  }
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    lua_tostring(L, 2));
}

// Pushes the real table behind the proxy at `idx`, or nothing and returns false.
bool PushReal(lua_State* L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE) return false;
  lua_pushlightuserdata(L, &kProxiesKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  lua_remove(L, -2);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return false;
  }
  return true;
}

bool IsProtected(lua_State* L, int idx) {
  if (PushReal(L, idx)) {
    lua_pop(L, 1);
    return true;
  }
  lua_pushlightuserdata(L, &kSentinelKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  bool sentinel = lua_rawequal(L, idx, -1);
  lua_pop(L, 1);
  return sentinel;
}

// pairs(t): iterates the real table behind a proxy.
int Pairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));  // next
  if (!PushReal(L, 1)) lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

// rawget(t, k): reads the real table behind a proxy.
int RawGet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  if (PushReal(L, 1)) lua_replace(L, 1);
  lua_settop(L, 2);
  lua_rawget(L, 1);
  return 1;
}

// rawset(t, k, v): refused on protected tables.
int RawSet(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (IsProtected(L, 1)) return ReadOnlyErrorNoPosition(L);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// setmetatable(t, mt): refused on protected tables; otherwise the original.
int SetMetatable(lua_State* L) {
  if (IsProtected(L, 1)) return ReadOnlyErrorNoPosition(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

bool IsBinaryChunk(const char* s, size_t len) { return len > 0 && s[0] == LUA_SIGNATURE[0]; }

// loadstring(s [, chunkname]): text only; binary chunks give nil as if they failed to load.
int LoadString(lua_State* L) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, s);
  if (IsBinaryChunk(s, len)) {
    lua_pushnil(L);
    lua_pushliteral(L, "loading binary chunks is not allowed");
    return 2;
  }
  if (luaL_loadbuffer(L, s, len, name) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

// load(func [, chunkname]): the pieces are joined first, then loaded like loadstring.
int Load(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  lua_settop(L, 2);
  lua_pushliteral(L, "");  // accumulated text at index 3
  for (;;) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
    if (lua_objlen(L, -1) == 0) {
      lua_pop(L, 1);
      break;
    }
    lua_concat(L, 2);
  }
  size_t len;
  const char* s = lua_tolstring(L, 3, &len);
  if (IsBinaryChunk(s, len)) {
    lua_pushnil(L);
    lua_pushliteral(L, "loading binary chunks is not allowed");
    return 2;
  }
  if (luaL_loadbuffer(L, s, len, name) == 0) return 1;
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

// pcall(f, ...): as Lua's, but an error object with an `err` field comes back as that string,
// the way Redis 7 hands redis.call errors to scripts that catch them.
int PCall(lua_State* L) {
  luaL_checkany(L, 1);
  int argc = lua_gettop(L);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  if (lua_pcall(L, argc - 1, LUA_MULTRET, 0) != 0) {
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_replace(L, 1);
    lua_settop(L, 2);
    return 2;
  }
  return lua_gettop(L);
}

void SetField(lua_State* L, const char* name, lua_CFunction fn, int upvalues = 0) {
  lua_pushcclosure(L, fn, upvalues);
  lua_setfield(L, -2, name);
}

}  // namespace

void LuaPushProtected(lua_State* L, int idx) {
  if (idx < 0 && idx > LUA_REGISTRYINDEX) idx = lua_gettop(L) + idx + 1;
  lua_newtable(L);  // the proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadOnlyError);
  lua_setfield(L, -2, "__newindex");
  lua_pushlightuserdata(L, &kSentinelKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pushlightuserdata(L, &kProxiesKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, idx);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

void LuaSetNonexistentGlobalError(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
}

void LuaInstallSandbox(lua_State* L) {
  // Weak-keyed proxy registry and the sentinel metatable.
  lua_pushlightuserdata(L, &kProxiesKey);
  lua_newtable(L);
  lua_newtable(L);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &kSentinelKey);
  lua_newtable(L);
  lua_newtable(L);
  lua_pushcfunction(L, ReadOnlyError);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);

  // Base functions that must not open a way out.
  for (const char* name : {"dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy",
                           "module", "require", "package", "io", "os", "debug"}) {
    lua_pushnil(L);
    lua_setfield(L, -2, name);
  }
  lua_getfield(L, -1, "next");
  SetField(L, "pairs", Pairs, 1);
  SetField(L, "rawget", RawGet);
  SetField(L, "rawset", RawSet);
  lua_getfield(L, -1, "setmetatable");
  SetField(L, "setmetatable", SetMetatable, 1);
  SetField(L, "loadstring", LoadString);
  SetField(L, "load", Load);
  SetField(L, "pcall", PCall);
}

void LuaProtectStringMetatable(lua_State* L) {
  lua_pushliteral(L, "");
  if (!lua_getmetatable(L, -1)) {
    lua_pop(L, 1);
    return;
  }
  // __index -> the protected `string` table; getmetatable("") gives a read-only view.
  lua_getglobal(L, "string");
  lua_setfield(L, -2, "__index");
  LuaPushProtected(L, -1);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);
}

}  // namespace ember
