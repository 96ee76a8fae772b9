// Conversions between Redis replies and Lua values, with Redis's rules.
//
// RESP -> Lua (what redis.call returns): integer -> number; bulk -> string; null bulk / null
// array (RESP2) -> false; RESP3 null -> nil; array -> table; status -> {ok=s}; error ->
// {err="CODE msg", ignore_error_stats_update=true}; RESP3 map -> {map={k=v}}, set ->
// {set={m=true}}, double -> {double=n}, boolean -> true/false, big number -> {big_number=s},
// verbatim -> {verbatim_string={format=f, string=s}}; attributes are skipped.
//
// Lua -> RESP (what a script returns): number -> integer (truncated); string -> bulk; true ->
// 1 (the script in RESP2) or #t; false -> null (RESP2 script) or #f; nil and other types ->
// null; a table with `err` -> error, `ok` -> status, `double`, `big_number`,
// `verbatim_string`, `map`, `set` -> those types; any other table -> array up to the first nil.
// Fields are read raw (no metamethods run), as in Redis.
#pragma once

#include <cstddef>
#include <string_view>

#include "protocol/reply_builder.h"

struct lua_State;

namespace ember {

// Parses one RESP value of `resp` at *pos and pushes it converted. Returns false (pushing
// nothing) if the bytes are not a complete value.
bool LuaPushResp(lua_State* L, std::string_view resp, size_t* pos);

// Pushes the error object for an error reply text (without '-' and CRLF): "-CODE msg" keeps
// its code, a text without a space gets "ERR", trailing CR/LF are trimmed.
void LuaPushErrorReply(lua_State* L, std::string_view text, bool counted);

// Writes the Lua value on top of the stack (popped) as a reply. `script_resp` is the RESP
// version the script chose with redis.setresp. Sets *uncounted_error when it wrote an error
// whose statistics were already counted (a command's error the script passed on).
void LuaToReply(lua_State* L, ReplyBuilder& rb, int script_resp, bool* uncounted_error);

// Writes an error reply without counting it in errorstats (its command already did).
void ReplyUncountedError(ReplyBuilder& rb, std::string_view msg);

}  // namespace ember
