// Sorted-set commands: ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZCOUNT, ZLEXCOUNT,
// ZRANK, ZREVRANK, ZRANGE (BYSCORE | BYLEX, REV, LIMIT, WITHSCORES), ZRANGESTORE,
// ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZREVRANGE, ZRANGEBYLEX, ZREVRANGEBYLEX, ZPOPMIN, ZPOPMAX,
// ZREMRANGEBYRANK / BYSCORE / BYLEX, ZRANDMEMBER and ZSCAN, with Redis 7.2 replies and errors.
// The multi-key commands (ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD) live in zset_setops.cc,
// ZMPOP and the blocking pops (BZPOPMIN, BZPOPMAX, BZMPOP) in zset_blocking.cc.
//
// The value is a ZSetObject (core/zset_object.h): a sorted listpack while small, a skiplist
// with a member index past zset-max-listpack-entries / zset-max-listpack-value (ServerConfig).
// Every range query is reduced to a rank interval [lo, hi) through ZSetObject::CountBelow
// (O(log n) on the skiplist), then walked or deleted by rank. Writers store the possibly moved
// object back (set_obj), rebuild the entry when the encoding changed (Db::ReplaceEntry with
// move_obj, keeping the TTL), and delete the key when the set became empty.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/glob.h"
#include "core/zset_object.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"
#include "server/scan_args.h"

namespace ember {
namespace {

// ---------------------------------------------------------------------------------------------
// Lookup and store helpers

ZSetLimits Limits(const CommandContext& ctx) {
  return {ctx.cfg().zset_max_listpack_entries, ctx.cfg().zset_max_listpack_value};
}

// Looks a zset up for reading. Returns false after replying WRONGTYPE; *e is nullptr when the
// key is absent.
bool ReadZSet(CommandContext& ctx, std::string_view key, KvEntry** e) {
  return ctx.LookupTyped(key, ObjType::kZSet, false, e);
}

// Looks a zset up for writing, like ReadZSet.
bool WriteZSet(CommandContext& ctx, std::string_view key, KvEntry** e) {
  return ctx.LookupTyped(key, ObjType::kZSet, true, e);
}

ZSetObject View(const KvEntry* e) { return ZSetObject(e->encoding(), e->obj()); }

// Stores `z` (possibly moved or re-encoded) as the value of `key`, whose entry is `e` (or
// nullptr: a new key). An empty set deletes the key (or is just freed when it was never
// linked). Notifies the change.
void Store(Db& db, std::string_view key, KvEntry* e, ZSetObject z) {
  if (!e && z.Len() == 0) {
    z.Destroy();
    return;
  }
  db.StoreObject(key, e, ObjType::kZSet, z.encoding(), z.obj());
  if (z.Len() == 0) db.Delete(key);
  db.NotifyModified(key);
}

// Store for a write that removed or changed members of the existing `e`, reporting keyspace
// event `event` and then "del" when the set was emptied (Redis's order).
void StoreAndNotify(CommandContext& ctx, std::string_view key, KvEntry* e, ZSetObject z,
                    std::string_view event) {
  bool emptied = z.Len() == 0;
  Store(ctx.db(), key, e, z);
  NotifyKeyspaceEvent(ctx, kNotifyZset, event, key);
  if (emptied) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
}

// A score as ZSCAN writes it: %.17g text inside an array of bulk strings (also in RESP3).
std::string_view ScoreText(double s, char* buf /* >= 32 */) {
  return {buf, ReplyBuilder::FormatDouble(s, buf)};
}

using Scored = std::pair<std::string, double>;

// Writes (member, score) pairs: flat in RESP2 (or without scores), [member, score] pairs in
// RESP3 when `nested_ok`.
void ReplyScored(ReplyBuilder& r, const std::vector<Scored>& items, bool with_scores,
                 bool nested_ok = true) {
  bool nested = with_scores && nested_ok && r.resp() >= 3;
  r.ArrayHeader(with_scores && !nested ? items.size() * 2 : items.size());
  for (const Scored& it : items) {
    if (nested) r.ArrayHeader(2);
    r.Bulk(it.first);
    if (with_scores) r.Double(it.second);
  }
}

// Rank interval [*lo, *hi) for Redis's start/stop indexes (negative from the end).
void RankInterval(int64_t start, int64_t stop, size_t len, size_t* lo, size_t* hi) {
  int64_t n = int64_t(len);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) {
    *lo = *hi = 0;
    return;
  }
  if (stop >= n) stop = n - 1;
  *lo = size_t(start);
  *hi = size_t(stop) + 1;
}

// ---------------------------------------------------------------------------------------------
// Score and lex ranges

struct ScoreRange {
  double min, max;
  bool minex = false, maxex = false;
};

// A range bound as Redis reads it: plain strtod over the whole text (so "" and "(" read as 0
// and leading blanks are allowed), NaN refused.
bool ParseScoreBound(std::string_view s, double* v, bool* ex) {
  *ex = !s.empty() && s[0] == '(';
  if (*ex) s.remove_prefix(1);
  if (s.size() > 256) return false;
  char buf[257];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end;
  *v = std::strtod(buf, &end);
  return end == buf + s.size() && !std::isnan(*v);
}

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* r) {
  return ParseScoreBound(min, &r->min, &r->minex) && ParseScoreBound(max, &r->max, &r->maxex);
}

struct LexBound {
  enum Kind { kNegInf, kPosInf, kValue } kind = kValue;
  std::string_view value;
  bool ex = false;
};

bool ParseLexBound(std::string_view s, LexBound* b) {
  if (s == "-") {
    b->kind = LexBound::kNegInf;
  } else if (s == "+") {
    b->kind = LexBound::kPosInf;
  } else if (!s.empty() && (s[0] == '[' || s[0] == '(')) {
    b->kind = LexBound::kValue;
    b->ex = s[0] == '(';
    b->value = s.substr(1);
  } else {
    return false;
  }
  return true;
}

struct LexRange {
  LexBound min, max;
};

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* r) {
  return ParseLexBound(min, &r->min) && ParseLexBound(max, &r->max);
}

// Rank interval of the elements inside a score range.
void ScoreInterval(const ZSetObject& z, const ScoreRange& r, size_t* lo, size_t* hi) {
  *lo = z.CountBelow(
      [&r](double s, std::string_view) { return s < r.min || (r.minex && s == r.min); });
  *hi = z.CountBelow(
      [&r](double s, std::string_view) { return s < r.max || (!r.maxex && s == r.max); });
  if (*hi < *lo) *hi = *lo;
}

// True if member m sorts before bound b's range start (as a minimum) ...
bool BeforeMin(const LexBound& b, std::string_view m) {
  if (b.kind == LexBound::kNegInf) return false;
  if (b.kind == LexBound::kPosInf) return true;
  return b.ex ? m <= b.value : m < b.value;
}

// ... or is not past bound b as a maximum.
bool NotPastMax(const LexBound& b, std::string_view m) {
  if (b.kind == LexBound::kNegInf) return false;
  if (b.kind == LexBound::kPosInf) return true;
  return b.ex ? m < b.value : m <= b.value;
}

void LexInterval(const ZSetObject& z, const LexRange& r, size_t* lo, size_t* hi) {
  *lo = z.CountBelow([&r](double, std::string_view m) { return BeforeMin(r.min, m); });
  *hi = z.CountBelow([&r](double, std::string_view m) { return NotPastMax(r.max, m); });
  if (*hi < *lo) *hi = *lo;
}

// ---------------------------------------------------------------------------------------------
// ZADD / ZINCRBY

struct AddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

// Outcome of adding one element.
struct AddResult {
  bool added = false, updated = false, skipped = false, nan = false;
  double score = 0;
};

AddResult AddOne(ZSetObject& z, std::string_view member, double score, const AddFlags& f,
                 const ZSetLimits& limits) {
  AddResult res;
  double cur;
  if (z.Score(member, &cur)) {
    if (f.nx) {
      res.skipped = true;
      return res;
    }
    double fresh = f.incr ? cur + score : score;
    if (std::isnan(fresh)) {
      res.nan = true;
      return res;
    }
    if ((f.gt && fresh <= cur) || (f.lt && fresh >= cur)) {
      res.skipped = true;
      return res;
    }
    res.score = fresh;
    if (fresh != cur) {
      z.Set(member, fresh, limits);
      res.updated = true;
    }
    return res;
  }
  if (f.xx) {
    res.skipped = true;
    return res;
  }
  z.Set(member, score, limits);
  res.added = true;
  res.score = score;
  return res;
}

// Parses ZADD's leading options; returns the index of the first score.
size_t ParseAddFlags(CommandContext& ctx, AddFlags* f) {
  size_t i = 2;
  for (; i < ctx.argc(); i++) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "NX")) {
      f->nx = true;
    } else if (EqualsIgnoreCase(a, "XX")) {
      f->xx = true;
    } else if (EqualsIgnoreCase(a, "GT")) {
      f->gt = true;
    } else if (EqualsIgnoreCase(a, "LT")) {
      f->lt = true;
    } else if (EqualsIgnoreCase(a, "CH")) {
      f->ch = true;
    } else if (EqualsIgnoreCase(a, "INCR")) {
      f->incr = true;
    } else {
      break;
    }
  }
  return i;
}

// Checks ZADD's options and scores; replies the error and returns false when invalid.
bool ValidateAdd(CommandContext& ctx, const AddFlags& f, size_t first,
                 std::vector<double>* scores) {
  size_t elements = ctx.argc() - first;
  if (elements % 2 != 0 || elements == 0) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  if (f.nx && f.xx) {
    ctx.reply().Error(errors::kZAddXxNx);
    return false;
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    ctx.reply().Error(errors::kZAddGtLtNx);
    return false;
  }
  if (f.incr && elements > 2) {
    ctx.reply().Error(errors::kZAddIncrPair);
    return false;
  }
  scores->resize(elements / 2);
  for (size_t j = 0; j < scores->size(); j++) {
    if (!ParseDouble(ctx.arg(first + 2 * j), &(*scores)[j])) {
      ctx.reply().Error(errors::kNotFloat);
      return false;
    }
  }
  return true;
}

// Runs the validated ZADD/ZINCRBY on `key` and writes the reply.
void ExecuteAdd(CommandContext& ctx, const AddFlags& f, size_t first,
                const std::vector<double>& scores) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteZSet(ctx, key, &e)) return;
  ReplyBuilder& r = ctx.reply();
  if (!e && f.xx) return f.incr ? r.NullBulk() : r.Integer(0);
  ZSetObject z = e ? View(e) : ZSetObject::Create();
  ZSetLimits limits = Limits(ctx);
  int64_t added = 0, updated = 0;
  AddResult last;
  for (size_t j = 0; j < scores.size(); j++) {
    last = AddOne(z, ctx.arg(first + 2 * j + 1), scores[j], f, limits);
    added += last.added;
    updated += last.updated;
  }
  if (added || updated) {
    Store(ctx.db(), key, e, z);
    NotifyKeyspaceEvent(ctx, kNotifyZset, f.incr ? "zincr" : "zadd", key);
  }
  if (!e && !added) z.Destroy();
  if (last.nan) return r.Error(errors::kZScoreNaN);
  if (!f.incr) return r.Integer(f.ch ? added + updated : added);
  if (last.skipped) return r.NullBulk();
  r.Double(last.score);
}

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
void ZAdd(CommandContext& ctx) {
  AddFlags f;
  size_t first = ParseAddFlags(ctx, &f);
  std::vector<double> scores;
  if (!ValidateAdd(ctx, f, first, &scores)) return;
  ExecuteAdd(ctx, f, first, scores);
}

// ZINCRBY key increment member
void ZIncrBy(CommandContext& ctx) {
  AddFlags f;
  f.incr = true;
  std::vector<double> scores(1);
  if (!ParseDouble(ctx.arg(2), &scores[0])) return ctx.reply().Error(errors::kNotFloat);
  ExecuteAdd(ctx, f, 2, scores);
}

// ---------------------------------------------------------------------------------------------
// Simple writes and reads

// ZREM key member [member ...]
void ZRem(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteZSet(ctx, key, &e)) return;
  if (!e) return ctx.reply().Integer(0);
  ZSetObject z = View(e);
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc() && z.Len() > 0; i++) deleted += z.Delete(ctx.arg(i));
  if (deleted) StoreAndNotify(ctx, key, e, z, "zrem");
  ctx.reply().Integer(deleted);
}

// ZCARD key
void ZCard(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  ctx.reply().Integer(e ? int64_t(View(e).Len()) : 0);
}

// ZSCORE key member
void ZScore(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  double s;
  if (!e || !View(e).Score(ctx.arg(2), &s)) return ctx.reply().NullBulk();
  ctx.reply().Double(s);
}

// ZMSCORE key member [member ...]
void ZMScore(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    double s;
    if (e && View(e).Score(ctx.arg(i), &s)) {
      r.Double(s);
    } else {
      r.NullBulk();
    }
  }
}

// ZRANK / ZREVRANK key member [WITHSCORE]
void RankCommand(CommandContext& ctx, bool rev) {
  if (ctx.argc() > 4) return ctx.reply().Error(errors::WrongArity(ctx.spec().name));
  bool with_score = ctx.argc() == 4;
  if (with_score && !EqualsIgnoreCase(ctx.arg(3), "WITHSCORE")) {
    return ctx.reply().Error(errors::kSyntax);
  }
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  ReplyBuilder& r = ctx.reply();
  size_t rank;
  double score;
  if (!e || !View(e).Rank(ctx.arg(2), &rank, &score)) {
    return with_score ? r.NullArray() : r.NullBulk();
  }
  if (rev) rank = View(e).Len() - 1 - rank;
  if (!with_score) return r.Integer(int64_t(rank));
  r.ArrayHeader(2);
  r.Integer(int64_t(rank));
  r.Double(score);
}

// ZRANK key member [WITHSCORE]
void ZRank(CommandContext& ctx) { RankCommand(ctx, false); }
// ZREVRANK key member [WITHSCORE]
void ZRevRank(CommandContext& ctx) { RankCommand(ctx, true); }

// ZCOUNT key min max
void ZCount(CommandContext& ctx) {
  ScoreRange range;
  if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &range)) {
    return ctx.reply().Error(errors::kZMinMaxNotFloat);
  }
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  size_t lo = 0, hi = 0;
  if (e) ScoreInterval(View(e), range, &lo, &hi);
  ctx.reply().Integer(int64_t(hi - lo));
}

// ZLEXCOUNT key min max
void ZLexCount(CommandContext& ctx) {
  LexRange range;
  if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &range)) {
    return ctx.reply().Error(errors::kZMinMaxNotString);
  }
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  size_t lo = 0, hi = 0;
  if (e) LexInterval(View(e), range, &lo, &hi);
  ctx.reply().Integer(int64_t(hi - lo));
}

// ---------------------------------------------------------------------------------------------
// ZRANGE family

enum class RangeType { kAuto, kRank, kScore, kLex };

struct RangeOpts {
  RangeType type = RangeType::kAuto;
  int dir = 0;  // 0 auto, 1 forward, -1 reverse
  bool with_scores = false;
  int64_t offset = 0;
  int64_t limit = -1;
  size_t src = 1;  // index of the source key (ZRANGESTORE: 2)
};

// Parses the options after "<src> <min> <max>"; replies and returns false on errors.
bool ParseRangeOpts(CommandContext& ctx, bool store, RangeOpts* o) {
  for (size_t j = o->src + 3; j < ctx.argc(); j++) {
    std::string_view a = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (!store && EqualsIgnoreCase(a, "WITHSCORES")) {
      o->with_scores = true;
    } else if (EqualsIgnoreCase(a, "LIMIT") && left >= 2) {
      if (!ParseInt64(ctx.arg(j + 1), &o->offset) || !ParseInt64(ctx.arg(j + 2), &o->limit)) {
        ctx.reply().Error(errors::kNotInteger);
        return false;
      }
      j += 2;
    } else if (o->dir == 0 && EqualsIgnoreCase(a, "REV")) {
      o->dir = -1;
    } else if (o->type == RangeType::kAuto && EqualsIgnoreCase(a, "BYLEX")) {
      o->type = RangeType::kLex;
    } else if (o->type == RangeType::kAuto && EqualsIgnoreCase(a, "BYSCORE")) {
      o->type = RangeType::kScore;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  if (o->dir == 0) o->dir = 1;
  if (o->type == RangeType::kAuto) o->type = RangeType::kRank;
  if (o->limit != -1 && o->type == RangeType::kRank) {
    ctx.reply().Error(errors::kZLimitNeedsBy);
    return false;
  }
  if (o->with_scores && o->type == RangeType::kLex) {
    ctx.reply().Error(errors::kZWithScoresLex);
    return false;
  }
  return true;
}

// The parsed min/max of a range command.
struct RangeBounds {
  int64_t start = 0, stop = 0;
  ScoreRange score{};
  LexRange lex;
};

bool ParseBounds(CommandContext& ctx, const RangeOpts& o, RangeBounds* b) {
  std::string_view first = ctx.arg(o.src + 1), second = ctx.arg(o.src + 2);
  switch (o.type) {
    case RangeType::kScore:
      if (o.dir < 0) std::swap(first, second);
      if (!ParseScoreRange(first, second, &b->score)) {
        ctx.reply().Error(errors::kZMinMaxNotFloat);
        return false;
      }
      return true;
    case RangeType::kLex:
      if (o.dir < 0) std::swap(first, second);
      if (!ParseLexRange(first, second, &b->lex)) {
        ctx.reply().Error(errors::kZMinMaxNotString);
        return false;
      }
      return true;
    default:
      if (!ParseInt64(first, &b->start) || !ParseInt64(second, &b->stop)) {
        ctx.reply().Error(errors::kNotInteger);
        return false;
      }
      return true;
  }
}

// The selected elements in reply order.
std::vector<Scored> SelectRange(const ZSetObject& z, const RangeOpts& o, const RangeBounds& b) {
  size_t lo = 0, hi = 0;
  bool rev = o.dir < 0;
  if (o.type == RangeType::kRank) {
    RankInterval(b.start, b.stop, z.Len(), &lo, &hi);
    if (rev && hi > lo) {  // indexes count from the highest score
      size_t n = z.Len();
      std::tie(lo, hi) = std::make_pair(n - hi, n - lo);
    }
  } else {
    if (o.type == RangeType::kScore) {
      ScoreInterval(z, b.score, &lo, &hi);
    } else {
      LexInterval(z, b.lex, &lo, &hi);
    }
    if (o.offset < 0) return {};
    size_t skip = std::min(size_t(o.offset), hi - lo);
    if (rev) {
      hi -= skip;
    } else {
      lo += skip;
    }
    if (o.limit >= 0 && size_t(o.limit) < hi - lo) {
      if (rev) {
        lo = hi - size_t(o.limit);
      } else {
        hi = lo + size_t(o.limit);
      }
    }
  }
  std::vector<Scored> out;
  out.reserve(hi - lo);
  z.ForRange(lo, hi, rev, [&out](std::string_view m, double s) { out.emplace_back(m, s); });
  return out;
}

// Shared body of the read-only range commands, with `preset` options.
void RangeCommand(CommandContext& ctx, RangeOpts o) {
  RangeBounds b;
  if (!ParseRangeOpts(ctx, false, &o) || !ParseBounds(ctx, o, &b)) return;
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  if (!e) return ctx.reply().ArrayHeader(0);
  ReplyScored(ctx.reply(), SelectRange(View(e), o, b), o.with_scores);
}

// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
void ZRange(CommandContext& ctx) { RangeCommand(ctx, {}); }

// ZREVRANGE key start stop [WITHSCORES]
void ZRevRange(CommandContext& ctx) { RangeCommand(ctx, {.type = RangeType::kRank, .dir = -1}); }

// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
void ZRangeByScore(CommandContext& ctx) {
  RangeCommand(ctx, {.type = RangeType::kScore, .dir = 1});
}

// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
void ZRevRangeByScore(CommandContext& ctx) {
  RangeCommand(ctx, {.type = RangeType::kScore, .dir = -1});
}

// ZRANGEBYLEX key min max [LIMIT offset count]
void ZRangeByLex(CommandContext& ctx) { RangeCommand(ctx, {.type = RangeType::kLex, .dir = 1}); }

// ZREVRANGEBYLEX key max min [LIMIT offset count]
void ZRevRangeByLex(CommandContext& ctx) {
  RangeCommand(ctx, {.type = RangeType::kLex, .dir = -1});
}

// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
void ZRangeStore(CommandContext& ctx) {
  RangeOpts o{.src = 2};
  RangeBounds b;
  if (!ParseRangeOpts(ctx, true, &o) || !ParseBounds(ctx, o, &b)) return;
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(2), &e)) return;
  std::vector<Scored> items;
  if (e) items = SelectRange(View(e), o, b);
  Db& db = ctx.db();
  std::string_view dst = ctx.arg(1);
  if (!items.empty()) {
    ZSetObject z = ZSetObject::Create();
    ZSetLimits limits = Limits(ctx);
    if (int64_t(items.size()) > limits.max_entries) z.ConvertToSkiplist();
    for (const Scored& it : items) z.Set(it.first, it.second, limits);
    // Replaces any old value (and its TTL); a new key only when dst did not exist ("new").
    db.Upsert(KvEntry::CreateObj(dst, ObjType::kZSet, z.encoding(), z.obj()));
    db.NotifyModified(dst);
    NotifyKeyspaceEvent(ctx, kNotifyZset, "zrangestore", dst);
  } else if (db.Delete(dst)) {
    db.NotifyModified(dst);
    NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", dst);
  }
  ctx.reply().Integer(int64_t(items.size()));
}

// ---------------------------------------------------------------------------------------------
// Removal by range, pops

enum class RemoveBy { kRank, kScore, kLex };

// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX key min max
void RemoveRange(CommandContext& ctx, RemoveBy by) {
  static constexpr std::string_view kEvents[] = {"zremrangebyrank", "zremrangebyscore",
                                                 "zremrangebylex"};
  RangeBounds b;
  if (by == RemoveBy::kRank) {
    if (!ParseInt64(ctx.arg(2), &b.start) || !ParseInt64(ctx.arg(3), &b.stop)) {
      return ctx.reply().Error(errors::kNotInteger);
    }
  } else if (by == RemoveBy::kScore) {
    if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &b.score)) {
      return ctx.reply().Error(errors::kZMinMaxNotFloat);
    }
  } else if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &b.lex)) {
    return ctx.reply().Error(errors::kZMinMaxNotString);
  }
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteZSet(ctx, key, &e)) return;
  if (!e) return ctx.reply().Integer(0);
  ZSetObject z = View(e);
  size_t lo, hi;
  if (by == RemoveBy::kRank) {
    RankInterval(b.start, b.stop, z.Len(), &lo, &hi);
  } else if (by == RemoveBy::kScore) {
    ScoreInterval(z, b.score, &lo, &hi);
  } else {
    LexInterval(z, b.lex, &lo, &hi);
  }
  if (hi > lo) {
    z.DeleteRange(lo, hi);
    StoreAndNotify(ctx, key, e, z, kEvents[int(by)]);
  }
  ctx.reply().Integer(int64_t(hi - lo));
}

// ZREMRANGEBYRANK key start stop
void ZRemRangeByRank(CommandContext& ctx) { RemoveRange(ctx, RemoveBy::kRank); }
// ZREMRANGEBYSCORE key min max
void ZRemRangeByScore(CommandContext& ctx) { RemoveRange(ctx, RemoveBy::kScore); }
// ZREMRANGEBYLEX key min max
void ZRemRangeByLex(CommandContext& ctx) { RemoveRange(ctx, RemoveBy::kLex); }

// ZPOPMIN / ZPOPMAX key [count]
void PopCommand(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::kSyntax);
  bool count_given = ctx.argc() == 3;
  int64_t count = 1;
  if (count_given && (!ParseInt64(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply().Error(errors::kMustBePositive);
  }
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteZSet(ctx, key, &e)) return;
  std::vector<Scored> items;
  if (e && count > 0) {
    ZSetObject z = View(e);
    size_t n = std::min(size_t(count), z.Len());
    size_t lo = max ? z.Len() - n : 0;
    z.ForRange(lo, lo + n, max,
               [&items](std::string_view m, double s) { items.emplace_back(m, s); });
    z.DeleteRange(lo, lo + n);
    StoreAndNotify(ctx, key, e, z, max ? "zpopmax" : "zpopmin");
  }
  ReplyScored(ctx.reply(), items, true, count_given);
}

// ZPOPMIN key [count]
void ZPopMin(CommandContext& ctx) { PopCommand(ctx, false); }
// ZPOPMAX key [count]
void ZPopMax(CommandContext& ctx) { PopCommand(ctx, true); }

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN

// `count` distinct random elements of `z` (count < z.Len()).
std::vector<Scored> DistinctSample(const ZSetObject& z, size_t count) {
  std::vector<Scored> out;
  if (z.encoding() == ObjEncoding::kListpack || count * 3 > z.Len()) {
    z.ForRange(0, z.Len(), false, [&out](std::string_view m, double s) { out.emplace_back(m, s); });
    for (size_t i = 0; i < count; i++)
      std::swap(out[i], out[i + CommandRng()() % (out.size() - i)]);
    out.resize(count);
    return out;
  }
  std::unordered_set<size_t> seen;
  while (out.size() < count) {
    size_t rank = CommandRng()() % z.Len();
    if (seen.insert(rank).second) out.push_back(z.At(rank));
  }
  return out;
}

// `n` random elements of `z`, repeats allowed (negative count), written as they are drawn so
// a huge count needs no buffer.
void ReplyWithRepeats(ReplyBuilder& r, const ZSetObject& z, uint64_t n, bool with_scores) {
  bool nested = with_scores && r.resp() >= 3;
  r.ArrayHeader(with_scores && !nested ? n * 2 : n);
  std::vector<Scored> all;
  if (z.encoding() == ObjEncoding::kListpack) {  // small: decode once
    z.ForRange(0, z.Len(), false, [&all](std::string_view m, double s) { all.emplace_back(m, s); });
  }
  for (uint64_t i = 0; i < n; i++) {
    Scored it = all.empty() ? z.At(CommandRng()() % z.Len()) : all[CommandRng()() % all.size()];
    if (nested) r.ArrayHeader(2);
    r.Bulk(it.first);
    if (with_scores) r.Double(it.second);
  }
}

// ZRANDMEMBER key [count [WITHSCORES]]
void ZRandMember(CommandContext& ctx) {
  RandomCountArgs a;
  if (std::string_view err = ParseRandomCountArgs(ctx.args(), "WITHSCORES", &a); !err.empty()) {
    return ctx.reply().Error(err);
  }
  bool with_count = a.with_count, with_scores = a.with_keyword;
  int64_t count = a.count;
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  ReplyBuilder& r = ctx.reply();
  if (!with_count) {
    if (!e) return r.NullBulk();
    return r.Bulk(View(e).At(CommandRng()() % View(e).Len()).first);
  }
  if (!e || count == 0) return r.ArrayHeader(0);
  ZSetObject z = View(e);
  std::vector<Scored> out;
  if (count < 0) return ReplyWithRepeats(r, z, uint64_t(-count), with_scores);
  if (uint64_t(count) >= z.Len()) {
    z.ForRange(0, z.Len(), false, [&out](std::string_view m, double s) { out.emplace_back(m, s); });
  } else {
    out = DistinctSample(z, size_t(count));
  }
  ReplyScored(r, out, with_scores);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void ZScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply().Error(errors::kInvalidCursor);
  ScanArgs opt;
  if (!ParseScanArgs(ctx, 3, 0, &opt)) return;
  KvEntry* e;
  if (!ReadZSet(ctx, ctx.arg(1), &e)) return;
  std::vector<std::string> items;
  auto collect = [&](std::string_view m, double s) {
    if (opt.use_pattern && !GlobMatch(opt.pattern, m)) return;
    char buf[32];
    items.emplace_back(m);
    items.emplace_back(ScoreText(s, buf));
  };
  uint64_t next = e ? View(e).Scan(cursor, size_t(opt.count), collect) : 0;
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(2);
  ReplyScanCursor(r, next);
  r.ArrayHeader(items.size());
  for (const std::string& s : items) r.Bulk(s);
}

// ---------------------------------------------------------------------------------------------
// Registration

constexpr uint64_t kZWriteFast = kAclWrite | kAclSortedSet | kAclFast;
constexpr uint64_t kZWriteSlow = kAclWrite | kAclSortedSet | kAclSlow;
constexpr uint64_t kZReadFast = kAclRead | kAclSortedSet | kAclFast;
constexpr uint64_t kZReadSlow = kAclRead | kAclSortedSet | kAclSlow;

constexpr uint64_t kW = kCmdWrite | kCmdDenyOom | kCmdFast;
constexpr uint64_t kR = kCmdReadOnly | kCmdFast;
constexpr uint64_t kRSlow = kCmdReadOnly;
constexpr std::string_view kLogN = "O(log(N)) where N is the number of elements in the sorted set";
constexpr std::string_view kLogNM =
    "O(log(N)+M) with N the number of elements in the sorted set and M the number of elements "
    "returned";
constexpr std::string_view kLogNMRemoved =
    "O(log(N)+M) with N the number of elements in the sorted set and M the number of elements "
    "removed";

// clang-format off
const KeyedRow kRows[] = {
    {"zadd", -4, kW, kZWriteFast, kKsRW | kKsUpdate, "1.2.0",
     "Adds members to a sorted set, or updates their scores; creates the key if needed.",
     "O(log(N)) for each item added",
     "key [NX | XX] [GT | LT] [CH] [INCR] score:double member [score:double member ...]", ZAdd,
     {}},
    {"zincrby", 4, kW, kZWriteFast, kKsRW | kKsAccess | kKsUpdate, "1.2.0",
     "Adds an increment to the score of a member (absent counts as 0).", kLogN,
     "key increment:double member", ZIncrBy, {}},
    {"zrem", -3, kCmdWrite | kCmdFast, kZWriteFast, kKsRW | kKsDelete, "1.2.0",
     "Removes members from a sorted set; an emptied set deletes its key.",
     "O(M*log(N)) with N the number of elements in the sorted set and M the number of elements "
     "to be removed",
     "key member [member ...]", ZRem, {}},
    {"zcard", 2, kR, kZReadFast, kKsRO, "1.2.0", "Returns the number of members of a sorted set.",
     "O(1)", "key", ZCard, {}},
    {"zscore", 3, kR, kZReadFast, kKsRO | kKsAccess, "1.2.0",
     "Returns the score of a member of a sorted set.", "O(1)", "key member", ZScore, {}},
    {"zmscore", -3, kR, kZReadFast, kKsRO | kKsAccess, "6.2.0",
     "Returns the scores of several members of a sorted set.",
     "O(N) where N is the number of members being requested", "key member [member ...]", ZMScore,
     {}},
    {"zcount", 4, kR, kZReadFast, kKsRO | kKsAccess, "2.0.0",
     "Counts the members of a sorted set whose scores are inside a range.", kLogN,
     "key min:double max:double", ZCount, {}},
    {"zlexcount", 4, kR, kZReadFast, kKsRO | kKsAccess, "2.8.9",
     "Counts the members of a sorted set inside a lexicographical range.", kLogN,
     "key min:string max:string", ZLexCount, {}},
    {"zrank", -3, kR, kZReadFast, kKsRO | kKsAccess, "2.0.0",
     "Returns the 0-based position of a member by ascending score.", kLogN,
     "key member [WITHSCORE]", ZRank, {}},
    {"zrevrank", -3, kR, kZReadFast, kKsRO | kKsAccess, "2.0.0",
     "Returns the 0-based position of a member by descending score.", kLogN,
     "key member [WITHSCORE]", ZRevRank, {}},
    {"zrange", -4, kRSlow, kZReadSlow, kKsRO | kKsAccess, "1.2.0",
     "Returns members of a sorted set by rank, score or lexicographical range.", kLogNM,
     "key start:string stop:string [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]",
     ZRange, {}},
    {"zrevrange", -4, kRSlow, kZReadSlow, kKsRO | kKsAccess, "1.2.0",
     "Returns members of a sorted set by rank, highest scores first.", kLogNM,
     "key start stop [WITHSCORES]", ZRevRange, {}},
    {"zrangebyscore", -4, kRSlow, kZReadSlow, kKsRO | kKsAccess, "1.0.5",
     "Returns members of a sorted set inside a score range.", kLogNM,
     "key min:double max:double [WITHSCORES] [LIMIT offset count]", ZRangeByScore, {}},
    {"zrevrangebyscore", -4, kRSlow, kZReadSlow, kKsRO | kKsAccess, "2.2.0",
     "Returns members of a sorted set inside a score range, highest scores first.", kLogNM,
     "key max:double min:double [WITHSCORES] [LIMIT offset count]", ZRevRangeByScore, {}},
    {"zrangebylex", -4, kRSlow, kZReadSlow, kKsRO | kKsAccess, "2.8.9",
     "Returns members of a sorted set inside a lexicographical range.", kLogNM,
     "key min:string max:string [LIMIT offset count]", ZRangeByLex, {}},
    {"zrevrangebylex", -4, kRSlow, kZReadSlow, kKsRO | kKsAccess, "2.8.9",
     "Returns members of a sorted set inside a lexicographical range, in reverse order.", kLogNM,
     "key max:string min:string [LIMIT offset count]", ZRevRangeByLex, {}},
    {"zpopmin", -2, kCmdWrite | kCmdFast, kZWriteFast, kKsRW | kKsAccess | kKsDelete, "5.0.0",
     "Removes and returns the members with the lowest scores.", kLogNMRemoved, "key [count]",
     ZPopMin, {}},
    {"zpopmax", -2, kCmdWrite | kCmdFast, kZWriteFast, kKsRW | kKsAccess | kKsDelete, "5.0.0",
     "Removes and returns the members with the highest scores.", kLogNMRemoved, "key [count]",
     ZPopMax, {}},
    {"zremrangebyrank", 4, kCmdWrite, kZWriteSlow, kKsRW | kKsDelete, "2.0.0",
     "Removes the members of a sorted set inside a rank range.", kLogNMRemoved, "key start stop",
     ZRemRangeByRank, {}},
    {"zremrangebyscore", 4, kCmdWrite, kZWriteSlow, kKsRW | kKsDelete, "1.2.0",
     "Removes the members of a sorted set inside a score range.", kLogNMRemoved,
     "key min:double max:double", ZRemRangeByScore, {}},
    {"zremrangebylex", 4, kCmdWrite, kZWriteSlow, kKsRW | kKsDelete, "2.8.9",
     "Removes the members of a sorted set inside a lexicographical range.", kLogNMRemoved,
     "key min:string max:string", ZRemRangeByLex, {}},
    {"zrandmember", -2, kRSlow, kZReadSlow, kKsRO | kKsAccess, "6.2.0",
     "Returns one or more random members of a sorted set.",
     "O(N) where N is the number of members returned", "key [count:integer [WITHSCORES]]",
     ZRandMember, "nondeterministic_output"},
    {"zscan", -3, kRSlow, kZReadSlow, kKsRO | kKsAccess, "2.8.0",
     "Iterates over the members and scores of a sorted set.",
     "O(1) for every call. O(N) for a complete iteration",
     "key cursor:integer [MATCH pattern] [COUNT count:integer]", ZScan, "nondeterministic_output"},
};
// clang-format on

}  // namespace

// Multi-key rows (ZUNION, ZINTER, ZDIFF, *STORE, ZINTERCARD), in zset_setops.cc.
void RegisterZSetSetOps(CommandTable& t);
// ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, in zset_blocking.cc.
void RegisterZSetBlocking(CommandTable& t);

void RegisterZSetFamily(CommandTable& t) {
  ZSetObject::RegisterHooks();
  RegisterZSetSetOps(t);
  RegisterZSetBlocking(t);
  AddKeyedRows(t, "sorted-set", kRows);
  // ZRANGESTORE dst src min max ...: two keys with different flags.
  t.Add(CommandSpec{.name = "zrangestore",
                    .arity = -5,
                    .flags = kCmdWrite | kCmdDenyOom,
                    .acl = kZWriteSlow,
                    .key_specs = {KeyAt(1, kKsOW | kKsUpdate), KeyAt(2, kKsRO | kKsAccess)},
                    .group = "sorted-set",
                    .since = "6.2.0",
                    .summary = "Stores a range of members of a sorted set into another key.",
                    .complexity = kLogNM,
                    .syntax = "dst src min:string max:string [BYSCORE | BYLEX] [REV] "
                              "[LIMIT offset count]",
                    .handler = ZRangeStore});
}

}  // namespace ember
