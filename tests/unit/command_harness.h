// In-process harness for command-family unit tests: a Server with no sockets, a ManualClock
// and one fake client. Run({"SET","k","v"}) executes a command exactly as the dispatcher
// would for a network client and returns the reply rendered in a compact, readable form:
//   +OK -> "OK"        $3 bar -> "bar"     $-1 / _ -> "(nil)"     :5 -> "(integer) 5"
//   -ERR x -> "(error) ERR x"   ,1.5 -> "(double) 1.5"   arrays/maps/sets -> "[a, b]"
// RunRaw returns the exact RESP bytes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "server/config.h"
#include "server/server.h"

namespace ember::testing {

// Rendered error replies many family tests compare against.
inline constexpr const char* kWrongType =
    "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr const char* kNotInt = "(error) ERR value is not an integer or out of range";
inline constexpr const char* kSyntax = "(error) ERR syntax error";

class Harness {
 public:
  explicit Harness(Config config = Config()) {
    auto clock = std::make_unique<ManualClock>();
    clock_ = clock.get();
    server_ = std::make_unique<Server>(std::move(config), std::move(clock));
    client_ = server_->CreateFakeClient();
  }

  std::string RunRaw(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    client_->obuf.clear();
    server_->Execute(*client_, views);
    return client_->obuf;
  }

  std::string Run(const std::vector<std::string>& args) {
    std::string raw = RunRaw(args);
    size_t pos = 0;
    return Render(raw, &pos);
  }

  ManualClock& clock() { return *clock_; }
  Server& server() { return *server_; }
  Client& client() { return *client_; }

  // Renders one RESP value starting at *pos.
  static std::string Render(const std::string& s, size_t* pos) {
    if (*pos >= s.size()) return "<empty>";
    char t = s[*pos];
    size_t eol = s.find("\r\n", *pos);
    std::string line = s.substr(*pos + 1, eol - *pos - 1);
    *pos = eol + 2;
    switch (t) {
      case '+':
        return line;
      case '-':
        return "(error) " + line;
      case ':':
        return "(integer) " + line;
      case ',':
        return "(double) " + line;
      case '#':
        return line == "t" ? "(true)" : "(false)";
      case '(':
        return "(big) " + line;
      case '_':
        return "(nil)";
      case '$':
      case '=': {
        long n = std::stol(line);
        if (n < 0) return "(nil)";
        std::string v = s.substr(*pos, size_t(n));
        *pos += size_t(n) + 2;
        return v;
      }
      case '*':
      case '~':
      case '>':
      case '%': {
        long n = std::stol(line);
        if (n < 0) return "(nil)";
        if (t == '%') n *= 2;
        std::string out = "[";
        for (long i = 0; i < n; i++) {
          if (i) out += ", ";
          out += Render(s, pos);
        }
        return out + "]";
      }
    }
    return "<bad:" + s.substr(*pos) + ">";
  }

 private:
  ManualClock* clock_;
  std::unique_ptr<Server> server_;
  Client* client_;
};

}  // namespace ember::testing
