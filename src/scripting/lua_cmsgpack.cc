// cmsgpack: MessagePack for scripts, the library Redis scripts know as `cmsgpack`, written
// from the MessagePack specification. pack(...) encodes each argument and joins them;
// unpack(s) decodes every object in s; unpack_one(s [, offset]) decodes one object and
// unpack_limit(s, limit [, offset]) up to `limit`, both returning first the offset of the next
// object (-1 when s is consumed). Tables are arrays when their keys are exactly 1..n, maps
// otherwise; nesting deeper than 16 tables encodes nil; numbers with an integral value are
// integers, others float32 when that is exact, else float64.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "scripting/lua_vm.h"

namespace ember {
namespace {

constexpr int kMaxNesting = 16;

void PutBE(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) out->push_back(char((v >> (8 * i)) & 0xff));
}

void EncodeInteger(std::string* out, int64_t v) {
  if (v >= 0) {
    uint64_t u = uint64_t(v);
    if (u <= 0x7f) {
      out->push_back(char(u));
    } else if (u <= 0xff) {
      out->push_back(char(0xcc));
      PutBE(out, u, 1);
    } else if (u <= 0xffff) {
      out->push_back(char(0xcd));
      PutBE(out, u, 2);
    } else if (u <= 0xffffffffull) {
      out->push_back(char(0xce));
      PutBE(out, u, 4);
    } else {
      out->push_back(char(0xcf));
      PutBE(out, u, 8);
    }
  } else if (v >= -32) {
    out->push_back(char(int8_t(v)));
  } else if (v >= -128) {
    out->push_back(char(0xd0));
    PutBE(out, uint64_t(v), 1);
  } else if (v >= -32768) {
    out->push_back(char(0xd1));
    PutBE(out, uint64_t(v), 2);
  } else if (v >= -2147483648ll) {
    out->push_back(char(0xd2));
    PutBE(out, uint64_t(v), 4);
  } else {
    out->push_back(char(0xd3));
    PutBE(out, uint64_t(v), 8);
  }
}

void EncodeNumber(std::string* out, double d) {
  if (std::isfinite(d) && d == std::floor(d) && d >= -9223372036854775808.0 &&
      d < 9223372036854775808.0) {
    return EncodeInteger(out, int64_t(d));
  }
  float f = float(d);
  if (double(f) == d) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    out->push_back(char(0xca));
    PutBE(out, bits, 4);
  } else {
    uint64_t bits;
    memcpy(&bits, &d, 8);
    out->push_back(char(0xcb));
    PutBE(out, bits, 8);
  }
}

void EncodeHeader(std::string* out, size_t n, uint8_t fix, size_t fix_max, uint8_t op16,
                  uint8_t op32) {
  if (n <= fix_max) {
    out->push_back(char(fix | n));
  } else if (n <= 0xffff) {
    out->push_back(char(op16));
    PutBE(out, n, 2);
  } else {
    out->push_back(char(op32));
    PutBE(out, n, 4);
  }
}

void EncodeString(std::string* out, const char* s, size_t len) {
  if (len < 32) {
    out->push_back(char(0xa0 | len));
  } else if (len <= 0xff) {
    out->push_back(char(0xd9));
    PutBE(out, len, 1);
  } else if (len <= 0xffff) {
    out->push_back(char(0xda));
    PutBE(out, len, 2);
  } else {
    out->push_back(char(0xdb));
    PutBE(out, len, 4);
  }
  out->append(s, len);
}

// An array when the keys are exactly the integers 1..n.
bool IsArray(lua_State* L) {
  double max = 0;
  size_t count = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    double n;
    if (!lua_isnumber(L, -1) || (n = lua_tonumber(L, -1)) <= 0 || n != std::floor(n)) {
      lua_pop(L, 1);
      return false;
    }
    if (n > max) max = n;
    count++;
  }
  return max == double(count);
}

void Encode(lua_State* L, std::string* out, int level);

void EncodeTable(lua_State* L, std::string* out, int level) {
  if (!lua_checkstack(L, 3)) {
    out->push_back(char(0xc0));
    return;
  }
  if (IsArray(L)) {
    size_t n = lua_objlen(L, -1);
    EncodeHeader(out, n, 0x90, 15, 0xdc, 0xdd);
    for (size_t i = 1; i <= n; i++) {
      lua_rawgeti(L, -1, int(i));
      Encode(L, out, level + 1);
      lua_pop(L, 1);
    }
    return;
  }
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    n++;
  }
  EncodeHeader(out, n, 0x80, 15, 0xde, 0xdf);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    Encode(L, out, level + 1);  // key
    lua_pop(L, 1);
    Encode(L, out, level + 1);  // value
    lua_pop(L, 1);
  }
}

// Encodes the value on top of the stack (left there).
void Encode(lua_State* L, std::string* out, int level) {
  switch (lua_type(L, -1)) {
    case LUA_TBOOLEAN:
      out->push_back(char(lua_toboolean(L, -1) ? 0xc3 : 0xc2));
      break;
    case LUA_TNUMBER:
      EncodeNumber(out, lua_tonumber(L, -1));
      break;
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      EncodeString(out, s, len);
      break;
    }
    case LUA_TTABLE:
      if (level < kMaxNesting) {
        EncodeTable(L, out, level);
        break;
      }
      [[fallthrough]];
    default:
      out->push_back(char(0xc0));
  }
}

int Pack(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  {
    std::string out;  // destroyed before anything can raise
    for (int i = 1; i <= argc; i++) {
      lua_pushvalue(L, i);
      Encode(L, &out, 0);
      lua_pop(L, 1);
    }
    lua_pushlstring(L, out.data(), out.size());
  }
  return 1;
}

// --- decoding ---

struct Cursor {
  const unsigned char* p;
  size_t left;
  int err = 0;  // 1: missing bytes, 2: bad format
};

bool Need(Cursor& c, size_t n) {
  if (c.left < n) {
    c.err = 1;
    return false;
  }
  return true;
}

uint64_t GetBE(Cursor& c, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; i++) v = (v << 8) | c.p[i];
  c.p += bytes;
  c.left -= size_t(bytes);
  return v;
}

void Decode(lua_State* L, Cursor& c);

void DecodeArray(lua_State* L, Cursor& c, size_t n) {
  if (!lua_checkstack(L, 2)) {
    c.err = 2;
    return;
  }
  lua_newtable(L);
  for (size_t i = 1; i <= n && !c.err; i++) {
    Decode(L, c);
    if (c.err) return;
    lua_rawseti(L, -2, int(i));
  }
}

void DecodeMap(lua_State* L, Cursor& c, size_t n) {
  if (!lua_checkstack(L, 3)) {
    c.err = 2;
    return;
  }
  lua_newtable(L);
  for (size_t i = 0; i < n && !c.err; i++) {
    Decode(L, c);
    if (c.err) return;
    Decode(L, c);
    if (c.err) return;
    if (lua_isnil(L, -2)) {  // a nil key cannot be stored
      lua_pop(L, 2);
      continue;
    }
    lua_settable(L, -3);
  }
}

void DecodeBytes(lua_State* L, Cursor& c, size_t n) {
  if (!Need(c, n)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c.p), n);
  c.p += n;
  c.left -= n;
}

// Decodes one object and pushes it (on error pushes nothing useful and sets c.err).
void Decode(lua_State* L, Cursor& c) {
  if (!Need(c, 1)) return;
  unsigned char b = *c.p++;
  c.left--;
  auto sized = [&](int bytes) -> int64_t {
    if (!Need(c, size_t(bytes))) return -1;
    return int64_t(GetBE(c, bytes));
  };
  if (b <= 0x7f) return lua_pushnumber(L, b);
  if (b >= 0xe0) return lua_pushnumber(L, int8_t(b));
  if ((b & 0xf0) == 0x80) return DecodeMap(L, c, b & 0x0f);
  if ((b & 0xf0) == 0x90) return DecodeArray(L, c, b & 0x0f);
  if ((b & 0xe0) == 0xa0) return DecodeBytes(L, c, b & 0x1f);
  int64_t n;
  switch (b) {
    case 0xc0:
      return lua_pushnil(L);
    case 0xc2:
      return lua_pushboolean(L, 0);
    case 0xc3:
      return lua_pushboolean(L, 1);
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: {
      int bytes = 1 << (b - 0xcc);
      if (!Need(c, size_t(bytes))) return;
      return lua_pushnumber(L, lua_Number(GetBE(c, bytes)));
    }
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      int bytes = 1 << (b - 0xd0);
      if (!Need(c, size_t(bytes))) return;
      uint64_t u = GetBE(c, bytes);
      int64_t v = bytes == 1   ? int8_t(u)
                  : bytes == 2 ? int16_t(u)
                  : bytes == 4 ? int32_t(u)
                               : int64_t(u);
      return lua_pushnumber(L, lua_Number(v));
    }
    case 0xca: {
      if (!Need(c, 4)) return;
      uint32_t bits = uint32_t(GetBE(c, 4));
      float f;
      memcpy(&f, &bits, 4);
      return lua_pushnumber(L, f);
    }
    case 0xcb: {
      if (!Need(c, 8)) return;
      uint64_t bits = GetBE(c, 8);
      double d;
      memcpy(&d, &bits, 8);
      return lua_pushnumber(L, d);
    }
    case 0xc4:
    case 0xd9:
      if ((n = sized(1)) >= 0) DecodeBytes(L, c, size_t(n));
      return;
    case 0xc5:
    case 0xda:
      if ((n = sized(2)) >= 0) DecodeBytes(L, c, size_t(n));
      return;
    case 0xc6:
    case 0xdb:
      if ((n = sized(4)) >= 0) DecodeBytes(L, c, size_t(n));
      return;
    case 0xdc:
      if ((n = sized(2)) >= 0) DecodeArray(L, c, size_t(n));
      return;
    case 0xdd:
      if ((n = sized(4)) >= 0) DecodeArray(L, c, size_t(n));
      return;
    case 0xde:
      if ((n = sized(2)) >= 0) DecodeMap(L, c, size_t(n));
      return;
    case 0xdf:
      if ((n = sized(4)) >= 0) DecodeMap(L, c, size_t(n));
      return;
    default:
      c.err = 2;
  }
}

// Decodes up to `limit` objects (0: all) of the string at index 1 from byte `offset`. With
// `with_offset`, the next offset (-1 at the end) comes first among the results.
int Unpack(lua_State* L, int limit, lua_Integer offset, bool with_offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  if (offset < 0 || size_t(offset) > len) {
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      int(offset), limit);
  }
  lua_settop(L, 1);
  Cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - size_t(offset)};
  int count = 0;
  while (c.left > 0 && (limit == 0 || count < limit)) {
    if (!lua_checkstack(L, 2)) return luaL_error(L, "too many items to unpack");
    int top = lua_gettop(L);
    Decode(L, c);
    if (c.err) {
      lua_settop(L, top);
      return luaL_error(L, c.err == 1 ? "Missing bytes in input." : "Bad data format in input.");
    }
    count++;
  }
  if (!with_offset) return count;
  lua_pushinteger(L, c.left == 0 ? -1 : lua_Integer(len - c.left));
  lua_insert(L, 2);
  return count + 1;
}

int UnpackAll(lua_State* L) { return Unpack(L, 0, 0, false); }
int UnpackOne(lua_State* L) { return Unpack(L, 1, luaL_optinteger(L, 2, 0), true); }
int UnpackLimit(lua_State* L) {
  int limit = int(luaL_checkinteger(L, 2));
  return Unpack(L, limit, luaL_optinteger(L, 3, 0), true);
}

}  // namespace

int LuaOpenCmsgpack(lua_State* L) {
  static const luaL_Reg kFuncs[] = {{"pack", Pack},
                                    {"unpack", UnpackAll},
                                    {"unpack_one", UnpackOne},
                                    {"unpack_limit", UnpackLimit},
                                    {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, kFuncs);
  lua_pushliteral(L, "lua-cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, "0.4.0");
  lua_setfield(L, -2, "_VERSION");
  return 1;
}

}  // namespace ember
