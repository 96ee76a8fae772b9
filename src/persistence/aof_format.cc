// AOF formats (see aof_format.h): manifest parse/format, file names, RESP command encoding and
// the command reader shared by the loader, ember-check-aof and the fuzzer.
#include "persistence/aof_format.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "server/arg_parser.h"

namespace ember::aof {
namespace {

constexpr size_t kManifestMaxLine = 1024;

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits a line into arguments like redis.conf lines (and Redis's manifest reader): plain
// words, "double quoted" with \n \r \t \b \a \xHH escapes, 'single quoted'. False on
// unbalanced quotes.
bool SplitArgs(std::string_view line, std::vector<std::string>* out) {
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) i++;
    if (i >= line.size()) return true;
    std::string cur;
    if (line[i] == '"') {
      i++;
      bool closed = false;
      while (i < line.size()) {
        char c = line[i];
        if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && HexValue(line[i + 2]) >= 0 &&
            HexValue(line[i + 3]) >= 0) {
          cur.push_back(char(HexValue(line[i + 2]) * 16 + HexValue(line[i + 3])));
          i += 4;
        } else if (c == '\\' && i + 1 < line.size()) {
          char n = line[i + 1];
          cur.push_back(n == 'n'   ? '\n'
                        : n == 'r' ? '\r'
                        : n == 't' ? '\t'
                        : n == 'b' ? '\b'
                        : n == 'a' ? '\a'
                                   : n);
          i += 2;
        } else if (c == '"') {
          i++;
          closed = true;
          break;
        } else {
          cur.push_back(c);
          i++;
        }
      }
      if (!closed) return false;
      if (i < line.size() && line[i] != ' ' && line[i] != '\t') return false;
    } else if (line[i] == '\'') {
      i++;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          cur.push_back('\'');
          i += 2;
        } else if (line[i] == '\'') {
          i++;
          closed = true;
          break;
        } else {
          cur.push_back(line[i++]);
        }
      }
      if (!closed) return false;
      if (i < line.size() && line[i] != ' ' && line[i] != '\t') return false;
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') cur.push_back(line[i++]);
    }
    out->push_back(std::move(cur));
  }
}

// A name is written bare unless it needs quoting (as Redis's sdscatrepr form).
void AppendName(std::string* out, std::string_view name) {
  bool plain = !name.empty();
  for (unsigned char c : name) {
    if (c <= ' ' || c >= 127 || c == '"' || c == '\'' || c == '\\') plain = false;
  }
  if (plain) {
    out->append(name);
    return;
  }
  out->push_back('"');
  for (unsigned char c : name) {
    switch (c) {
      case '\\':
      case '"':
        out->push_back('\\');
        out->push_back(char(c));
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < ' ' || c >= 127) {
          char buf[8];
          snprintf(buf, sizeof(buf), "\\x%02x", c);
          out->append(buf);
        } else {
          out->push_back(char(c));
        }
    }
  }
  out->push_back('"');
}

void AppendInfoLine(std::string* out, const FileInfo& f) {
  out->append("file ");
  AppendName(out, f.name);
  out->append(" seq ");
  out->append(std::to_string(f.seq));
  out->append(" type ");
  out->push_back(char(f.type));
  out->push_back('\n');
}

// Parses a decimal integer prefix like atoi/strtol (leading spaces, optional sign, digits);
// false when there are no digits.
bool ParseLeadingInt(std::string_view s, int64_t* out) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  int64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; i++) {
    if (v > (INT64_MAX - 9) / 10) return false;  // absurd: treat as malformed
    v = v * 10 + (s[i] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

}  // namespace

std::string Manifest::ToString() const {
  std::string out;
  if (base) AppendInfoLine(&out, *base);
  for (const FileInfo& f : history) AppendInfoLine(&out, f);
  for (const FileInfo& f : incr) AppendInfoLine(&out, f);
  return out;
}

std::string ManifestError::Describe() const {
  std::string s = "\n*** FATAL AOF MANIFEST FILE ERROR ***\n";
  if (line > 0) {
    s += "Reading the manifest file, at line " + std::to_string(line) + "\n";
    s += ">>> '" + line_text + "'\n";
  }
  return s + reason + "\n";
}

bool ParseManifest(std::string_view text, Manifest* out, ManifestError* err) {
  *out = Manifest();
  int linenum = 0;
  int64_t maxseq = 0;
  size_t pos = 0;
  auto fail = [&](std::string_view line, const char* reason) {
    err->line = line.data() ? linenum : 0;
    err->line_text = std::string(Trim(line));
    err->reason = reason;
    return false;
  };
  if (text.empty()) return fail({}, "Found an empty AOF manifest");
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos + 1);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    linenum++;
    if (raw[0] == '#') continue;
    if (raw.size() > kManifestMaxLine || raw.back() != '\n') {
      return fail(raw, "The AOF manifest file contains too long line");
    }
    std::string_view line = Trim(raw);
    if (line.empty()) return fail(raw, "Invalid AOF manifest file format");
    std::vector<std::string> argv;
    if (!SplitArgs(line, &argv) || argv.size() < 6 || argv.size() % 2) {
      return fail(line, "Invalid AOF manifest file format");
    }
    FileInfo f;
    char type = 0;
    for (size_t i = 0; i < argv.size(); i += 2) {
      if (EqualsIgnoreCase(argv[i], "file")) {
        f.name = argv[i + 1];
        if (f.name.find('/') != std::string::npos) {
          return fail(line, "File can't be a path, just a filename");
        }
      } else if (EqualsIgnoreCase(argv[i], "seq")) {
        int64_t v = 0;
        f.seq = ParseLeadingInt(argv[i + 1], &v) ? v : 0;
      } else if (EqualsIgnoreCase(argv[i], "type")) {
        type = argv[i + 1].empty() ? 0 : argv[i + 1][0];
      }
    }
    if (f.name.empty() || f.seq == 0 || type == 0) {
      return fail(line, "Invalid AOF manifest file format");
    }
    if (type == char(FileType::kBase)) {
      if (out->base) return fail(line, "Found duplicate base file information");
      f.type = FileType::kBase;
      out->curr_base_seq = f.seq;
      out->base = std::move(f);
    } else if (type == char(FileType::kHistory)) {
      f.type = FileType::kHistory;
      out->history.push_back(std::move(f));
    } else if (type == char(FileType::kIncr)) {
      if (f.seq <= maxseq) return fail(line, "Found a non-monotonic sequence number");
      f.type = FileType::kIncr;
      maxseq = f.seq;
      out->curr_incr_seq = f.seq;
      out->incr.push_back(std::move(f));
    } else {
      return fail(line, "Unknown AOF file type");
    }
  }
  return true;
}

std::string BaseFileName(std::string_view prefix, int64_t seq, bool rdb_preamble) {
  return std::string(prefix) + "." + std::to_string(seq) + ".base" +
         (rdb_preamble ? ".rdb" : ".aof");
}

std::string IncrFileName(std::string_view prefix, int64_t seq) {
  return std::string(prefix) + "." + std::to_string(seq) + ".incr.aof";
}

std::string ManifestFileName(std::string_view prefix) { return std::string(prefix) + ".manifest"; }

std::string TempManifestFileName(std::string_view prefix) {
  return "temp-" + std::string(prefix) + ".manifest";
}

std::string TempIncrFileName(std::string_view prefix) {
  return "temp-" + std::string(prefix) + ".incr";
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string p(dir);
  if (p.back() != '/') p.push_back('/');
  p.append(name);
  return p;
}

namespace {
template <typename Range>
void AppendCommandImpl(std::string* out, const Range& argv) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), argv.size());
  out->push_back('*');
  out->append(buf, r.ptr);
  out->append("\r\n");
  for (const auto& a : argv) {
    r = std::to_chars(buf, buf + sizeof(buf), a.size());
    out->push_back('$');
    out->append(buf, r.ptr);
    out->append("\r\n");
    out->append(a.data(), a.size());
    out->append("\r\n");
  }
}
}  // namespace

void AppendCommand(std::string* out, std::span<const std::string> argv) {
  AppendCommandImpl(out, argv);
}
void AppendCommand(std::string* out, std::span<const std::string_view> argv) {
  AppendCommandImpl(out, argv);
}
void AppendCommand(std::string* out, std::initializer_list<std::string_view> argv) {
  AppendCommandImpl(out, argv);
}

bool CommandReader::Line(size_t* p, std::string_view* line) const {
  size_t nl = data_.find('\n', *p);
  if (nl == std::string_view::npos) return false;
  *line = data_.substr(*p, nl - *p);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  *p = nl + 1;
  return true;
}

// Mirrors Redis's loader: '#' lines are skipped; "*<argc>" with argc >= 1; per argument
// "$<len>", len bytes and two more bytes (the CRLF, not checked by Redis either).
ReadStatus CommandReader::Next(std::vector<std::string_view>* argv) {
  argv->clear();
  while (true) {
    if (pos_ >= data_.size()) return ReadStatus::kEnd;
    err_pos_ = pos_;
    size_t p = pos_;
    std::string_view line;
    if (data_[p] == '#') {
      if (!Line(&p, &line)) return ReadStatus::kTruncated;
      pos_ = p;
      continue;
    }
    if (data_[p] != '*') return ReadStatus::kFormat;
    if (!Line(&p, &line)) return ReadStatus::kTruncated;
    int64_t argc = 0;
    if (!ParseLeadingInt(line.substr(1), &argc) || argc < 1) return ReadStatus::kFormat;
    // Each argument takes at least 6 bytes ("$0\r\n\r\n"): more than the data can hold means
    // the file was cut.
    if (uint64_t(argc) > (data_.size() - p) / 6 + 1) return ReadStatus::kTruncated;
    argv->reserve(size_t(argc));
    for (int64_t j = 0; j < argc; j++) {
      if (p >= data_.size()) return ReadStatus::kTruncated;
      if (data_[p] != '$') return ReadStatus::kFormat;
      if (!Line(&p, &line)) return ReadStatus::kTruncated;
      int64_t len = 0;
      if (!ParseLeadingInt(line.substr(1), &len)) len = 0;  // strtol gives 0, as Redis
      if (len < 0) return ReadStatus::kFormat;
      if (uint64_t(len) > data_.size() - p) return ReadStatus::kTruncated;
      argv->push_back(data_.substr(p, size_t(len)));
      p += size_t(len);
      if (data_.size() - p < 2) return ReadStatus::kTruncated;
      p += 2;
    }
    pos_ = p;
    return ReadStatus::kCommand;
  }
}

ScanResult ScanCommands(std::string_view data, size_t start) {
  ScanResult res;
  CommandReader reader(data, start);
  std::vector<std::string_view> argv;
  bool in_multi = false;
  size_t multi_start = start;
  res.valid_up_to = start;
  auto describe = [&](size_t off, const std::string& what) {
    char buf[32];
    snprintf(buf, sizeof(buf), "0x%16llx: ", static_cast<unsigned long long>(off));
    res.message = buf + what;
  };
  while (true) {
    ReadStatus st = reader.Next(&argv);
    if (st == ReadStatus::kCommand) {
      res.commands++;
      if (EqualsIgnoreCase(argv[0], "multi")) {
        if (in_multi) {
          res.status = ReadStatus::kFormat;
          res.error_offset = reader.error_offset();
          describe(res.error_offset, "Unexpected MULTI");
          return res;
        }
        in_multi = true;
        multi_start = reader.error_offset();
      } else if (EqualsIgnoreCase(argv[0], "exec")) {
        if (!in_multi) {
          res.status = ReadStatus::kFormat;
          res.error_offset = reader.error_offset();
          describe(res.error_offset, "Unexpected EXEC");
          return res;
        }
        in_multi = false;
      }
      if (!in_multi) res.valid_up_to = reader.offset();
      continue;
    }
    if (st == ReadStatus::kEnd) {
      if (in_multi) {
        res.status = ReadStatus::kTruncated;
        res.open_multi = true;
        res.error_offset = multi_start;
        describe(data.size(), "Reached EOF before reading EXEC for MULTI");
      }
      return res;
    }
    res.status = st;
    res.error_offset = reader.error_offset();
    if (!in_multi) res.valid_up_to = reader.offset();
    describe(res.error_offset, st == ReadStatus::kTruncated
                                   ? "Unexpected end of file (truncated command)"
                                   : "Bad format: expected '*' or '$' and a valid length");
    return res;
  }
}

}  // namespace ember::aof
