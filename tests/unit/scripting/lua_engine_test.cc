// The Lua engine through the in-process harness: Lua <-> RESP conversions in both protocol
// versions, the sandbox (escapes tried), error shapes and positions, and the libraries
// written here (cmsgpack, struct). Expected texts are Redis 7's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"

namespace ember {
namespace {

using testing::Harness;

std::string Eval(Harness& h, const std::string& script, std::vector<std::string> rest = {"0"}) {
  std::vector<std::string> args = {"EVAL", script};
  args.insert(args.end(), rest.begin(), rest.end());
  return h.Run(args);
}

TEST(LuaConvertTest, LuaToResp2) {
  Harness h;
  EXPECT_EQ(Eval(h, "return 100.5"), "(integer) 100");
  EXPECT_EQ(Eval(h, "return -5.9"), "(integer) -5");
  EXPECT_EQ(Eval(h, "return 'hello'"), "hello");
  EXPECT_EQ(Eval(h, "return true"), "(integer) 1");
  EXPECT_EQ(Eval(h, "return false"), "(nil)");
  EXPECT_EQ(Eval(h, "return nil"), "(nil)");
  EXPECT_EQ(Eval(h, "return {1,2,3,'ciao',{1,2}}"),
            "[(integer) 1, (integer) 2, (integer) 3, ciao, [(integer) 1, (integer) 2]]");
  EXPECT_EQ(Eval(h, "return {1,2,nil,4}"), "[(integer) 1, (integer) 2]");
  EXPECT_EQ(Eval(h, "return {ok='fine'}"), "fine");
  EXPECT_EQ(Eval(h, "return {err='ERR this is an error'}"), "(error) ERR this is an error");
  EXPECT_EQ(Eval(h, "return redis.error_reply('My Error')"), "(error) My Error");
  EXPECT_EQ(Eval(h, "return redis.error_reply('MyError')"), "(error) ERR MyError");
  EXPECT_EQ(Eval(h, "return redis.status_reply('FOO')"), "FOO");
  EXPECT_EQ(Eval(h, "return {double=3.5}"), "3.5");
  EXPECT_EQ(Eval(h, "return {big_number='123'}"), "123");
  EXPECT_EQ(Eval(h, "return {map={a=1}}"), "[a, (integer) 1]");
  EXPECT_EQ(Eval(h, "return {set={a=true}}"), "[a]");
  EXPECT_EQ(h.RunRaw({"EVAL", "return {ok='a\\r\\nb'}", "0"}), "+a  b\r\n");
  EXPECT_EQ(Eval(h, "local t = setmetatable({}, {__index=function() error('x') end}) return t"),
            "[]");
  EXPECT_EQ(Eval(h, "return _G"), "[]");
}

TEST(LuaConvertTest, Resp3Replies) {
  Harness h;
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"EVAL", "return {double=3.5}", "0"}), ",3.5\r\n");
  EXPECT_EQ(h.RunRaw({"EVAL", "return {map={a=1}}", "0"}), "%1\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(h.RunRaw({"EVAL", "return {set={a=true}}", "0"}), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(h.RunRaw({"EVAL", "return {big_number='12'}", "0"}), "(12\r\n");
  // Booleans follow the script's protocol: RESP2 script -> 1 / null, RESP3 script -> #t/#f.
  EXPECT_EQ(h.RunRaw({"EVAL", "return false", "0"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"EVAL", "redis.setresp(3) return false", "0"}), "#f\r\n");
  EXPECT_EQ(h.RunRaw({"EVAL", "redis.setresp(3) return true", "0"}), "#t\r\n");
  h.Run({"HSET", "h", "f", "v"});
  EXPECT_EQ(h.RunRaw({"EVAL", "redis.setresp(3) return redis.call('hgetall', 'h')", "0"}),
            "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
  EXPECT_EQ(h.RunRaw({"EVAL", "return redis.call('hgetall', 'h')", "0"}),
            "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
}

TEST(LuaConvertTest, RespToLua) {
  Harness h;
  h.Run({"SET", "x", "0"});
  EXPECT_EQ(Eval(h, "local v = redis.call('incr', KEYS[1]) return {type(v), v}", {"1", "x"}),
            "[number, (integer) 1]");
  EXPECT_EQ(Eval(h, "local v = redis.call('get', 'nokey') return {type(v), v == false}"),
            "[boolean, (integer) 1]");
  EXPECT_EQ(Eval(h, "local v = redis.call('set', 'k', 'v') return {type(v), v['ok']}"),
            "[table, OK]");
  h.Run({"SET", "s", "abc"});
  EXPECT_EQ(Eval(h, "local v = redis.pcall('incr', 's') return {type(v), v['err']}"),
            "[table, ERR value is not an integer or out of range]");
  EXPECT_EQ(Eval(h, "redis.setresp(3) local v = redis.call('get', 'nokey') return v == nil"),
            "(integer) 1");
  h.Run({"RPUSH", "l", "a", "b", "c"});
  EXPECT_EQ(Eval(h, "local v = redis.call('lrange', 'l', 0, -1) return {#v, v[3]}"),
            "[(integer) 3, c]");
}

TEST(LuaConvertTest, NumberArguments) {
  Harness h;
  EXPECT_EQ(Eval(h, "return redis.call('ping', 10)"), "10");
  EXPECT_EQ(Eval(h, "return redis.call('ping', 1.5)"), "1.5");
  EXPECT_EQ(Eval(h, "return redis.call('ping', 0.1)"), "0.10000000000000001");
  EXPECT_EQ(Eval(h, "return redis.call('ping', 1e20)"), "1e+20");
  EXPECT_EQ(Eval(h, "return redis.call('ping', -0.0)"), "-0");
  EXPECT_EQ(Eval(h, "redis.call('set', 'n', 9007199254740991) return redis.call('get', 'n')"),
            "9007199254740991");
  EXPECT_EQ(Eval(h, "return redis.call('ping', {})"),
            "(error) ERR Lua redis lib command arguments must be strings or integers script: "
            "f11a1b64dc4da464bd53ed9f47efa0d906acbb46, on @user_script:1.");
}

TEST(LuaSandboxTest, GlobalsProtection) {
  Harness h;
  EXPECT_EQ(Eval(h, "return a"),
            "(error) ERR user_script:1: Script attempted to access nonexistent global variable "
            "'a' script: bbfcd1ececc90deec823f7fb730e4bfb2a4ba625, on @user_script:1.");
  EXPECT_NE(Eval(h, "a = 10").find("Attempt to modify a readonly table"), std::string::npos);
  for (const char* s :
       {"setmetatable(_G, {})", "local g = getmetatable(_G); g.__index = {}",
        "redis = function() return 1 end", "_G = {}", "redis.call = function() return 1 end",
        "cjson.encode = nil", "cmsgpack.pack = nil", "bit.lshift = nil", "string.foo = 1",
        "rawset(_G, 'x', 1)", "rawset(redis, 'call', 1)", "getmetatable('').__index.upper = nil",
        "math.random = nil", "table.insert = nil", "struct.pack = nil"}) {
    EXPECT_NE(Eval(h, s).find("Attempt to modify a readonly table"), std::string::npos) << s;
  }
}

TEST(LuaSandboxTest, NoWayOut) {
  Harness h;
  for (const char* g : {"loadfile", "dofile", "print", "require", "module", "io", "os", "debug",
                        "getfenv", "setfenv", "newproxy", "package"}) {
    std::string r = Eval(h, std::string("return ") + g);
    EXPECT_NE(r.find("nonexistent global variable '" + std::string(g) + "'"), std::string::npos)
        << g << ": " << r;
  }
  // Bytecode never loads, whichever way it comes in.
  EXPECT_NE(Eval(h, "return loadstring(string.dump(function() return 1 end))()")
                .find("attempt to call a nil value"),
            std::string::npos);
  EXPECT_EQ(Eval(h,
                 "local s = string.dump(function() return 1 end) local done = false "
                 "local f = load(function() if done then return nil end done = true return s "
                 "end) return f == nil"),
            "(integer) 1");
  // Text chunks are sandboxed like the script itself.
  EXPECT_NE(Eval(h, "loadstring('x = 1')()").find("readonly table"), std::string::npos);
  EXPECT_NE(Eval(h, "return loadstring('return os')()").find("nonexistent global"),
            std::string::npos);
  // pairs sees through the proxies.
  EXPECT_EQ(Eval(h, "local n = 0 for k in pairs(redis) do n = n + 1 end return n > 10"),
            "(integer) 1");
  EXPECT_EQ(Eval(h, "return rawget(redis, 'call') ~= nil"), "(integer) 1");
  EXPECT_EQ(Eval(h, "return getmetatable('').__index == string"), "(integer) 1");
}

TEST(LuaErrorTest, Shapes) {
  Harness h;
  EXPECT_EQ(Eval(h, "retur 1"),
            "(error) ERR Error compiling script (new function): user_script:1: '=' expected "
            "near '1'");
  std::string r = Eval(h, "redis.call('nosuch')");
  EXPECT_TRUE(r.starts_with("(error) ERR Unknown Redis command called from script script: "));
  EXPECT_TRUE(r.ends_with(", on @user_script:1.")) << r;
  EXPECT_TRUE(Eval(h, "redis.call('get')")
                  .starts_with("(error) ERR Wrong number of args calling Redis command from "
                               "script script: "));
  EXPECT_TRUE(Eval(h, "redis.call('subscribe', 'c')")
                  .starts_with("(error) ERR This Redis command is not allowed from script"));
  EXPECT_TRUE(Eval(h, "\n\nerror('boom')").starts_with("(error) ERR user_script:3: boom script:"));
  EXPECT_TRUE(Eval(h, "error({err='MY custom'})").starts_with("(error) MY custom script: "));
  EXPECT_TRUE(Eval(h, "return redis.call()").find("Please specify at least one argument") !=
              std::string::npos);
  EXPECT_TRUE(Eval(h, "redis.sha1hex()").starts_with("(error) ERR wrong number of arguments"));
  // pcall hands redis.call errors over as their text.
  h.Run({"SET", "s", "x"});
  EXPECT_EQ(Eval(h,
                 "local ok, e = pcall(function() redis.call('incr', 's') end) "
                 "return {type(e), e}"),
            "[string, ERR value is not an integer or out of range]");
  // A recursive table stops at the Lua stack limit instead of crashing.
  std::string raw = h.RunRaw({"EVAL", "local a = {} local b = {a} a[1] = b return a", "0"});
  EXPECT_NE(raw.find("-ERR reached lua stack limit\r\n"), std::string::npos);
  EXPECT_EQ(h.Run({"PING"}), "PONG");
}

TEST(LuaLibrariesTest, CjsonBitStruct) {
  Harness h;
  EXPECT_EQ(Eval(h, "return cjson.encode({1,2})"), "[1,2]");
  EXPECT_EQ(Eval(h, "local d = cjson.decode('{\"a\": \"b\"}') return d.a"), "b");
  EXPECT_EQ(Eval(h, "return bit.bor(1,2,4,8,16,32,64,128)"), "(integer) 255");
  EXPECT_EQ(Eval(h, "return bit.tohex(255)"), "000000ff");
  EXPECT_EQ(Eval(h, "return struct.pack('>I2', 258)"), std::string("\x01\x02", 2));
  EXPECT_EQ(Eval(h, "return {struct.unpack('<i2i4', struct.pack('<i2i4', -2, 70000))}"),
            "[(integer) -2, (integer) 70000, (integer) 7]");
  EXPECT_EQ(Eval(h, "return struct.size('>!4 b i4')"), "(integer) 8");
  EXPECT_EQ(Eval(h, "return {struct.unpack('s', 'ab\\0cd')}"), "[ab, (integer) 4]");
  EXPECT_EQ(Eval(h, "return {struct.unpack('Bc0', struct.pack('Bc0', 3, 'xyz'))}"),
            "[xyz, (integer) 5]");
  EXPECT_EQ(Eval(h, "return struct.unpack('>d', struct.pack('>d', 1.5)) * 2"), "(integer) 3");
}

std::string HexOf(Harness& h, const std::string& expr) {
  return Eval(h, "local e = " + expr +
                     " local s = '' for i = 1, #e do s = s .. string.format('%02x', "
                     "string.byte(e, i)) end return s");
}

TEST(LuaLibrariesTest, Cmsgpack) {
  Harness h;
  EXPECT_EQ(HexOf(h, "cmsgpack.pack(0.1)"), "cb3fb999999999999a");
  EXPECT_EQ(HexOf(h, "cmsgpack.pack(-1099511627776)"), "d3ffffff0000000000");
  EXPECT_EQ(HexOf(h, "cmsgpack.pack(1, -1, 200, -200, 70000, 'ab', true, false, nil)"),
            "01ffccc8d1ff38ce00011170a26162c3c2c0");
  EXPECT_EQ(HexOf(h, "cmsgpack.pack({1,2,3})"), "93010203");
  EXPECT_EQ(HexOf(h, "cmsgpack.pack({a=1})"), "81a16101");
  EXPECT_EQ(HexOf(h, "cmsgpack.pack(1.5)"), "ca3fc00000");
  EXPECT_EQ(Eval(h, "return cmsgpack.unpack(cmsgpack.pack({1,2,{x='y'}}))[3].x"), "y");
  EXPECT_EQ(Eval(h,
                 "local e = cmsgpack.pack('a', 'bb', 'ccc') "
                 "local o1, v1 = cmsgpack.unpack_one(e) local o2, v2 = cmsgpack.unpack_one(e, o1) "
                 "local o3, v3 = cmsgpack.unpack_limit(e, 1, o2) return {o1, v1, o2, v2, o3, v3}"),
            "[(integer) 2, a, (integer) 5, bb, (integer) -1, ccc]");
  EXPECT_NE(Eval(h, "return cmsgpack.unpack('\\146\\1')").find("Missing bytes in input."),
            std::string::npos);
  // Nesting deeper than 16 tables encodes nil.
  EXPECT_EQ(Eval(h,
                 "local a = {} a.x = a local re = cmsgpack.unpack(cmsgpack.pack(a)) "
                 "local d = 0 while type(re) == 'table' do re = re.x d = d + 1 end return d"),
            "(integer) 16");
}

}  // namespace
}  // namespace ember
