// AOF formats, free of any server state: the Redis 7 manifest (one line per file: `file <name>
// seq <n> type <b|h|i>`), the names of base/incr/temp files, the RESP encoding of a command as
// the AOF stores it, and a reader that walks the commands of an AOF buffer the way Redis's
// loader does (annotation lines starting with '#' skipped, a command cut short by the end of
// the data reported as truncated, anything else malformed reported as a format error). Used by
// the Aof (writing, loading), ember-check-aof and the AOF fuzzer.
// Thread: any (pure functions and plain values).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember::aof {

enum class FileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct FileInfo {
  std::string name;
  int64_t seq = 0;
  FileType type = FileType::kIncr;
};

// The manifest: the base (if any), history files waiting for deletion, incr files in order.
struct Manifest {
  std::optional<FileInfo> base;
  std::vector<FileInfo> history;
  std::vector<FileInfo> incr;
  int64_t curr_base_seq = 0;
  int64_t curr_incr_seq = 0;

  bool empty() const { return !base && incr.empty(); }
  // The manifest text: base first, then history, then incr files (as Redis writes it).
  std::string ToString() const;
};

struct ManifestError {
  int line = 0;           // 1-based; 0 when the error is not about one line
  std::string line_text;  // the offending line, trimmed
  std::string reason;     // Redis's wording ("Invalid AOF manifest file format", ...)
  // The whole message as Redis logs it (FATAL AOF MANIFEST FILE ERROR block).
  std::string Describe() const;
};

// Parses manifest text. Returns false and fills *err on bad input (same checks as Redis:
// empty manifest, too-long lines, fewer than 6 or an odd number of fields, missing keys, a
// path instead of a plain name, duplicate base, non-monotonic incr sequence, unknown type).
bool ParseManifest(std::string_view text, Manifest* out, ManifestError* err);

// File names: "<prefix>.<seq>.base.rdb" / ".base.aof", "<prefix>.<seq>.incr.aof",
// "<prefix>.manifest", "temp-<prefix>.manifest", "temp-<prefix>.incr".
std::string BaseFileName(std::string_view prefix, int64_t seq, bool rdb_preamble);
std::string IncrFileName(std::string_view prefix, int64_t seq);
std::string ManifestFileName(std::string_view prefix);
std::string TempManifestFileName(std::string_view prefix);
std::string TempIncrFileName(std::string_view prefix);
// dir + "/" + name (name alone when dir is empty).
std::string JoinPath(std::string_view dir, std::string_view name);

// Appends `*N\r\n$len\r\narg\r\n...` for argv.
void AppendCommand(std::string* out, std::span<const std::string> argv);
void AppendCommand(std::string* out, std::span<const std::string_view> argv);
void AppendCommand(std::string* out, std::initializer_list<std::string_view> argv);

enum class ReadStatus {
  kCommand,    // *argv holds the next command
  kEnd,        // clean end of the data
  kTruncated,  // the data ends inside a command (or inside an annotation line)
  kFormat,     // malformed (not '*', bad count, not '$', bad length)
};

// Walks the commands of an AOF image. `base_offset` is added to reported offsets (an AOF with
// an RDB preamble starts reading where the RDB ended). Never reads past the data; never
// allocates more than the data could hold.
class CommandReader {
 public:
  explicit CommandReader(std::string_view data, size_t start = 0) : data_(data), pos_(start) {}
  // argv views point into the data.
  ReadStatus Next(std::vector<std::string_view>* argv);
  // Offset just after the last complete command (or annotation) read.
  size_t offset() const { return pos_; }
  // Offset where the failing command (kTruncated/kFormat) started.
  size_t error_offset() const { return err_pos_; }

 private:
  // The line starting at *p without its "\r\n"/"\n"; false if no '\n' before the end.
  bool Line(size_t* p, std::string_view* line) const;
  std::string_view data_;
  size_t pos_;
  size_t err_pos_ = 0;
};

// Result of scanning a whole AOF image as ember-check-aof and the loader need it.
struct ScanResult {
  ReadStatus status = ReadStatus::kEnd;  // kEnd, kTruncated or kFormat
  size_t valid_up_to = 0;                // end of the last complete command outside an open MULTI
  size_t error_offset = 0;
  uint64_t commands = 0;
  bool open_multi = false;  // the data ended inside MULTI ... (no EXEC)
  std::string message;      // what went wrong, with the offset
};
// Scans the commands from `start` to the end (MULTI/EXEC pairing checked as Redis's
// redis-check-aof does: a MULTI inside a MULTI or an EXEC without MULTI is a format error).
ScanResult ScanCommands(std::string_view data, size_t start);

}  // namespace ember::aof
