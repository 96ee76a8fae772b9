// Reply <-> Lua conversions (rules in lua_convert.h).
#include "scripting/lua_convert.h"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" {
#include <lua5.1/lauxlib.h>
#include <lua5.1/lua.h>
}

namespace ember {
namespace {

// Reads a CRLF-terminated line at *pos (after the type byte). False if incomplete.
bool Line(std::string_view s, size_t* pos, std::string_view* out) {
  size_t eol = s.find("\r\n", *pos);
  if (eol == std::string_view::npos) return false;
  *out = s.substr(*pos, eol - *pos);
  *pos = eol + 2;
  return true;
}

bool LineInt(std::string_view s, size_t* pos, int64_t* v) {
  std::string_view line;
  if (!Line(s, pos, &line)) return false;
  auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), *v);
  return ec == std::errc() && p == line.data() + line.size();
}

bool Bulk(std::string_view s, size_t* pos, int64_t len, std::string_view* out) {
  if (len < 0 || *pos + size_t(len) + 2 > s.size()) return false;
  *out = s.substr(*pos, size_t(len));
  *pos += size_t(len) + 2;
  return true;
}

void PushTaggedString(lua_State* L, const char* field, std::string_view v) {
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, v.data(), v.size());
  lua_setfield(L, -2, field);
}

bool PushAggregate(lua_State* L, std::string_view s, size_t* pos, char type, int64_t n) {
  if (n < 0) {  // RESP2 null array
    lua_pushboolean(L, 0);
    return true;
  }
  if (!lua_checkstack(L, 5)) return false;
  if (type == '%' || type == '~') lua_createtable(L, 0, 1);
  lua_createtable(L, type == '*' || type == '>' ? int(n) : 0, type == '%' ? int(n) : 0);
  for (int64_t i = 0; i < n; i++) {
    if (type == '%') {
      if (!LuaPushResp(L, s, pos)) return false;
      if (!LuaPushResp(L, s, pos)) return false;
      lua_settable(L, -3);
    } else if (type == '~') {
      if (!LuaPushResp(L, s, pos)) return false;
      lua_pushboolean(L, 1);
      lua_settable(L, -3);
    } else {
      if (!LuaPushResp(L, s, pos)) return false;
      lua_rawseti(L, -2, int(i + 1));
    }
  }
  if (type == '%') lua_setfield(L, -2, "map");
  if (type == '~') lua_setfield(L, -2, "set");
  return true;
}

}  // namespace

void LuaPushErrorReply(lua_State* L, std::string_view text, bool counted) {
  std::string_view code = "ERR", msg = text;
  size_t sp = text.find(' ');
  if (sp != std::string_view::npos) {
    code = text.substr(0, sp);
    msg = text.substr(sp + 1);
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.remove_suffix(1);
  lua_createtable(L, 0, 2);
  lua_pushlstring(L, code.data(), code.size());
  lua_pushliteral(L, " ");
  lua_pushlstring(L, msg.data(), msg.size());
  lua_concat(L, 3);
  lua_setfield(L, -2, "err");
  if (counted) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "ignore_error_stats_update");
  }
}

bool LuaPushResp(lua_State* L, std::string_view s, size_t* pos) {
  if (*pos >= s.size()) return false;
  char type = s[(*pos)++];
  std::string_view line;
  int64_t n;
  switch (type) {
    case ':':
      if (!LineInt(s, pos, &n)) return false;
      lua_pushnumber(L, lua_Number(n));
      return true;
    case '$':
    case '=': {
      if (!LineInt(s, pos, &n)) return false;
      if (n < 0) {
        lua_pushboolean(L, 0);
        return true;
      }
      std::string_view v;
      if (!Bulk(s, pos, n, &v)) return false;
      if (type == '$') {
        lua_pushlstring(L, v.data(), v.size());
        return true;
      }
      std::string_view fmt = v.substr(0, 3), body = v.size() >= 4 ? v.substr(4) : "";
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, 2);
      lua_pushlstring(L, fmt.data(), fmt.size());
      lua_setfield(L, -2, "format");
      lua_pushlstring(L, body.data(), body.size());
      lua_setfield(L, -2, "string");
      lua_setfield(L, -2, "verbatim_string");
      return true;
    }
    case '+':
      if (!Line(s, pos, &line)) return false;
      PushTaggedString(L, "ok", line);
      return true;
    case '-':
      if (!Line(s, pos, &line)) return false;
      LuaPushErrorReply(L, line, /*counted=*/true);
      return true;
    case '_':
      if (!Line(s, pos, &line)) return false;
      lua_pushnil(L);
      return true;
    case '#':
      if (!Line(s, pos, &line)) return false;
      lua_pushboolean(L, line == "t");
      return true;
    case ',': {
      if (!Line(s, pos, &line)) return false;
      std::string tmp(line);
      lua_createtable(L, 0, 1);
      lua_pushnumber(L, strtod(tmp.c_str(), nullptr));
      lua_setfield(L, -2, "double");
      return true;
    }
    case '(':
      if (!Line(s, pos, &line)) return false;
      PushTaggedString(L, "big_number", line);
      return true;
    case '*':
    case '~':
    case '%':
    case '>':
      if (!LineInt(s, pos, &n)) return false;
      return PushAggregate(L, s, pos, type, n);
    case '|': {  // attribute: parsed and dropped, then the real value follows
      if (!LineInt(s, pos, &n)) return false;
      if (!PushAggregate(L, s, pos, '%', n)) return false;
      lua_pop(L, 1);
      return LuaPushResp(L, s, pos);
    }
    default:
      return false;
  }
}

void ReplyUncountedError(ReplyBuilder& rb, std::string_view msg) {
  std::string line;
  line.reserve(msg.size() + 3);
  line.push_back('-');
  for (char c : msg) line.push_back(c == '\r' || c == '\n' ? ' ' : c);
  line.append("\r\n");
  rb.Raw(line);
}

namespace {

// Raw field lookup on the table at the top: pushes t[name].
int RawField(lua_State* L, const char* name) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
  return lua_type(L, -1);
}

std::string MapCrLf(const char* s, size_t len) {
  std::string out(s, len);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

void ErrorTableToReply(lua_State* L, ReplyBuilder& rb, bool* uncounted) {
  // Stack: table, err string.
  size_t len;
  const char* msg = lua_tolstring(L, -1, &len);
  std::string text(msg, len);
  lua_pop(L, 1);
  bool ignore = RawField(L, "ignore_error_stats_update") == LUA_TBOOLEAN && lua_toboolean(L, -1);
  lua_pop(L, 2);
  if (ignore) {
    ReplyUncountedError(rb, text);
    *uncounted = true;
  } else {
    rb.Error(text);
  }
}

void TableToReply(lua_State* L, ReplyBuilder& rb, int script_resp, bool* uncounted) {
  if (RawField(L, "err") == LUA_TSTRING) return ErrorTableToReply(L, rb, uncounted);
  lua_pop(L, 1);
  if (RawField(L, "ok") == LUA_TSTRING) {
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    rb.SimpleString(MapCrLf(s, len));
    lua_pop(L, 2);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "double") == LUA_TNUMBER) {
    rb.Double(lua_tonumber(L, -1));
    lua_pop(L, 2);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "big_number") == LUA_TSTRING) {
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    rb.BigNumber(MapCrLf(s, len));
    lua_pop(L, 2);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "verbatim_string") == LUA_TTABLE) {
    if (RawField(L, "format") == LUA_TSTRING) {
      lua_pushstring(L, "string");
      lua_rawget(L, -3);
      if (lua_type(L, -1) == LUA_TSTRING) {
        size_t flen, len;
        const char* f = lua_tolstring(L, -2, &flen);
        const char* s = lua_tolstring(L, -1, &len);
        rb.Verbatim(std::string_view(s, len), std::string_view(f, flen < 3 ? flen : 3));
        lua_pop(L, 4);
        return;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  int t = RawField(L, "map");
  if (t == LUA_TTABLE) {
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      n++;
    }
    rb.MapHeader(n);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pushvalue(L, -2);                       // table, key, value, key
      LuaToReply(L, rb, script_resp, uncounted);  // key
      LuaToReply(L, rb, script_resp, uncounted);  // value
    }
    lua_pop(L, 2);
    return;
  }
  lua_pop(L, 1);
  if (RawField(L, "set") == LUA_TTABLE) {
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      n++;
    }
    rb.SetHeader(n);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      LuaToReply(L, rb, script_resp, uncounted);
    }
    lua_pop(L, 2);
    return;
  }
  lua_pop(L, 1);
  size_t n = 0;
  for (;;) {
    lua_rawgeti(L, -1, int(n + 1));
    bool nil = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (nil) break;
    n++;
  }
  rb.ArrayHeader(n);
  for (size_t i = 1; i <= n; i++) {
    lua_rawgeti(L, -1, int(i));
    LuaToReply(L, rb, script_resp, uncounted);
  }
  lua_pop(L, 1);
}

}  // namespace

void LuaToReply(lua_State* L, ReplyBuilder& rb, int script_resp, bool* uncounted_error) {
  if (!lua_checkstack(L, 4)) {
    rb.Error("ERR reached lua stack limit");
    lua_pop(L, 1);
    return;
  }
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      rb.Bulk(std::string_view(s, len));
      break;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, -1))
          rb.Integer(1);
        else
          rb.Null();
      } else {
        rb.Bool(lua_toboolean(L, -1));
      }
      break;
    case LUA_TNUMBER: {
      // Truncated like a C cast; NaN and out-of-range values give INT64_MIN as on x86.
      double d = lua_tonumber(L, -1);
      rb.Integer(d > -9223372036854775808.0 && d < 9223372036854775808.0 ? int64_t(d) : INT64_MIN);
      break;
    }
    case LUA_TTABLE:
      return TableToReply(L, rb, script_resp, uncounted_error);
    default:
      rb.Null();
  }
  lua_pop(L, 1);
}

}  // namespace ember
