// Syntax grammar -> COMMAND DOCS argument trees, and the COMMAND DOCS reply of one row.
//
// How a syntax line becomes a tree (the grammar itself is described in command_table.h):
//
//  1. The line is split into words and the punctuation "[ ] ( ) < > | ...". A word with a
//     lower-case letter is an argument (its type guessed from the name, or forced by a
//     ":type" suffix); any other word ("NX", "*", "~") is a literal token.
//  2. Brackets are parsed recursively into alternatives of sequences. Each sequence is then
//     tidied in three passes:
//       - "..." marks the item before it as repeating; at the end of a group holding several
//         items ("[field value ...]") it makes the whole group repeat;
//       - a token directly followed by an argument or a "( )" group becomes that argument's
//         token ("EX seconds" -> seconds with token EX);
//       - "x [x ...]" folds into x with the multiple flag, also for several items
//         ("field value [field value ...]" -> one repeating block) and for tokens
//         ("GET pattern [GET pattern ...]" -> multiple_token).
//     Inside a group, a sequence that starts with a tokened argument and has more items
//     ("LIMIT offset count") becomes a block carrying the token, as Redis documents it.
//  3. A group with alternatives is a oneof; with one sequence of several items, a block; with a
//     single item, that item (flagged optional for "[ ]"). "[AGGREGATE SUM | MIN | MAX]" is
//     read the way people mean it: a oneof of SUM/MIN/MAX with the token AGGREGATE.
//  4. Key arguments get key_spec_index 0, 1, ... in order of appearance.
#include "server/command_docs.h"

#include <memory>
#include <unordered_map>

#include "protocol/reply_builder.h"
#include "server/arg_parser.h"
#include "server/command_table.h"

namespace ember {
namespace {

bool HasLower(std::string_view s) {
  for (char c : s)
    if (c >= 'a' && c <= 'z') return true;
  return false;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool ParseTypeName(std::string_view t, DocArgType* out) {
  static constexpr std::pair<std::string_view, DocArgType> kTypes[] = {
      {"string", DocArgType::kString},   {"integer", DocArgType::kInteger},
      {"double", DocArgType::kDouble},   {"key", DocArgType::kKey},
      {"pattern", DocArgType::kPattern}, {"unix-time", DocArgType::kUnixTime}};
  for (const auto& [name, type] : kTypes) {
    if (t == name) {
      *out = type;
      return true;
    }
  }
  return false;
}

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names)
    if (s == n) return true;
  return false;
}

// Guesses an argument's type from its name (and the command, for the ambiguous ones).
DocArgType GuessType(std::string_view name, std::string_view command) {
  if (name == "key" || EndsWith(name, "key") || IsOneOf(name, {"destination", "source"})) {
    return DocArgType::kKey;
  }
  if (StartsWith(name, "unix-time")) return DocArgType::kUnixTime;
  if (EndsWith(name, "pattern")) return DocArgType::kPattern;
  bool zset = StartsWith(command, "z") || StartsWith(command, "bz");
  if (IsOneOf(name, {"min", "max"})) {
    return zset && command.find("lex") == std::string_view::npos ? DocArgType::kDouble
                                                                 : DocArgType::kString;
  }
  if (name == "increment") {
    bool fp = command.find("float") != std::string_view::npos || command == "zincrby";
    return fp ? DocArgType::kDouble : DocArgType::kInteger;
  }
  if (IsOneOf(name, {"score", "weight", "longitude", "latitude", "radius", "width", "height"})) {
    return DocArgType::kDouble;
  }
  if (IsOneOf(
          name,
          {"count",       "seconds",       "milliseconds", "index",         "timeout", "numkeys",
           "offset",      "start",         "end",          "stop",          "db",      "port",
           "decrement",   "ttl",           "cursor",       "limit",         "len",     "length",
           "numreplicas", "protover",      "slot",         "epoch",         "rank",    "client-id",
           "clientid",    "min-idle-time", "maxage",       "destination-db"}) ||
      EndsWith(name, "-count") || EndsWith(name, "-seconds") || EndsWith(name, "-milliseconds") ||
      EndsWith(name, "-index") || EndsWith(name, "-timeout")) {
    return DocArgType::kInteger;
  }
  return DocArgType::kString;
}

bool SameArg(const DocArg& a, const DocArg& b) {
  if (a.name != b.name || a.type != b.type || a.token != b.token || a.flags != b.flags ||
      a.args.size() != b.args.size()) {
    return false;
  }
  for (size_t i = 0; i < a.args.size(); i++)
    if (!SameArg(a.args[i], b.args[i])) return false;
  return true;
}

// A generated name for a oneof/block: its token, else its first members' names.
std::string GroupName(const DocArg& g) {
  if (!g.token.empty()) return AsciiLower(g.token);
  std::string n;
  for (size_t i = 0; i < g.args.size() && i < 2; i++) {
    if (i) n += '-';
    n += g.args[i].name;
  }
  return n;
}

DocArg MakeGroup(DocArgType type, std::vector<DocArg> members, std::string token = {}) {
  DocArg g;
  g.type = type;
  g.args = std::move(members);
  g.token = std::move(token);
  g.name = GroupName(g);
  return g;
}

// One element of a sequence while it is being tidied.
struct Raw {
  DocArg arg;
  bool ellipsis = false;    // the "..." marker itself
  bool bare_token = false;  // a literal word not (yet) attached to an argument
  bool attached = false;    // got its token from the word before it
};

class SyntaxParser {
 public:
  SyntaxParser(std::string_view syntax, std::string_view command)
      : src_(syntax), command_(command) {}

  std::vector<DocArg> ParseTop() {
    std::vector<std::vector<Raw>> alts = ParseAlts('\0');
    if (alts.size() == 1) {
      bool gm = false;
      std::string block_token;
      return FinishSeq(std::move(alts[0]), false, &gm, &block_token);
    }
    std::vector<DocArg> out;  // a top-level "a | b": one oneof
    DocArg g = BuildGroup(std::move(alts));
    if (!g.name.empty() || !g.args.empty()) out.push_back(std::move(g));
    return out;
  }

 private:
  enum class Tok { kEnd, kWord, kOpen, kClose, kPipe, kEllipsis };

  Tok Next(std::string_view* word, char* bracket) {
    while (pos_ < src_.size() && (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\n'))
      pos_++;
    if (pos_ >= src_.size()) return Tok::kEnd;
    char c = src_[pos_];
    if (c == '[' || c == '(' || c == '<') {
      *bracket = c;
      pos_++;
      return Tok::kOpen;
    }
    if (c == ']' || c == ')' || c == '>') {
      *bracket = c;
      pos_++;
      return Tok::kClose;
    }
    if (c == '|') {
      pos_++;
      return Tok::kPipe;
    }
    if (src_.substr(pos_, 3) == "...") {
      pos_ += 3;
      return Tok::kEllipsis;
    }
    size_t start = pos_;
    while (pos_ < src_.size()) {
      char d = src_[pos_];
      if (d == ' ' || d == '\t' || d == '\n' || d == '[' || d == ']' || d == '(' || d == ')' ||
          d == '<' || d == '>' || d == '|' || src_.substr(pos_, 3) == "...") {
        break;
      }
      pos_++;
    }
    *word = src_.substr(start, pos_ - start);
    return Tok::kWord;
  }

  Raw MakeWord(std::string_view w) {
    Raw r;
    if (!HasLower(w)) {
      r.arg.name = AsciiLower(w);
      r.arg.type = DocArgType::kPureToken;
      r.arg.token = std::string(w);
      r.bare_token = true;
      return r;
    }
    size_t colon = w.rfind(':');
    DocArgType forced;
    if (colon != std::string_view::npos && ParseTypeName(w.substr(colon + 1), &forced)) {
      r.arg.name = std::string(w.substr(0, colon));
      r.arg.type = forced;
    } else {
      r.arg.name = std::string(w);
      r.arg.type = GuessType(w, command_);
    }
    return r;
  }

  // Parses alternatives of sequences until the closing bracket (or the end of the line).
  std::vector<std::vector<Raw>> ParseAlts(char close) {
    std::vector<std::vector<Raw>> alts(1);
    while (true) {
      std::string_view word;
      char bracket = 0;
      Tok t = Next(&word, &bracket);
      if (t == Tok::kEnd) break;
      if (t == Tok::kClose) {
        if (close != '\0') break;
        continue;  // stray closer at top level: ignore
      }
      if (t == Tok::kPipe) {
        alts.emplace_back();
      } else if (t == Tok::kEllipsis) {
        Raw r;
        r.ellipsis = true;
        alts.back().push_back(std::move(r));
      } else if (t == Tok::kWord) {
        alts.back().push_back(MakeWord(word));
      } else {  // kOpen
        char want = bracket == '[' ? ']' : bracket == '(' ? ')' : '>';
        Raw r;
        r.arg = BuildGroup(ParseAlts(want));
        if (bracket == '[') r.arg.flags |= kDocArgOptional;
        if (!r.arg.name.empty() || !r.arg.args.empty()) alts.back().push_back(std::move(r));
      }
    }
    return alts;
  }

  // Marks repeats: "x ..." repeats x; "... " closing a multi-item group repeats the group.
  static void ApplyEllipses(std::vector<Raw>* raw, bool in_group, bool* group_multiple) {
    std::vector<Raw> out;
    for (size_t i = 0; i < raw->size(); i++) {
      Raw& r = (*raw)[i];
      if (!r.ellipsis) {
        out.push_back(std::move(r));
        continue;
      }
      bool last = i + 1 == raw->size();
      if (last && in_group && out.size() > 1) {
        *group_multiple = true;
      } else if (!out.empty()) {
        out.back().arg.flags |= kDocArgMultiple;
      }
    }
    *raw = std::move(out);
  }

  // "EX seconds" -> seconds with token EX; "FILTERBY (...)" -> the group gets the token.
  static void AttachTokens(std::vector<Raw>* raw) {
    std::vector<Raw> out;
    for (size_t i = 0; i < raw->size(); i++) {
      Raw& r = (*raw)[i];
      if (r.bare_token && i + 1 < raw->size()) {
        Raw& next = (*raw)[i + 1];
        bool takes =
            !next.bare_token && next.arg.token.empty() && !(next.arg.flags & kDocArgOptional);
        if (takes) {
          next.arg.token = r.arg.token;
          if (next.arg.type == DocArgType::kOneOf || next.arg.type == DocArgType::kBlock) {
            next.arg.name = AsciiLower(next.arg.token);
          }
          next.attached = true;
          continue;
        }
      }
      out.push_back(std::move(r));
    }
    *raw = std::move(out);
  }

  // Folds "x [x ...]" (one or several items) into a repeating item.
  static void FoldRepeats(std::vector<Raw>* raw) {
    for (size_t i = 1; i < raw->size(); i++) {
      const DocArg& cur = (*raw)[i].arg;
      constexpr uint32_t kOptMul = kDocArgOptional | kDocArgMultiple;
      if ((cur.flags & kOptMul) != kOptMul) continue;
      DocArg inner = cur;
      inner.flags &= ~kOptMul;
      // Several items repeated as a block: "field value [field value ...]".
      size_t k = inner.type == DocArgType::kBlock && inner.token.empty() ? inner.args.size() : 0;
      if (k > 1 && k <= i) {
        bool same = true;
        for (size_t j = 0; j < k && same; j++) same = SameArg((*raw)[i - k + j].arg, inner.args[j]);
        if (same) {
          inner.flags |= kDocArgMultiple;
          Raw merged;
          merged.arg = std::move(inner);
          raw->erase(raw->begin() + long(i - k), raw->begin() + long(i + 1));
          raw->insert(raw->begin() + long(i - k), std::move(merged));
          i = i - k;
          continue;
        }
      }
      // A token-led block: "GET encoding offset [GET encoding offset ...]".
      size_t kt = inner.type == DocArgType::kBlock && !inner.token.empty() ? inner.args.size() : 0;
      if (kt > 0 && kt <= i && (*raw)[i - kt].arg.token == inner.token) {
        bool same = true;
        for (size_t j = 0; j < kt && same; j++) {
          DocArg a = (*raw)[i - kt + j].arg;
          if (j == 0) a.token.clear();
          same = SameArg(a, inner.args[j]);
        }
        if (same) {
          inner.flags |= kDocArgMultiple | kDocArgMultipleToken;
          Raw merged;
          merged.arg = std::move(inner);
          raw->erase(raw->begin() + long(i - kt), raw->begin() + long(i + 1));
          raw->insert(raw->begin() + long(i - kt), std::move(merged));
          i = i - kt;
          continue;
        }
      }
      DocArg& prev = (*raw)[i - 1].arg;
      DocArg prev_plain = prev;
      prev_plain.token = inner.token;
      if (!SameArg(prev_plain, inner) || (!inner.token.empty() && inner.token != prev.token)) {
        continue;
      }
      prev.flags |= kDocArgMultiple;
      if (!inner.token.empty()) prev.flags |= kDocArgMultipleToken;
      raw->erase(raw->begin() + long(i));
      i--;
    }
  }

  // Tidies one sequence (see the top of the file). In a group, "LIMIT offset count" moves the
  // token to the enclosing block (returned in *block_token).
  static std::vector<DocArg> FinishSeq(std::vector<Raw> raw, bool in_group, bool* group_multiple,
                                       std::string* block_token) {
    ApplyEllipses(&raw, in_group, group_multiple);
    AttachTokens(&raw);
    FoldRepeats(&raw);
    if (in_group && raw.size() >= 2 && raw[0].attached && !(raw[0].arg.flags & kDocArgMultiple)) {
      *block_token = std::move(raw[0].arg.token);
      raw[0].arg.token.clear();
    }
    std::vector<DocArg> out;
    out.reserve(raw.size());
    for (Raw& r : raw) out.push_back(std::move(r.arg));
    return out;
  }

  // One alternative of a group as a single argument (the item itself, or a block).
  static bool AltToArg(std::vector<Raw> alt, DocArg* out) {
    bool gm = false;
    std::string block_token;
    std::vector<DocArg> items = FinishSeq(std::move(alt), true, &gm, &block_token);
    if (items.empty()) return false;
    if (items.size() == 1 && block_token.empty()) {
      *out = std::move(items[0]);
    } else {
      *out = MakeGroup(DocArgType::kBlock, std::move(items), std::move(block_token));
    }
    if (gm) out->flags |= kDocArgMultiple;
    return true;
  }

  static bool IsPlainPureToken(const DocArg& a) {
    return a.type == DocArgType::kPureToken && a.flags == 0;
  }

  // Builds the argument for a bracketed group (without its optional flag).
  static DocArg BuildGroup(std::vector<std::vector<Raw>> alts) {
    std::vector<DocArg> members;
    for (auto& alt : alts) {
      DocArg a;
      if (AltToArg(std::move(alt), &a)) members.push_back(std::move(a));
    }
    if (members.empty()) return DocArg{};
    if (members.size() == 1) return std::move(members[0]);
    // "AGGREGATE SUM | MIN | MAX": the first alternative is two plain tokens, the others one.
    const DocArg& first = members[0];
    bool token_oneof = first.type == DocArgType::kBlock && first.token.empty() &&
                       first.flags == 0 && first.args.size() == 2 &&
                       IsPlainPureToken(first.args[0]) && IsPlainPureToken(first.args[1]);
    for (size_t i = 1; i < members.size() && token_oneof; i++) {
      token_oneof = IsPlainPureToken(members[i]);
    }
    if (token_oneof) {
      std::string token = members[0].args[0].token;
      DocArg head = std::move(members[0].args[1]);
      members[0] = std::move(head);
      return MakeGroup(DocArgType::kOneOf, std::move(members), std::move(token));
    }
    return MakeGroup(DocArgType::kOneOf, std::move(members));
  }

  std::string_view src_;
  std::string_view command_;
  size_t pos_ = 0;
};

void AssignKeySpecIndexes(std::vector<DocArg>* args, int num_key_specs, int* next) {
  for (DocArg& a : *args) {
    if (a.type == DocArgType::kKey && num_key_specs > 0) {
      a.key_spec_index = std::min(*next, num_key_specs - 1);
      (*next)++;
    }
    AssignKeySpecIndexes(&a.args, num_key_specs, next);
  }
}

void RenderOne(const DocArg& a, std::string* out);

void RenderList(const std::vector<DocArg>& args, std::string_view sep, std::string* out) {
  for (size_t i = 0; i < args.size(); i++) {
    if (i) out->append(sep);
    RenderOne(args[i], out);
  }
}

// The argument once, without its optional/multiple decoration.
void RenderCore(const DocArg& a, std::string* out) {
  if (a.type == DocArgType::kPureToken) {
    out->append(a.token);
    return;
  }
  if (!a.token.empty()) {
    out->append(a.token);
    out->push_back(' ');
  }
  if (a.type == DocArgType::kOneOf) {
    bool paren = !a.token.empty() || !(a.flags & kDocArgOptional) || (a.flags & kDocArgMultiple);
    if (paren) out->push_back('(');
    RenderList(a.args, " | ", out);
    if (paren) out->push_back(')');
  } else if (a.type == DocArgType::kBlock) {
    RenderList(a.args, " ", out);
  } else {
    out->append(a.name);
  }
}

void RenderOne(const DocArg& a, std::string* out) {
  bool opt = a.flags & kDocArgOptional;
  if (opt) out->push_back('[');
  RenderCore(a, out);
  if (a.flags & kDocArgMultiple) {
    out->append(" [");
    if (a.flags & kDocArgMultipleToken) {
      RenderCore(a, out);
    } else {
      DocArg plain = a;
      plain.token.clear();
      RenderCore(plain, out);
    }
    out->append(" ...]");
  }
  if (opt) out->push_back(']');
}

void ReplyDocArg(ReplyBuilder& r, const DocArg& a) {
  bool has_flags = a.flags != 0;
  size_t n = 2 + (a.key_spec_index >= 0) + !a.token.empty() + has_flags + !a.args.empty();
  r.MapHeader(n);
  r.Bulk("name");
  r.Bulk(a.name);
  r.Bulk("type");
  r.Bulk(DocArgTypeName(a.type));
  if (a.key_spec_index >= 0) {
    r.Bulk("key_spec_index");
    r.Integer(a.key_spec_index);
  }
  if (!a.token.empty()) {
    r.Bulk("token");
    r.Bulk(a.token);
  }
  if (has_flags) {
    r.Bulk("flags");
    size_t nf = bool(a.flags & kDocArgOptional) + bool(a.flags & kDocArgMultiple) +
                bool(a.flags & kDocArgMultipleToken);
    r.SetHeader(nf);
    if (a.flags & kDocArgOptional) r.SimpleString("optional");
    if (a.flags & kDocArgMultiple) r.SimpleString("multiple");
    if (a.flags & kDocArgMultipleToken) r.SimpleString("multiple_token");
  }
  if (!a.args.empty()) {
    r.Bulk("arguments");
    r.ArrayHeader(a.args.size());
    for (const DocArg& sub : a.args) ReplyDocArg(r, sub);
  }
}

}  // namespace

std::string_view DocArgTypeName(DocArgType t) {
  switch (t) {
    case DocArgType::kString:
      return "string";
    case DocArgType::kInteger:
      return "integer";
    case DocArgType::kDouble:
      return "double";
    case DocArgType::kKey:
      return "key";
    case DocArgType::kPattern:
      return "pattern";
    case DocArgType::kUnixTime:
      return "unix-time";
    case DocArgType::kPureToken:
      return "pure-token";
    case DocArgType::kOneOf:
      return "oneof";
    case DocArgType::kBlock:
      return "block";
  }
  return "string";
}

std::vector<DocArg> ParseDocSyntax(std::string_view syntax, std::string_view command,
                                   int num_key_specs) {
  SyntaxParser p(syntax, command);
  std::vector<DocArg> args = p.ParseTop();
  int next = 0;
  AssignKeySpecIndexes(&args, num_key_specs, &next);
  return args;
}

const std::vector<DocArg>& DocArgsFor(const CommandSpec& spec) {
  // Rows are immutable and live for the whole process, so their addresses are stable keys.
  static auto* cache = new std::unordered_map<const CommandSpec*, std::vector<DocArg>>();
  auto it = cache->find(&spec);
  if (it != cache->end()) return it->second;
  std::vector<DocArg> args = ParseDocSyntax(spec.syntax, spec.name, int(spec.key_specs.size()));
  return cache->emplace(&spec, std::move(args)).first->second;
}

void ReplyCommandDocs(ReplyBuilder& r, const CommandSpec& spec) {
  const std::vector<DocArg>& args = DocArgsFor(spec);
  size_t n = !spec.summary.empty() + !spec.since.empty() + 1 + !spec.complexity.empty() +
             !args.empty() + !spec.subcommands.empty();
  r.MapHeader(n);
  if (!spec.summary.empty()) {
    r.Bulk("summary");
    r.Bulk(spec.summary);
  }
  if (!spec.since.empty()) {
    r.Bulk("since");
    r.Bulk(spec.since);
  }
  r.Bulk("group");
  r.Bulk(spec.group);
  if (!spec.complexity.empty()) {
    r.Bulk("complexity");
    r.Bulk(spec.complexity);
  }
  if (!args.empty()) {
    r.Bulk("arguments");
    r.ArrayHeader(args.size());
    for (const DocArg& a : args) ReplyDocArg(r, a);
  }
  if (!spec.subcommands.empty()) {
    r.Bulk("subcommands");
    r.MapHeader(spec.subcommands.size());
    for (const auto& sub : spec.subcommands) {
      r.Bulk(sub->name);
      ReplyCommandDocs(r, *sub);
    }
  }
}

std::string RenderDocArgs(const std::vector<DocArg>& args) {
  std::string out;
  RenderList(args, " ", &out);
  return out;
}

}  // namespace ember
