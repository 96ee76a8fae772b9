// ReplyBuilder: serialises replies into a connection's output buffer, shaped for the client's
// protocol (RESP2 or RESP3). Handlers describe a reply once (a map, a double, a null) and the
// builder writes the RESP2 or RESP3 form, so no handler branches on the protocol for framing.
// It appends to a caller-owned std::string (no allocation on the hot path beyond buffer
// growth). Not thread-safe; one per connection, used by the command thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ember {

class ReplyBuilder {
 public:
  explicit ReplyBuilder(std::string* out, int resp = 2) : out_(out), resp_(resp) {}

  int resp() const { return resp_; }
  void set_resp(int v) { resp_ = v; }
  std::string* buffer() { return out_; }
  void set_buffer(std::string* out) { out_ = out; }

  // "+OK" style status.
  void SimpleString(std::string_view s);
  void Ok() { Raw("+OK\r\n"); }
  // Error line. `msg` is the text after '-', e.g. "ERR syntax error" or
  // "WRONGTYPE Operation ..."; CR/LF inside are replaced by spaces as Redis does.
  void Error(std::string_view msg);
  void Integer(int64_t v);
  void Bulk(std::string_view s);
  // The null bulk string ($-1 in RESP2, _ in RESP3).
  void NullBulk();
  // The null array (*-1 in RESP2, _ in RESP3).
  void NullArray();
  void ArrayHeader(size_t n);
  // A map of n key/value pairs: %n in RESP3, *2n in RESP2.
  void MapHeader(size_t n);
  // A set of n elements: ~n in RESP3, *n in RESP2.
  void SetHeader(size_t n);
  // Out-of-band push of n elements: >n in RESP3, *n in RESP2.
  void PushHeader(size_t n);
  // Double: ",1.5" in RESP3; a bulk string in RESP2. Formatted with %.17g like Redis 7.0
  // ("inf", "-inf", "nan" spelled as Redis does).
  void Double(double d);
  // Double formatted in Redis's "human" form (INCRBYFLOAT, HINCRBYFLOAT): %.17Lg with
  // trailing zeros trimmed, always as a bulk string.
  void HumanDouble(long double d);
  // Boolean: "#t"/"#f" in RESP3, integer 1/0 in RESP2.
  void Bool(bool b);
  // Big number: "(digits" in RESP3, bulk string in RESP2.
  void BigNumber(std::string_view digits);
  // Verbatim string: "=len\r\ntxt:..." in RESP3, bulk string in RESP2. `format` is 3 chars.
  void Verbatim(std::string_view s, std::string_view format = "txt");
  // The RESP3 null "_" (RESP2: $-1).
  void Null() { NullBulk(); }
  // Observer of error replies (errorstats, failed_calls). Called with the message after '-'.
  using ErrorHook = void (*)(void* arg, std::string_view msg);
  void set_error_hook(ErrorHook fn, void* arg) {
    error_hook_ = fn;
    error_hook_arg_ = arg;
  }
  // Appends pre-encoded bytes (shared constant replies).
  void Raw(std::string_view bytes) { out_->append(bytes); }

  // Formats a double like Redis's %.17g reply form into buf (>= 32 bytes); returns length.
  static size_t FormatDouble(double d, char* buf);
  static constexpr size_t kHumanDoubleMax = 5 * 1024 + 64;
  // Formats a long double in Redis's human-friendly form into buf (>= kHumanDoubleMax bytes);
  // returns the length.
  static size_t FormatHumanDouble(long double d, char* buf);

 private:
  void Header(char c, int64_t n);

  std::string* out_;
  int resp_;
  ErrorHook error_hook_ = nullptr;
  void* error_hook_arg_ = nullptr;
};

}  // namespace ember
