// FunctionLibraries: the libraries FUNCTION LOAD creates ("#!lua name=mylib" followed by Lua
// code calling redis.register_function), their functions (looked up case-insensitively by
// FCALL), and the FUNCTION LIST / STATS / DUMP / RESTORE views of them.
//
// Loading runs the library's code once in the function VM with the registration API showing
// (lua_vm.h); the functions it registers are collected, then checked against every other
// library's functions, and only then does the library replace its old version — a failed load
// changes nothing. A load that runs longer than kFunctionLoadTimeoutMs is aborted.
//
// DUMP/RESTORE payloads have Redis's layout, so payloads move between Ember and Redis: for each
// library the RDB function opcode and its code as an RDB string, then the 2-byte RDB version and
// a CRC-64 (Jones) of everything before it. LZF-compressed strings from Redis are read too.
//
// Ownership: Scripting owns the FunctionLibraries, which own their VM's function references.
// Thread: command thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "persistence/rdb_io.h"  // Crc64, the payload checksum
#include "scripting/lua_vm.h"

namespace ember {

class ReplyBuilder;
class Scripting;
struct FunctionLibrary;

struct ScriptFunction {
  std::string name;
  std::string description;
  bool has_description = false;
  uint32_t flags = 0;  // ScriptFlag bits
  int ref = LUA_NOREF;
  FunctionLibrary* library = nullptr;
};

struct FunctionLibrary {
  std::string name;
  std::string code;
  std::vector<std::unique_ptr<ScriptFunction>> functions;  // registration order
};

// Case-insensitive ordering for function names (FCALL TEST finds "test").
struct CaseLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

class FunctionLibraries {
 public:
  enum class RestorePolicy { kAppend, kReplace, kFlush };

  explicit FunctionLibraries(Scripting* scripting);
  ~FunctionLibraries();

  // FUNCTION LOAD: "" and the library's name, or the error text.
  std::string Load(std::string_view code, bool replace, std::string* name);
  // FUNCTION DELETE: false if there is no such library.
  bool Delete(std::string_view name);
  // FUNCTION FLUSH. With `async` and more than LazyFreer::kEffortThreshold functions the
  // function interpreter is replaced by a fresh one and the old one closed on the lazy-free
  // thread (server/lazyfree.h).
  void Flush(bool async = false);
  // FCALL's lookup (case-insensitive); nullptr if unknown.
  const ScriptFunction* Find(std::string_view name) const;

  // FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] (pattern empty: all).
  void List(ReplyBuilder& rb, std::string_view pattern, bool has_pattern, bool with_code) const;
  // FUNCTION DUMP payload.
  std::string Dump() const;
  // FUNCTION RESTORE: "" or the error text.
  std::string Restore(std::string_view payload, RestorePolicy policy);

  size_t library_count() const { return libraries_.size(); }
  size_t function_count() const { return functions_.size(); }
  LuaVm& vm() { return *vm_; }
  size_t vm_memory() const { return vm_->MemoryBytes(); }

  // redis.register_function, called while a library loads: raises a Lua error on bad input.
  int RegisterFunction(lua_State* L);

 private:
  using LibraryMap = std::map<std::string, std::unique_ptr<FunctionLibrary>, std::less<>>;
  // Compiles and runs `code` registering into a new library; "" or the error text.
  std::string Create(std::string_view code, std::unique_ptr<FunctionLibrary>* out);
  // Adds libraries in `incoming`, replacing same-named ones when `replace`; all or nothing.
  std::string Install(std::vector<std::unique_ptr<FunctionLibrary>> incoming, bool replace,
                      bool quote_names);
  void Release(FunctionLibrary& lib);
  void Index(FunctionLibrary& lib);
  void Unindex(FunctionLibrary& lib);

  Scripting* scripting_;
  std::unique_ptr<LuaVm> vm_;
  LibraryMap libraries_;
  std::map<std::string_view, ScriptFunction*, CaseLess> functions_;
  FunctionLibrary* loading_ = nullptr;  // the library registering now
};

}  // namespace ember
