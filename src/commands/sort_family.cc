// SORT and SORT_RO over lists, sets and sorted sets, with Redis 7.0's replies, errors and
// ordering rules.
//
// SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
//          [STORE destination]
//
// How a SORT runs:
//  1. Options are parsed left to right; the first bad one is the reply (a malformed LIMIT
//     number is "not an integer", anything else a syntax error, STORE included for SORT_RO).
//     Only then is the key looked up: absent is an empty list, a string or hash WRONGTYPE.
//  2. The LIMIT window [start, end] is clamped to the collection's size first, so a huge
//     count never sizes anything.
//  3. The elements are copied into one byte arena (a listpack or intset renders integers into
//     scratch space, so views would not outlive the walk), one Item per element. When nothing
//     is sorted (a BY pattern without '*', "BY nosort") a list or sorted set loads only the
//     window, in native order (from the tail for DESC); a set without sorting comes out in
//     its iteration order, except with STORE, where Redis sorts it ALPHA so that replicas
//     agree, and so do we.
//  4. Each element gets its sort key once: numeric mode parses the element (or its BY value)
//     as Redis does with strtod — the text up to the first NUL byte must be consumed
//     entirely, and overflow, underflow and NaN are errors ("One or more scores can't be
//     converted into double"); a missing BY value scores 0. ALPHA mode compares bytes (the C
//     locale's collation) of the element or its BY value; a missing BY value sorts first.
//     Without STORE Redis compares ALPHA keys as C strings (strcoll), which stops at a NUL
//     byte, so the stored key is cut there; with STORE it compares whole strings.
//  5. The comparison is a total order, so std::sort gives one answer: numeric ties fall back
//     to the element's bytes (as Redis, DESC reverses both); ALPHA ties keep the input order
//     (Redis's qsort is glibc's stable merge sort). When LIMIT selects a window only that
//     window is sorted (nth_element + partial_sort).
//  6. Output: the elements, or for each element the value of every GET pattern ("#" is the
//     element itself; a missing key or field is a nil, or "" in a stored list). STORE writes
//     a list (replacing any value and TTL) and replies its length; an empty result deletes
//     the destination.
//
// Patterns: the first '*' is replaced by the element; "->field" after it (with at least one
// byte following) reads a hash field instead of a string. Like Redis, the search for '*' and
// "->" stops at a NUL byte in the pattern. A key of another type reads as missing.
//
// Deliberate difference: Redis converts a small (listpack) sorted set to a skiplist when it
// is sorted, even by SORT_RO; Ember leaves the encoding (and the memory) alone.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash_object.h"
#include "core/list_object.h"
#include "core/listpack.h"
#include "core/set_object.h"
#include "core/zset_object.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

// The part of `s` a C string function sees: up to the first NUL byte.
std::string_view CString(std::string_view s) { return s.substr(0, s.find('\0')); }

// ---------------------------------------------------------------------------------------------
// Patterns (BY and GET)

// A BY/GET pattern split once: "#" (the element), no '*' (never matches), or
// prefix '*' postfix, optionally "->" field.
struct Pattern {
  enum class Kind { kSelf, kNone, kKey } kind = Kind::kNone;
  std::string_view prefix, postfix, field;
  bool has_field = false;
};

Pattern CompilePattern(std::string_view pat) {
  Pattern p;
  std::string_view c = CString(pat);
  if (c == "#") {
    p.kind = Pattern::Kind::kSelf;
    return p;
  }
  size_t star = c.find('*');
  if (star == std::string_view::npos) return p;
  p.kind = Pattern::Kind::kKey;
  p.prefix = pat.substr(0, star);
  size_t arrow = c.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < c.size()) {
    p.has_field = true;
    p.postfix = pat.substr(star + 1, arrow - star - 1);
    p.field = pat.substr(arrow + 2);  // the whole rest, NUL bytes included (as Redis)
  } else {
    p.postfix = pat.substr(star + 1);
  }
  return p;
}

// Resolves patterns against the keyspace with one reusable key buffer (no allocation per
// lookup once it has grown). A returned view is valid until the next Get.
class PatternLookup {
 public:
  explicit PatternLookup(CommandContext& ctx) : ctx_(ctx) {}

  // The value `p` names for `elem`; false when there is none (no '*', absent key or field,
  // or a key of the wrong type).
  bool Get(const Pattern& p, std::string_view elem, std::string_view* out) {
    return Get(p, elem, out, nullptr, nullptr);
  }
  // Like Get, but an integer-encoded string value is returned in *int_value (with *is_int
  // set) without rendering it as text: the numeric sort's fast path.
  bool Get(const Pattern& p, std::string_view elem, std::string_view* out, bool* is_int,
           int64_t* int_value) {
    if (is_int) *is_int = false;
    if (p.kind == Pattern::Kind::kSelf) {
      *out = elem;
      return true;
    }
    if (p.kind == Pattern::Kind::kNone) return false;
    key_.assign(p.prefix);
    key_.append(elem);
    key_.append(p.postfix);
    KvEntry* e = ctx_.db().LookupRead(key_, ctx_.read_flags());
    if (!e) return false;
    if (p.has_field) {
      if (e->type() != ObjType::kHash) return false;
      return HashObject(e->encoding(), e->obj()).Get(p.field, scratch_, out);
    }
    if (e->type() != ObjType::kString) return false;
    if (is_int && e->is_int()) {
      *is_int = true;
      *int_value = e->int_value();
      return true;
    }
    *out = e->StringValue(scratch_);
    return true;
  }

 private:
  CommandContext& ctx_;
  std::string key_;
  char scratch_[Listpack::kScratch];
};

// ---------------------------------------------------------------------------------------------
// Options

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;  // some BY pattern had no '*' (sticky, as in Redis)
  bool has_by = false;
  Pattern by;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::vector<Pattern> gets;
  bool has_store = false;
  std::string_view store;
};

// Parses the options after the key. Returns "" or the error to reply.
// `full_key_access`: the user may read every key (ACL); BY and GET patterns need it.
std::string_view ParseSortOptions(std::span<const std::string_view> args, bool readonly,
                                  bool full_key_access, SortOptions* o) {
  for (size_t j = 2; j < args.size(); j++) {
    std::string_view a = args[j];
    size_t left = args.size() - j - 1;
    if (EqualsIgnoreCase(a, "ASC")) {
      o->desc = false;
    } else if (EqualsIgnoreCase(a, "DESC")) {
      o->desc = true;
    } else if (EqualsIgnoreCase(a, "ALPHA")) {
      o->alpha = true;
    } else if (EqualsIgnoreCase(a, "LIMIT") && left >= 2) {
      if (!ParseInt64(args[j + 1], &o->limit_start) || !ParseInt64(args[j + 2], &o->limit_count)) {
        return errors::kNotInteger;
      }
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(a, "STORE") && left >= 1) {
      o->has_store = true;
      o->store = args[++j];
    } else if (EqualsIgnoreCase(a, "BY") && left >= 1) {
      std::string_view pat = args[++j];
      o->has_by = true;
      o->by = CompilePattern(pat);
      if (CString(pat).find('*') == std::string_view::npos) {
        o->dontsort = true;
      } else if (!full_key_access) {
        return errors::kSortByDenied;
      }
    } else if (EqualsIgnoreCase(a, "GET") && left >= 1) {
      if (!full_key_access) return errors::kSortGetDenied;
      o->gets.push_back(CompilePattern(args[++j]));
    } else {
      return errors::kSyntax;
    }
  }
  return {};
}

// The LIMIT window [start, end] over n elements, clamped as Redis does (end < start: empty).
struct Window {
  int64_t start, end;
  int64_t size() const { return end - start + 1; }
};

Window ClampWindow(int64_t n, int64_t limit_start, int64_t limit_count) {
  int64_t start = std::min(std::max<int64_t>(limit_start, 0), n);
  int64_t count = std::min(std::max<int64_t>(limit_count, -1), n);
  int64_t end = count < 0 ? n - 1 : start + count - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  return {start, end};
}

// ---------------------------------------------------------------------------------------------
// The sort vector

// One element: its bytes and its ALPHA key live in the arena (offsets, so the arena may grow).
struct Item {
  size_t off;
  size_t len;
  size_t key_off = 0;  // ALPHA: the bytes compared
  size_t key_len = 0;
  double score = 0;      // numeric mode
  bool has_key = false;  // ALPHA with BY: false when the BY value is missing (sorts first)
};

class SortVector {
 public:
  void Reserve(size_t n) { items_.reserve(n); }
  void Add(std::string_view elem) {
    items_.push_back(Item{.off = arena_.size(), .len = elem.size()});
    arena_.append(elem);
  }
  // Stores `key` as the ALPHA key of items()[i].
  void SetKey(size_t i, std::string_view key) {
    items_[i].key_off = arena_.size();
    items_[i].key_len = key.size();
    items_[i].has_key = true;
    arena_.append(key);
  }
  std::string_view Elem(const Item& it) const { return {arena_.data() + it.off, it.len}; }
  std::string_view Key(const Item& it) const { return {arena_.data() + it.key_off, it.key_len}; }
  std::vector<Item>& items() { return items_; }

 private:
  std::string arena_;
  std::vector<Item> items_;
};

// Loads the elements of `e` (nullptr: an empty collection) into v. With `dontsort`, a list or
// sorted set loads only window *w (reversed for DESC) and *w becomes relative to the vector.
void LoadElements(const KvEntry* e, bool dontsort, bool desc, Window* w, SortVector* v) {
  if (!e) return;
  auto add = [v](std::string_view s) { v->Add(s); };
  bool window_only = dontsort && e->type() != ObjType::kSet;
  if (e->type() == ObjType::kList) {
    ListObject l(e->encoding(), e->obj());
    int64_t n = int64_t(l.Len());
    if (!window_only) {
      v->Reserve(size_t(n));
      l.Range(0, n - 1, add);
      return;
    }
    if (w->size() <= 0) return;
    v->Reserve(size_t(w->size()));
    if (!desc) {
      l.Range(w->start, w->end, add);
    } else {
      l.Range(n - 1 - w->end, n - 1 - w->start, add);
      std::reverse(v->items().begin(), v->items().end());
    }
  } else if (e->type() == ObjType::kSet) {
    SetObject s = SetObject::FromEntry(e);
    v->Reserve(s.Size());
    s.ForEach(add);
    return;
  } else {
    ZSetObject z(e->encoding(), e->obj());
    size_t n = z.Len();
    auto add_member = [v](std::string_view m, double) { v->Add(m); };
    if (!window_only) {
      v->Reserve(n);
      z.ForRange(0, n, false, add_member);
      return;
    }
    if (w->size() <= 0) return;
    v->Reserve(size_t(w->size()));
    if (!desc) {
      z.ForRange(size_t(w->start), size_t(w->end) + 1, false, add_member);
    } else {
      z.ForRange(n - 1 - size_t(w->end), n - size_t(w->start), true, add_member);
    }
  }
  *w = {0, int64_t(v->items().size()) - 1};
}

// Redis's score of a sort value: strtod over the text before the first NUL, which must be
// consumed entirely; out of range and NaN fail. `buf` is reused scratch (NUL-terminated copy).
bool ParseSortScore(std::string_view s, std::string* buf, double* out) {
  // Fast path: a canonical integer converts exactly as strtod would round it.
  if (int64_t v; StringToInt64(s, &v)) {
    *out = double(v);
    return true;
  }
  buf->assign(CString(s));
  char* end;
  errno = 0;
  double d = std::strtod(buf->c_str(), &end);
  if (*end != '\0' || errno == ERANGE || std::isnan(d)) return false;
  *out = d;
  return true;
}

// Computes every item's sort key (score or ALPHA key), looking BY values up once each.
// Returns false when a numeric value does not parse (all lookups still happen, as in Redis).
bool ComputeKeys(const SortOptions& o, PatternLookup& lookup, SortVector* v) {
  bool ok = true;
  std::string buf;
  // Without STORE, Redis compares ALPHA keys as C strings.
  auto cut = [&o](std::string_view s) { return o.has_store ? s : CString(s); };
  std::vector<Item>& items = v->items();
  for (size_t i = 0; i < items.size(); i++) {
    std::string_view elem = v->Elem(items[i]);
    std::string_view val = elem;
    bool is_int = false;
    int64_t int_value = 0;
    bool numeric_by = o.has_by && !o.alpha;
    if (o.has_by && !lookup.Get(o.by, elem, &val, numeric_by ? &is_int : nullptr, &int_value)) {
      continue;  // missing: score 0 / sorts first
    }
    if (is_int) {
      items[i].score = double(int_value);
    } else if (o.alpha) {
      if (o.has_by) {
        v->SetKey(i, cut(val));
      } else {
        // The key is the element itself (or its C-string prefix): no copy.
        items[i].key_off = items[i].off;
        items[i].key_len = cut(elem).size();
        items[i].has_key = true;
      }
    } else if (!ParseSortScore(val, &buf, &items[i].score)) {
      ok = false;
    }
  }
  return ok;
}

// Orders the items so that window w holds what Redis's sort puts there.
void SortItems(const SortOptions& o, const Window& w, SortVector* v) {
  std::vector<Item>& items = v->items();
  const SortVector& sv = *v;
  auto numeric_less = [&sv, desc = o.desc](const Item& a, const Item& b) {
    int c = a.score < b.score ? -1 : a.score > b.score ? 1 : sv.Elem(a).compare(sv.Elem(b));
    return desc ? c > 0 : c < 0;
  };
  // ALPHA: key order (a missing key first), reversed for DESC; ties keep the input order,
  // which is the arena order of the elements.
  auto alpha_less = [&sv, desc = o.desc](const Item& a, const Item& b) {
    int c;
    if (!a.has_key || !b.has_key) {
      c = int(a.has_key) - int(b.has_key);
    } else {
      c = sv.Key(a).compare(sv.Key(b));
    }
    if (c != 0) return desc ? c > 0 : c < 0;
    return a.off != b.off ? a.off < b.off : a.len < b.len;
  };
  auto run = [&](auto less) {
    auto first = items.begin(), last = items.end();
    if (w.size() <= 0) return;
    if (w.start == 0 && w.end == int64_t(items.size()) - 1) return std::sort(first, last, less);
    if (w.start > 0) std::nth_element(first, first + w.start, last, less);
    std::partial_sort(first + w.start, first + w.end + 1, last, less);
  };
  if (o.alpha) {
    run(alpha_less);
  } else {
    run(numeric_less);
  }
}

// ---------------------------------------------------------------------------------------------
// Output

void ReplySorted(CommandContext& ctx, const SortOptions& o, const Window& w, SortVector& v,
                 PatternLookup& lookup) {
  ReplyBuilder& r = ctx.reply();
  int64_t per = o.gets.empty() ? 1 : int64_t(o.gets.size());
  r.ArrayHeader(size_t(std::max<int64_t>(w.size(), 0) * per));
  for (int64_t j = w.start; j <= w.end; j++) {
    std::string_view elem = v.Elem(v.items()[size_t(j)]);
    if (o.gets.empty()) r.Bulk(elem);
    for (const Pattern& p : o.gets) {
      std::string_view val;
      if (lookup.Get(p, elem, &val)) {
        r.Bulk(val);
      } else {
        r.NullBulk();
      }
    }
  }
}

void StoreSorted(CommandContext& ctx, const SortOptions& o, const Window& w, SortVector& v,
                 PatternLookup& lookup) {
  int64_t fill = ctx.cfg().list_max_listpack_size;
  ListObject l = ListObject::Create();
  for (int64_t j = w.start; j <= w.end; j++) {
    std::string_view elem = v.Elem(v.items()[size_t(j)]);
    if (o.gets.empty()) l.Push(ListEnd::kTail, elem, fill);
    for (const Pattern& p : o.gets) {
      std::string_view val;
      if (!lookup.Get(p, elem, &val)) val = std::string_view("", 0);  // never a null pointer
      l.Push(ListEnd::kTail, val, fill);
    }
  }
  Db& db = ctx.db();
  int64_t n = int64_t(l.Len());
  if (n == 0) {
    l.Destroy();
    if (db.Delete(o.store)) {
      db.NotifyModified(o.store);
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", o.store);
    }
  } else {
    db.Upsert(KvEntry::CreateObj(o.store, ObjType::kList, l.encoding(), l.obj()));
    db.NotifyModified(o.store);
    NotifyKeyspaceEvent(ctx, kNotifyList, "sortstore", o.store);
  }
  ctx.reply().Integer(n);
}

// ---------------------------------------------------------------------------------------------
// Commands

void SortGeneric(CommandContext& ctx, bool readonly) {
  SortOptions o;
  if (std::string_view err = ParseSortOptions(
          ctx.args(), readonly, ctx.client().user->CanAccessKey("*", kAclKeyRead), &o);
      !err.empty()) {
    return ctx.reply().Error(err);
  }
  const KvEntry* e = ctx.db().LookupRead(ctx.arg(1), ctx.read_flags());
  if (e && e->type() != ObjType::kList && e->type() != ObjType::kSet &&
      e->type() != ObjType::kZSet) {
    return ctx.reply().Error(errors::kWrongType);
  }
  // An unsorted set would come out in hash order; stored results and what a script sees
  // must not depend on it (scripts must be deterministic), so such output is sorted.
  if (o.dontsort && e && e->type() == ObjType::kSet &&
      (o.has_store || ctx.server().script_running())) {
    o.dontsort = false;
    o.alpha = true;
    o.has_by = false;
  }
  int64_t n = 0;
  if (e && e->type() == ObjType::kList) n = int64_t(ListObject(e->encoding(), e->obj()).Len());
  if (e && e->type() == ObjType::kSet) n = int64_t(SetObject::FromEntry(e).Size());
  if (e && e->type() == ObjType::kZSet) n = int64_t(ZSetObject(e->encoding(), e->obj()).Len());
  Window w = ClampWindow(n, o.limit_start, o.limit_count);

  SortVector v;
  LoadElements(e, o.dontsort, o.desc, &w, &v);
  PatternLookup lookup(ctx);
  if (!o.dontsort) {
    if (!ComputeKeys(o, lookup, &v)) return ctx.reply().Error(errors::kSortNotDouble);
    SortItems(o, w, &v);
  }
  if (o.has_store) return StoreSorted(ctx, o, w, v, lookup);
  ReplySorted(ctx, o, w, v, lookup);
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC]
//      [ALPHA] [STORE destination]
void Sort(CommandContext& ctx) { SortGeneric(ctx, false); }

// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC]
//         [ALPHA]
void SortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

// Keys of a SORT call (COMMAND GETKEYS, ACL): the sorted key and the last STORE destination.
// The scan skips the arguments of LIMIT, GET and BY, so "GET store" is not a STORE; a STORE
// keyword's destination is examined as a keyword itself, as Redis does.
bool SortGetKeys(std::span<const std::string_view> args, std::vector<int>* keys,
                 std::vector<uint32_t>* key_flags) {
  keys->push_back(1);
  if (key_flags) key_flags->push_back(kKsRO | kKsAccess);
  int store = -1;
  for (size_t i = 2; i < args.size(); i++) {
    if (EqualsIgnoreCase(args[i], "LIMIT")) {
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "GET") || EqualsIgnoreCase(args[i], "BY")) {
      i += 1;
    } else if (EqualsIgnoreCase(args[i], "STORE") && i + 1 < args.size()) {
      store = int(i + 1);
    }
  }
  if (store >= 0) {
    keys->push_back(store);
    if (key_flags) key_flags->push_back(kKsOW | kKsUpdate);
  }
  return true;
}

constexpr std::string_view kSortComplexity =
    "O(N+M*log(M)) where N is the number of elements to sort and M the number returned; O(N) "
    "when nothing is sorted";
constexpr std::string_view kPatternNotes =
    "BY and GET patterns: the keys they name come from the sorted values, so no spec can "
    "locate them";

}  // namespace

void RegisterSortFamily(CommandTable& t) {
  constexpr uint64_t kAclSortTypes = kAclSet | kAclSortedSet | kAclList | kAclSlow | kAclDangerous;
  const KeySpec patterns{.flags = kKsRO | kKsAccess, .unknown = true, .notes = kPatternNotes};
  CommandSpec sort{
      .name = "sort",
      .arity = -2,
      .flags = kCmdWrite | kCmdDenyOom | kCmdMovableKeys,
      .acl = kAclWrite | kAclSortTypes,
      .key_specs = {KeyAt(1, kKsRO | kKsAccess), patterns,
                    KeySpec{.flags = kKsOW | kKsUpdate,
                            .unknown = true,
                            .notes = "STORE destination: the keyword may come anywhere among the "
                                     "options"}},
      .group = "generic",
      .since = "1.0.0",
      .summary =
          "Sorts the elements of a list, set or sorted set, optionally storing them as a "
          "list.",
      .complexity = kSortComplexity,
      .syntax =
          "key [BY pattern] [LIMIT offset:integer count:integer] [GET pattern [GET pattern "
          "...]] [ASC | DESC] [ALPHA] [STORE destination]",
      .handler = Sort,
      .get_keys = SortGetKeys};
  t.Add(std::move(sort));
  t.Add({.name = "sort_ro",
         .arity = -2,
         .flags = kCmdReadOnly | kCmdMovableKeys,
         .acl = kAclRead | kAclSortTypes,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess), patterns},
         .group = "generic",
         .since = "7.0.0",
         .summary = "Sorts the elements of a list, set or sorted set (the read-only SORT).",
         .complexity = kSortComplexity,
         .syntax = "key [BY pattern] [LIMIT offset:integer count:integer] [GET pattern [GET "
                   "pattern ...]] [ASC | DESC] [ALPHA]",
         .handler = SortRo});
}

}  // namespace ember
