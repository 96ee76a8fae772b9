// ember-check-aof: validates an AOF like redis-check-aof. Given a manifest it checks every file
// it lists (the base as RDB — the preamble and its tail of commands — or as commands, then each
// incr file); given a single file (Redis 6 style, or one file of a directory) it checks that
// one. It reports the offset of the first truncated or malformed command; with --fix it
// truncates the last file after the last complete command (asking y/N on stdin unless --yes).
// Exit status: 0 when everything is valid (or was fixed), 1 otherwise.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/db.h"
#include "persistence/aof_format.h"
#include "persistence/file_system.h"
#include "persistence/rdb_file.h"

namespace ember {
namespace {

struct Options {
  bool fix = false;
  bool yes = false;
  int64_t truncate_to_ts = -1;  // --truncate-to-timestamp
  std::string path;
};

enum class Outcome { kValid, kEmpty, kFixed, kInvalid };

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// Checks the RDB preamble at the start of `data`; sets *end to where it stops.
bool CheckRdbPreamble(std::string_view data, size_t* end, std::string* err) {
  SystemClock clock;
  Keyspace ks(16, &clock);
  RdbLoadOptions opt;
  opt.limits.hash = {512, 64};
  opt.limits.zset = {128, 64};
  opt.skip_expired = false;
  opt.on_function = [](std::string_view, std::string*) { return true; };
  RdbLoadResult res;
  if (!LoadRdb(data, ks, opt, &res, err)) return false;
  *end = res.bytes_consumed;
  return true;
}

bool Confirm(const Options& opt) {
  if (opt.yes) return true;
  printf("Continue? [y/N]: ");
  fflush(stdout);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

bool HasRdbPreamble(const std::string& path) {
  std::unique_ptr<MappedFile> file;
  return FileSystem::Posix().Map(path, &file).ok() && file->data().starts_with("REDIS");
}

// Offset of the first "#TS:" annotation later than `ts` in `data`, or npos.
size_t FindTimestampCut(std::string_view data, int64_t ts) {
  for (size_t pos = 0; pos < data.size();) {
    size_t eol = data.find('\n', pos);
    if (eol == std::string_view::npos) eol = data.size();
    std::string_view line = data.substr(pos, eol - pos);
    if (line.starts_with("#TS:") &&
        strtoll(std::string(line.substr(4)).c_str(), nullptr, 10) > ts) {
      return pos;
    }
    pos = eol + 1;
  }
  return std::string_view::npos;
}

// --truncate-to-timestamp: cuts the files at the first "#TS:" annotation later than the given
// time, so the dataset loads as of that time. Only the last file may be cut, and never to
// nothing. `files` are (path, name) in load order.
int TruncateToTimestamp(const std::vector<std::pair<std::string, std::string>>& files,
                        const Options& opt) {
  FileSystem& fs = FileSystem::Posix();
  long long ts = (long long)opt.truncate_to_ts;
  for (size_t i = 0; i < files.size(); i++) {
    const auto& [path, name] = files[i];
    std::unique_ptr<MappedFile> file;
    if (IoStatus st = fs.Map(path, &file); !st.ok()) {
      printf("Cannot open file %s: %s, aborting...\n", path.c_str(), st.msg.c_str());
      return 1;
    }
    size_t cut = FindTimestampCut(file->data(), opt.truncate_to_ts);
    if (cut == std::string_view::npos) continue;
    if (i + 1 != files.size()) {
      printf("Failed to truncate AOF %s to timestamp %lld because it is not the last file.\n",
             name.c_str(), ts);
      return 1;
    }
    if (cut == 0) {
      printf("Truncating AOF %s to timestamp %lld would remove all of it, aborting...\n",
             name.c_str(), ts);
      return 1;
    }
    file.reset();
    if (!fs.Truncate(path, cut).ok()) {
      printf("Failed to truncate AOF %s, aborting...\n", name.c_str());
      return 1;
    }
    printf("Successfully truncated AOF %s to timestamp %lld\n", name.c_str(), ts);
    return 0;
  }
  printf("No annotation after timestamp %lld: nothing to truncate\n", ts);
  return 0;
}

// Checks one file; `last` allows --fix to truncate it.
Outcome CheckFile(const std::string& path, const std::string& name, bool last, const Options& opt) {
  FileSystem& fs = FileSystem::Posix();
  std::unique_ptr<MappedFile> file;
  if (IoStatus st = fs.Map(path, &file); !st.ok()) {
    printf("Cannot open file %s: %s, aborting...\n", path.c_str(), st.msg.c_str());
    return Outcome::kInvalid;
  }
  std::string_view data = file->data();
  if (data.empty()) return Outcome::kEmpty;
  size_t start = 0;
  if (data.substr(0, 5) == "REDIS") {
    std::string err;
    if (!CheckRdbPreamble(data, &start, &err)) {
      printf("RDB preamble of AOF file is not sane, aborting.\n%s\n", err.c_str());
      return Outcome::kInvalid;
    }
    printf("RDB preamble is OK, proceeding with AOF tail...\n");
  }
  aof::ScanResult r = aof::ScanCommands(data, start);
  if (r.status == aof::ReadStatus::kEnd) return Outcome::kValid;
  printf("%s\n", r.message.c_str());
  size_t lines = 1 + size_t(std::count(data.begin(), data.begin() + r.valid_up_to, '\n'));
  printf("AOF analyzed: filename=%s, size=%zu, ok_up_to=%zu, ok_up_to_line=%zu, diff=%zu\n",
         name.c_str(), data.size(), r.valid_up_to, lines, data.size() - r.valid_up_to);
  if (!opt.fix) {
    printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", name.c_str());
    return Outcome::kInvalid;
  }
  if (!last) {
    printf("Failed to truncate AOF %s because it is not the last file\n", name.c_str());
    return Outcome::kInvalid;
  }
  printf("This will shrink the AOF %s from %zu bytes, with %zu bytes, to %zu bytes\n", name.c_str(),
         data.size(), data.size() - r.valid_up_to, r.valid_up_to);
  size_t valid = r.valid_up_to;
  file.reset();
  if (!Confirm(opt)) {
    printf("Aborting...\n");
    return Outcome::kInvalid;
  }
  if (!fs.Truncate(path, valid).ok()) {
    printf("Failed to truncate AOF %s\n", name.c_str());
    return Outcome::kInvalid;
  }
  return Outcome::kFixed;
}

void Report(Outcome o, const char* type, const std::string& name) {
  // "BASE AOF <name> is valid", "INCR AOF ...", or "AOF ..." for a single old-style file.
  std::string what = std::string_view(type) == "AOF" ? "AOF" : std::string(type) + " AOF";
  if (o == Outcome::kValid) printf("%s %s is valid\n", what.c_str(), name.c_str());
  if (o == Outcome::kEmpty) printf("%s %s is empty\n", what.c_str(), name.c_str());
  if (o == Outcome::kFixed) printf("Successfully truncated AOF %s\n", name.c_str());
}

int CheckManifest(const Options& opt) {
  FileSystem& fs = FileSystem::Posix();
  std::unique_ptr<MappedFile> file;
  if (IoStatus st = fs.Map(opt.path, &file); !st.ok()) {
    printf("Cannot open file %s: %s\n", opt.path.c_str(), st.msg.c_str());
    return 1;
  }
  aof::Manifest m;
  aof::ManifestError err;
  if (!aof::ParseManifest(file->data(), &m, &err)) {
    printf("%s", err.Describe().c_str());
    return 1;
  }
  std::string dir = DirName(opt.path);
  if (opt.truncate_to_ts >= 0) {
    std::vector<std::pair<std::string, std::string>> files;
    if (m.base) files.emplace_back(aof::JoinPath(dir, m.base->name), m.base->name);
    for (const aof::FileInfo& f : m.incr) files.emplace_back(aof::JoinPath(dir, f.name), f.name);
    return TruncateToTimestamp(files, opt);
  }
  printf("Start checking Multi Part AOF\n");
  size_t total = (m.base ? 1 : 0) + m.incr.size();
  size_t n = 0;
  if (m.base) {
    // The format is the content's (an RDB preamble starts with "REDIS"), not the name's.
    bool rdb = HasRdbPreamble(aof::JoinPath(dir, m.base->name));
    printf("Start to check BASE AOF (%s format).\n", rdb ? "RDB" : "RESP");
    Outcome o = CheckFile(aof::JoinPath(dir, m.base->name), m.base->name, ++n == total, opt);
    if (o == Outcome::kInvalid) return 1;
    Report(o, "BASE", m.base->name);
  }
  if (!m.incr.empty()) printf("Start to check INCR files.\n");
  for (const aof::FileInfo& f : m.incr) {
    Outcome o = CheckFile(aof::JoinPath(dir, f.name), f.name, ++n == total, opt);
    if (o == Outcome::kInvalid) return 1;
    Report(o, "INCR", f.name);
  }
  printf("All AOF files and manifest are valid\n");
  return 0;
}

int Main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    if (a == "--fix") {
      opt.fix = true;
    } else if (a == "--yes" || a == "-y") {
      opt.yes = true;
    } else if (a == "--truncate-to-timestamp" && i + 1 < argc) {
      opt.truncate_to_ts = strtoll(argv[++i], nullptr, 10);
    } else if (opt.path.empty() && !a.starts_with("--")) {
      opt.path = std::string(a);
    } else {
      opt.path.clear();
      break;
    }
  }
  if (opt.path.empty()) {
    printf(
        "Usage: %s [--fix [--yes] | --truncate-to-timestamp <unix-seconds>] "
        "<file.manifest|file.aof>\n",
        argv[0]);
    return 1;
  }
  if (opt.path.ends_with(".manifest")) return CheckManifest(opt);
  if (opt.truncate_to_ts >= 0) {
    return TruncateToTimestamp({{opt.path, opt.path.substr(opt.path.rfind('/') + 1)}}, opt);
  }
  printf("Start checking Old-Style AOF\n");
  std::string name = opt.path.substr(opt.path.rfind('/') + 1);
  Outcome o = CheckFile(opt.path, name, true, opt);
  if (o == Outcome::kInvalid) return 1;
  Report(o, "AOF", name);
  return 0;
}

}  // namespace
}  // namespace ember

int main(int argc, char** argv) { return ember::Main(argc, argv); }
