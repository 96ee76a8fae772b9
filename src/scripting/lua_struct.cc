// struct: binary packing for scripts, the library Redis scripts know as `struct`, written from
// its documented format letters. struct.pack(fmt, ...), struct.unpack(fmt, s [, pos]) (values
// then the next position) and struct.size(fmt).
//
// Format: '<' little endian, '>' big endian, '=' native; '!n' maximum alignment n (power of 2,
// default 1 = packed); 'x' one zero byte; 'b'/'B' signed/unsigned char, 'h'/'H' short,
// 'l'/'L' long (8 bytes), 'T' size_t, 'i'/'I' with an optional byte count n (default 4, at most
// 32); 'f' float, 'd' double; 'cn' n raw bytes (c0 on pack: the whole string; on unpack: the
// length is the previous value); 's' zero-terminated string; spaces are ignored.
#include <cctype>
#include <cstdint>
#include <cstring>

#include "scripting/lua_vm.h"

namespace ember {
namespace {

constexpr int kMaxIntSize = 32;
constexpr int kMaxAlign = 8;

struct Header {
  bool little = true;  // x86: native is little endian
  int align = 1;
};

// Digits after an option; `def` if none.
int ReadNumber(const char** fmt, int def) {
  if (!isdigit(static_cast<unsigned char>(**fmt))) return def;
  int a = 0;
  while (isdigit(static_cast<unsigned char>(**fmt)) && a < 100000) a = a * 10 + (*(*fmt)++ - '0');
  return a;
}

// Size of the item an option stands for (0 for options without data).
size_t OptionSize(lua_State* L, char opt, const char** fmt) {
  switch (opt) {
    case 'b':
    case 'B':
    case 'x':
      return 1;
    case 'h':
    case 'H':
      return sizeof(short);
    case 'l':
    case 'L':
      return sizeof(long);
    case 'T':
      return sizeof(size_t);
    case 'f':
      return sizeof(float);
    case 'd':
      return sizeof(double);
    case 'c':
      return size_t(ReadNumber(fmt, 1));
    case 'i':
    case 'I': {
      int n = ReadNumber(fmt, sizeof(int));
      if (n > kMaxIntSize)
        luaL_error(L, "integral size %d is larger than limit of %d", n, kMaxIntSize);
      return size_t(n);
    }
    default:
      return 0;
  }
}

// Padding before an item of `size` at offset `len` under the header's alignment.
size_t Padding(size_t len, const Header& h, char opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  size_t a = size > size_t(h.align) ? size_t(h.align) : size;
  return (a - (len & (a - 1))) & (a - 1);
}

// Options that change the header; anything else is an error.
void Control(lua_State* L, char opt, const char** fmt, Header* h) {
  switch (opt) {
    case ' ':
      return;
    case '>':
      h->little = false;
      return;
    case '<':
    case '=':
      h->little = true;
      return;
    case '!': {
      int a = ReadNumber(fmt, kMaxAlign);
      if (a <= 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", a);
      h->align = a;
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

void PutInteger(luaL_Buffer* b, lua_Number n, bool little, size_t size) {
  uint64_t v = n < 0 ? uint64_t(int64_t(n)) : uint64_t(n);
  char bytes[kMaxIntSize];
  for (size_t i = 0; i < size; i++) {
    bytes[little ? i : size - 1 - i] = char(i < 8 ? (v >> (8 * i)) & 0xff : (n < 0 ? 0xff : 0));
  }
  luaL_addlstring(b, bytes, size);
}

lua_Number GetInteger(const char* p, bool little, bool is_signed, size_t size) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; i++) {
    unsigned char byte = static_cast<unsigned char>(p[little ? size - 1 - i : i]);
    v = (v << 8) | byte;
  }
  if (is_signed && size < 8 && size > 0 && (v >> (size * 8 - 1)) & 1) {
    v |= ~uint64_t(0) << (size * 8);
  }
  return is_signed ? lua_Number(int64_t(v)) : lua_Number(v);
}

void PutBytes(luaL_Buffer* b, const void* p, size_t n, bool little) {
  char tmp[8];
  memcpy(tmp, p, n);
  if (!little) {
    for (size_t i = 0; i < n / 2; i++) std::swap(tmp[i], tmp[n - 1 - i]);
  }
  luaL_addlstring(b, tmp, n);
}

void GetBytes(void* dst, const char* p, size_t n, bool little) {
  char tmp[8];
  memcpy(tmp, p, n);
  if (!little) {
    for (size_t i = 0; i < n / 2; i++) std::swap(tmp[i], tmp[n - 1 - i]);
  }
  memcpy(dst, tmp, n);
}

int Pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  int arg = 2;
  size_t total = 0;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  while (*fmt) {
    char opt = *fmt++;
    size_t size = OptionSize(L, opt, &fmt);
    size_t pad = Padding(total, h, opt, size);
    total += pad;
    while (pad-- > 0) luaL_addchar(&b, '\0');
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        PutInteger(&b, luaL_checknumber(L, arg++), h.little, size);
        break;
      case 'x':
        luaL_addchar(&b, '\0');
        break;
      case 'f': {
        float f = float(luaL_checknumber(L, arg++));
        PutBytes(&b, &f, sizeof(f), h.little);
        break;
      }
      case 'd': {
        double d = luaL_checknumber(L, arg++);
        PutBytes(&b, &d, sizeof(d), h.little);
        break;
      }
      case 'c':
      case 's': {
        size_t len;
        const char* s = luaL_checklstring(L, arg, &len);
        if (size == 0) size = len;
        luaL_argcheck(L, len >= size, arg, "string too short");
        arg++;
        luaL_addlstring(&b, s, size);
        if (opt == 's') {
          luaL_addchar(&b, '\0');
          size++;
        }
        break;
      }
      default:
        Control(L, opt, &fmt, &h);
    }
    total += size;
  }
  luaL_pushresult(&b);
  return 1;
}

int Unpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t len;
  const char* data = luaL_checklstring(L, 2, &len);
  lua_Integer start = luaL_optinteger(L, 3, 1);
  luaL_argcheck(L, start > 0, 3, "offset must be 1 or greater");
  size_t pos = size_t(start - 1);
  Header h;
  int n = 0;
  while (*fmt) {
    char opt = *fmt++;
    size_t size = OptionSize(L, opt, &fmt);
    pos += Padding(pos, h, opt, size);
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    switch (opt) {
      case 'b':
      case 'B':
      case 'h':
      case 'H':
      case 'l':
      case 'L':
      case 'T':
      case 'i':
      case 'I':
        lua_pushnumber(L, GetInteger(data + pos, h.little, islower(opt), size));
        n++;
        break;
      case 'x':
        break;
      case 'f': {
        float f;
        GetBytes(&f, data + pos, sizeof(f), h.little);
        lua_pushnumber(L, f);
        n++;
        break;
      }
      case 'd': {
        double d;
        GetBytes(&d, data + pos, sizeof(d), h.little);
        lua_pushnumber(L, d);
        n++;
        break;
      }
      case 'c':
        if (size == 0) {
          if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
          size = size_t(lua_tonumber(L, -1));
          lua_pop(L, 1);
          n--;
          luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
        }
        lua_pushlstring(L, data + pos, size);
        n++;
        break;
      case 's': {
        const void* end = memchr(data + pos, '\0', len - pos);
        if (!end) luaL_error(L, "unfinished string in data");
        size = size_t(static_cast<const char*>(end) - (data + pos)) + 1;
        lua_pushlstring(L, data + pos, size - 1);
        n++;
        break;
      }
      default:
        Control(L, opt, &fmt, &h);
    }
    pos += size;
  }
  lua_pushinteger(L, lua_Integer(pos + 1));
  return n + 1;
}

int Size(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  Header h;
  size_t pos = 0;
  while (*fmt) {
    char opt = *fmt++;
    size_t size = OptionSize(L, opt, &fmt);
    pos += Padding(pos, h, opt, size);
    if (opt == 's') {
      luaL_argerror(L, 1, "options 's' has no fixed size");
    } else if (opt == 'c' && size == 0) {
      luaL_argerror(L, 1, "options 'c0' has no fixed size");
    }
    if (!isalnum(static_cast<unsigned char>(opt))) Control(L, opt, &fmt, &h);
    pos += size;
  }
  lua_pushinteger(L, lua_Integer(pos));
  return 1;
}

}  // namespace

int LuaOpenStruct(lua_State* L) {
  static const luaL_Reg kFuncs[] = {
      {"pack", Pack}, {"unpack", Unpack}, {"size", Size}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, kFuncs);
  return 1;
}

}  // namespace ember
