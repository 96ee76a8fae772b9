// FunctionLibraries: loading libraries, the function index, FUNCTION LIST. Payloads (DUMP /
// RESTORE) are in function_payload.cc.
#include "scripting/functions.h"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include <cstring>
#include <memory>
#include <utility>
#include "core/clock.h"
#include "core/glob.h"
#include "protocol/reply_builder.h"
#include "scripting/scripting.h"
#include "server/errors.h"
#include "server/lazyfree.h"
#include "server/server.h"

namespace ember {
namespace {

// Library and function names: letters, digits and underscores, at least one.
bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (!isalnum(c) && c != '_') return false;
  return true;
}

// Splits the shebang line into words as redis-server splits config lines: spaces separate,
// double or single quotes group (anywhere in a word). False on unbalanced quotes.
bool SplitWords(std::string_view line, std::vector<std::string>* out) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && isspace(static_cast<unsigned char>(line[i]))) i++;
    if (i >= line.size()) break;
    std::string word;
    char quote = 0;
    for (; i < line.size(); i++) {
      char c = line[i];
      if (quote) {
        if (c == quote) {
          if (i + 1 < line.size() && !isspace(static_cast<unsigned char>(line[i + 1])))
            return false;
          quote = 0;
        } else {
          word.push_back(c);
        }
      } else if (isspace(static_cast<unsigned char>(c))) {
        break;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else {
        word.push_back(c);
      }
    }
    if (quote) return false;
    out->push_back(std::move(word));
  }
  return true;
}

// Reads "#!lua name=<name>" from the first line. Returns "" or the error text.
std::string ParseMetadata(std::string_view code, std::string* name) {
  if (!code.starts_with("#!")) return std::string(errors::kFunctionMissingMetadata);
  size_t eol = code.find('\n');
  std::string_view line = code.substr(2, eol == std::string_view::npos ? code.size() - 2 : eol - 2);
  std::vector<std::string> words;
  if (!SplitWords(line, &words)) return std::string(errors::kFunctionInvalidMetadata);
  // "#! name=x" names no engine.
  bool no_engine = line.empty() || isspace(static_cast<unsigned char>(line[0]));
  std::string engine = no_engine || words.empty() ? std::string() : words[0];
  size_t first = no_engine ? 0 : 1;
  if (strcasecmp(engine.c_str(), "lua") != 0) return errors::FunctionEngineNotFound(engine);
  bool have_name = false;
  for (size_t i = first; i < words.size(); i++) {
    std::string_view w = words[i];
    if (w.starts_with("name=")) {
      if (have_name) return std::string(errors::kFunctionNameTwice);
      *name = std::string(w.substr(5));
      have_name = true;
    } else {
      return errors::FunctionInvalidMetadataValue(w);
    }
  }
  if (!have_name) return std::string(errors::kFunctionNoLibraryName);
  return "";
}

// The error object's text on top of the stack ("ERR ..." when it has no err field).
std::string ErrorText(lua_State* L) {
  std::string out;
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    if (s) out.assign(s, len);
    lua_pop(L, 1);
  } else if (const char* s = lua_tostring(L, -1)) {
    out = s;
  }
  return out.empty() ? "ERR unknown error" : out;
}

}  // namespace

bool CaseLess::operator()(std::string_view a, std::string_view b) const {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; i++) {
    int ca = tolower(static_cast<unsigned char>(a[i]));
    int cb = tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

FunctionLibraries::FunctionLibraries(Scripting* scripting)
    : scripting_(scripting), vm_(std::make_unique<LuaVm>(scripting, LuaVm::Kind::kFunction)) {}

FunctionLibraries::~FunctionLibraries() = default;

const ScriptFunction* FunctionLibraries::Find(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

void FunctionLibraries::Index(FunctionLibrary& lib) {
  for (auto& f : lib.functions) functions_.emplace(f->name, f.get());
}

void FunctionLibraries::Unindex(FunctionLibrary& lib) {
  for (auto& f : lib.functions) functions_.erase(f->name);
}

void FunctionLibraries::Release(FunctionLibrary& lib) {
  for (auto& f : lib.functions) vm_->Unref(f->ref);
}

std::string FunctionLibraries::Create(std::string_view code,
                                      std::unique_ptr<FunctionLibrary>* out) {
  auto lib = std::make_unique<FunctionLibrary>();
  std::string err = ParseMetadata(code, &lib->name);
  if (!err.empty()) return err;
  if (!ValidName(lib->name)) return std::string(errors::kFunctionBadName);
  lib->code = std::string(code);
  // Compile from the end of the shebang line, keeping its newline so line numbers match.
  size_t eol = code.find('\n');
  std::string_view body = eol == std::string_view::npos ? std::string_view() : code.substr(eol);
  lua_State* L = vm_->state();
  if (!vm_->Compile(body, "@user_function", &err)) return "ERR Error compiling function: " + err;
  vm_->SetLoadPhase(true);
  loading_ = lib.get();
  scripting_->load_deadline_us_ =
      SystemClock::MonotonicUs() + Scripting::kFunctionLoadTimeoutMs * 1000;
  lua_pushcfunction(L, [](lua_State* Ls) -> int {
    // Error handler for the registration run: the same shape as script errors.
    if (!lua_istable(Ls, 1)) {
      const char* s = lua_tostring(Ls, 1);
      lua_newtable(Ls);
      lua_pushfstring(Ls, "ERR %s", s ? s : "unknown error");
      lua_setfield(Ls, -2, "err");
      lua_replace(Ls, 1);
    }
    return 1;
  });
  lua_insert(L, -2);
  int rc = lua_pcall(L, 0, 0, -2);
  scripting_->load_deadline_us_ = 0;
  loading_ = nullptr;
  vm_->SetLoadPhase(false);
  if (rc != 0) {
    err = "ERR Error registering functions: " + ErrorText(L);
    lua_pop(L, 2);
    Release(*lib);
    return err;
  }
  lua_pop(L, 1);
  if (lib->functions.empty()) return std::string(errors::kFunctionNoneRegistered);
  *out = std::move(lib);
  return "";
}

std::string FunctionLibraries::Install(std::vector<std::unique_ptr<FunctionLibrary>> incoming,
                                       bool replace, bool quote_names) {
  // Library name collisions.
  for (auto& lib : incoming) {
    if (!replace && libraries_.count(lib->name)) {
      for (auto& l : incoming) Release(*l);
      return quote_names ? "ERR Library '" + lib->name + "' already exists"
                         : "ERR Library " + lib->name + " already exists";
    }
  }
  // Function name collisions with libraries that stay.
  for (auto& lib : incoming) {
    for (auto& f : lib->functions) {
      const ScriptFunction* other = Find(f->name);
      bool replaced = other && replace &&
                      std::any_of(incoming.begin(), incoming.end(),
                                  [&](auto& l) { return l->name == other->library->name; });
      if (other && !replaced) {
        for (auto& l : incoming) Release(*l);
        return "ERR Function " + f->name + " already exists";
      }
    }
  }
  for (auto& lib : incoming) {
    auto it = libraries_.find(lib->name);
    if (it != libraries_.end()) {
      Unindex(*it->second);
      Release(*it->second);
      libraries_.erase(it);
    }
    Index(*lib);
    std::string name = lib->name;
    libraries_.emplace(std::move(name), std::move(lib));
  }
  return "";
}

std::string FunctionLibraries::Load(std::string_view code, bool replace, std::string* name) {
  // A name collision is reported before the code runs.
  std::string err = ParseMetadata(code, name);
  if (err.empty() && !replace && libraries_.count(*name)) {
    return "ERR Library '" + *name + "' already exists";
  }
  std::unique_ptr<FunctionLibrary> lib;
  err = Create(code, &lib);
  if (!err.empty()) return err;
  *name = lib->name;
  std::vector<std::unique_ptr<FunctionLibrary>> one;
  one.push_back(std::move(lib));
  return Install(std::move(one), replace, /*quote_names=*/true);
}

bool FunctionLibraries::Delete(std::string_view name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return false;
  Unindex(*it->second);
  Release(*it->second);
  libraries_.erase(it);
  return true;
}

void FunctionLibraries::Flush(bool async) {
  size_t count = functions_.size();
  if (async && count > LazyFreer::kEffortThreshold) {
    // Every function is a reference into the interpreter, so none survives a fresh one: close
    // the old interpreter whole in the background instead of collecting it here.
    functions_.clear();
    libraries_.clear();
    std::unique_ptr<LuaVm> old =
        std::exchange(vm_, std::make_unique<LuaVm>(scripting_, LuaVm::Kind::kFunction));
    scripting_->server().lazyfree().SubmitJob(
        [vm = std::shared_ptr<LuaVm>(std::move(old))]() mutable { vm.reset(); }, count);
    return;
  }
  // Dropping the references lets the collector reclaim the libraries' closures and upvalues.
  for (auto& [name, lib] : libraries_) Release(*lib);
  functions_.clear();
  libraries_.clear();
  lua_gc(vm_->state(), LUA_GCCOLLECT, 0);
}

void FunctionLibraries::List(ReplyBuilder& rb, std::string_view pattern, bool has_pattern,
                             bool with_code) const {
  size_t n = 0;
  for (auto& [name, lib] : libraries_)
    if (!has_pattern || GlobMatch(pattern, name)) n++;
  rb.ArrayHeader(n);
  for (auto& [name, lib] : libraries_) {
    if (has_pattern && !GlobMatch(pattern, name)) continue;
    rb.MapHeader(with_code ? 4 : 3);
    rb.Bulk("library_name");
    rb.Bulk(name);
    rb.Bulk("engine");
    rb.Bulk("LUA");
    rb.Bulk("functions");
    rb.ArrayHeader(lib->functions.size());
    for (auto& f : lib->functions) {
      rb.MapHeader(3);
      rb.Bulk("name");
      rb.Bulk(f->name);
      rb.Bulk("description");
      if (f->has_description)
        rb.Bulk(f->description);
      else
        rb.NullBulk();
      rb.Bulk("flags");
      size_t nflags = 0;
      for (auto& [fname, bit] : ScriptFlagNames())
        if (f->flags & bit) nflags++;
      rb.SetHeader(nflags);
      for (auto& [fname, bit] : ScriptFlagNames())
        if (f->flags & bit) rb.Bulk(fname);
    }
    if (with_code) {
      rb.Bulk("library_code");
      rb.Bulk(lib->code);
    }
  }
}

namespace {

// Raises {err = "ERR <msg>"}.
[[noreturn]] void RaiseRegisterError(lua_State* L, const char* msg) {
  lua_newtable(L);
  lua_pushfstring(L, "ERR %s", msg);
  lua_setfield(L, -2, "err");
  lua_error(L);
  __builtin_unreachable();
}

// Reads the flags table at `idx`; false if a flag is unknown.
bool ReadFlags(lua_State* L, int idx, uint32_t* flags) {
  size_t n = lua_objlen(L, idx);
  for (size_t i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, int(i));
    size_t len = 0;
    const char* s = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : nullptr;
    uint32_t bit = 0;
    bool ok = s && ParseScriptFlag(std::string_view(s, len), &bit);
    lua_pop(L, 1);
    if (!ok) return false;
    *flags |= bit;
  }
  return true;
}

}  // namespace

// redis.register_function(name, callback) or redis.register_function{function_name=...,
// callback=..., flags={...}, description=...}.
int FunctionLibraries::RegisterFunction(lua_State* L) {
  if (!loading_ || &LuaVm::Of(L) != vm_.get()) {
    RaiseRegisterError(L, "redis.register_function can only be called on FUNCTION LOAD command");
  }
  int argc = lua_gettop(L);
  if (argc < 1 || argc > 2)
    RaiseRegisterError(L, "wrong number of arguments to redis.register_function");
  int name_idx = 0, cb_idx = 0, desc_idx = 0, flags_idx = 0;
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      RaiseRegisterError(L,
                         "calling redis.register_function with a single argument is only "
                         "applicable to Lua table (representing named arguments).");
    }
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      lua_pop(L, 1);
      const char* key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
      lua_pushvalue(L, -1);
      lua_rawget(L, 1);
      int value = lua_gettop(L);
      if (strcmp(key, "function_name") == 0) {
        if (lua_type(L, value) != LUA_TSTRING) {
          RaiseRegisterError(
              L, "function_name argument given to redis.register_function must be a string");
        }
        name_idx = value;
      } else if (strcmp(key, "callback") == 0) {
        if (!lua_isfunction(L, value)) {
          RaiseRegisterError(
              L, "callback argument given to redis.register_function must be a function");
        }
        cb_idx = value;
      } else if (strcmp(key, "description") == 0) {
        if (lua_type(L, value) != LUA_TSTRING) {
          RaiseRegisterError(
              L, "description argument given to redis.register_function must be a string");
        }
        desc_idx = value;
      } else if (strcmp(key, "flags") == 0) {
        if (!lua_istable(L, value)) {
          RaiseRegisterError(L,
                             "flags argument to redis.register_function must be a table "
                             "representing function flags");
        }
        flags_idx = value;
      } else {
        RaiseRegisterError(L, "unknown argument given to redis.register_function");
      }
      lua_pushvalue(L, value - 1);  // the key again, for lua_next
    }
    if (!name_idx)
      RaiseRegisterError(L, "redis.register_function must get a function name argument");
    if (!cb_idx) RaiseRegisterError(L, "redis.register_function must get a callback argument");
  } else {
    if (lua_type(L, 1) != LUA_TSTRING) {
      RaiseRegisterError(L, "first argument to redis.register_function must be a string");
    }
    if (!lua_isfunction(L, 2)) {
      RaiseRegisterError(L, "second argument to redis.register_function must be a function");
    }
    name_idx = 1;
    cb_idx = 2;
  }
  size_t len;
  const char* name = lua_tolstring(L, name_idx, &len);
  if (!ValidName(std::string_view(name, len))) {
    RaiseRegisterError(L,
                       "Library names can only contain letters, numbers, or underscores(_) and "
                       "must be at least one character long");
  }
  uint32_t flags = 0;
  if (flags_idx && !ReadFlags(L, flags_idx, &flags)) RaiseRegisterError(L, "unknown flag given");
  for (auto& f : loading_->functions) {
    if (f->name == std::string_view(name, len)) {
      RaiseRegisterError(L, "Function already exists in the library");
    }
  }
  lua_pushvalue(L, cb_idx);
  int ref = vm_->Ref();
  auto fn = std::make_unique<ScriptFunction>();
  fn->name.assign(name, len);
  fn->flags = flags;
  fn->ref = ref;
  fn->library = loading_;
  if (desc_idx) {
    size_t dlen;
    const char* d = lua_tolstring(L, desc_idx, &dlen);
    fn->description.assign(d, dlen);
    fn->has_description = true;
  }
  loading_->functions.push_back(std::move(fn));
  return 0;
}

}  // namespace ember
