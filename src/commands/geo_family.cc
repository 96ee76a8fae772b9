// Geo commands: GEOADD, GEODIST, GEOHASH, GEOPOS, and the searches GEORADIUS,
// GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and GEOSEARCHSTORE, with Redis 7.0's
// replies and errors.
//
// A geo set is an ordinary sorted set (core/zset_object.h) whose scores are 52-bit geohashes
// (core/geohash.h); any zset command works on it and any zset can be searched. A search
// (1) parses its arguments in Redis's order, so the first error is the same one, (2) picks at
// most nine grid cells covering the shape (geo::CellsFor), (3) reads each cell's score range
// from the zset in score order, keeping the points inside the shape, stopping early for
// COUNT n ANY, (4) sorts by distance when asked (COUNT alone implies ASC), and (5) replies or
// stores the first COUNT points. Without sorting the order is the cells' order, then score
// order inside a cell: the same as Redis.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/geohash.h"
#include "core/zset_object.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

// ---------------------------------------------------------------------------------------------
// Shared helpers

ZSetObject View(const KvEntry* e) { return ZSetObject(e->encoding(), e->obj()); }

ZSetLimits Limits(const CommandContext& ctx) {
  return {ctx.cfg().zset_max_listpack_entries, ctx.cfg().zset_max_listpack_value};
}

// Metres per unit, or false for an unknown unit.
bool ParseUnit(std::string_view s, double* metres) {
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"m", 1}, {"km", 1000}, {"ft", 0.3048}, {"mi", 1609.34}};
  for (const auto& [name, factor] : kUnits) {
    if (EqualsIgnoreCase(s, name)) {
      *metres = factor;
      return true;
    }
  }
  return false;
}

// Reads the unit at argument i; replies the error and returns false when unknown.
bool ReadUnit(CommandContext& ctx, size_t i, double* metres) {
  if (ParseUnit(ctx.arg(i), metres)) return true;
  ctx.reply().Error(errors::kGeoUnsupportedUnit);
  return false;
}

// Reads "longitude latitude" at arguments i, i+1; replies the error and returns false when a
// number is malformed or the point is outside the storable limits.
bool ReadLonLat(CommandContext& ctx, size_t i, double* lon, double* lat) {
  if (!ParseDouble(ctx.arg(i), lon) || !ParseDouble(ctx.arg(i + 1), lat)) {
    ctx.reply().Error(errors::kNotFloat);
    return false;
  }
  if (!geo::ValidLonLat(*lon, *lat)) {
    ctx.reply().Error(errors::GeoInvalidLonLat(*lon, *lat));
    return false;
  }
  return true;
}

// A distance as Redis prints it: rounded (half to even) to 4 decimals, always with 4 digits.
std::string_view FormatDistance(double d, char* buf /* >= 48 */) {
  long long v = std::llrint(d * 10000.0);
  bool neg = v < 0;
  unsigned long long u = neg ? 0ull - static_cast<unsigned long long>(v) : v;
  int n = std::snprintf(buf, 48, "%s%llu.%04llu", neg ? "-" : "", u / 10000, u % 10000);
  return {buf, size_t(n)};
}

void ReplyDistance(ReplyBuilder& r, double d) {
  char buf[48];
  r.Bulk(FormatDistance(d, buf));
}

// A coordinate in Redis's human long-double form (%.17Lf, trailing zeros trimmed): a bulk
// string in RESP2, a double in RESP3.
void ReplyCoordinate(ReplyBuilder& r, double v) {
  char buf[ReplyBuilder::kHumanDoubleMax];
  std::string_view text(buf, ReplyBuilder::FormatHumanDouble(v, buf));
  if (r.resp() < 3) return r.Bulk(text);
  r.Raw(",");
  r.Raw(text);
  r.Raw("\r\n");
}

// ---------------------------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS

// Adds (score, member) pairs under NX / XX; returns added and updated counts through *added
// and *updated and stores the set back when it changed.
void AddPoints(CommandContext& ctx, size_t first, const std::vector<double>& scores, bool nx,
               bool xx, KvEntry* e, int64_t* added, int64_t* updated) {
  std::string_view key = ctx.arg(1);
  ZSetObject z = e ? View(e) : ZSetObject::Create();
  ZSetLimits limits = Limits(ctx);
  for (size_t j = 0; j < scores.size(); j++) {
    std::string_view member = ctx.arg(first + 3 * j + 2);
    double cur;
    if (z.Score(member, &cur)) {
      if (nx || cur == scores[j]) continue;
      z.Set(member, scores[j], limits);
      ++*updated;
    } else if (!xx) {
      z.Set(member, scores[j], limits);
      ++*added;
    }
  }
  if (*added == 0 && *updated == 0) {
    if (!e) z.Destroy();
    return;
  }
  ctx.db().StoreObject(key, e, ObjType::kZSet, z.encoding(), z.obj());
  ctx.db().NotifyModified(key);
  NotifyKeyspaceEvent(ctx, kNotifyZset, "zadd", key);  // GEOADD runs as a ZADD in Redis
}

// GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude member ...]
void GeoAdd(CommandContext& ctx) {
  bool nx = false, xx = false, ch = false;
  size_t first = 2;
  for (; first < ctx.argc(); first++) {
    std::string_view a = ctx.arg(first);
    if (EqualsIgnoreCase(a, "NX")) {
      nx = true;
    } else if (EqualsIgnoreCase(a, "XX")) {
      xx = true;
    } else if (EqualsIgnoreCase(a, "CH")) {
      ch = true;
    } else {
      break;
    }
  }
  size_t rest = ctx.argc() - first;
  if (rest % 3 != 0 || rest == 0 || (nx && xx)) return ctx.reply().Error(errors::kSyntax);
  std::vector<double> scores(rest / 3);
  for (size_t j = 0; j < scores.size(); j++) {
    double lon, lat;
    if (!ReadLonLat(ctx, first + 3 * j, &lon, &lat)) return;
    scores[j] = double(geo::ScoreBits(lon, lat));
  }
  KvEntry* e;
  if (!ctx.LookupTyped(ctx.arg(1), ObjType::kZSet, true, &e)) return;
  int64_t added = 0, updated = 0;
  uint64_t dirty = ctx.server().dirty();
  if (e || !xx) AddPoints(ctx, first, scores, nx, xx, e, &added, &updated);
  ctx.reply().Integer(ch ? added + updated : added);
  if (ctx.propagating() && ctx.server().dirty() != dirty) {
    // Replays as the ZADD it is, with the scores computed here (Redis 7.0 does the same).
    std::vector<std::string> argv(ctx.args().begin(), ctx.args().begin() + first);
    argv[0] = "zadd";
    for (size_t j = 0; j < scores.size(); j++) {
      argv.push_back(std::to_string(int64_t(scores[j])));
      argv.emplace_back(ctx.arg(first + 3 * j + 2));
    }
    ctx.PropagateAs(std::move(argv));
  }
}

// GEODIST key member1 member2 [M | KM | FT | MI]
void GeoDist(CommandContext& ctx) {
  double unit = 1;
  if (ctx.argc() == 5) {
    if (!ReadUnit(ctx, 4, &unit)) return;
  } else if (ctx.argc() > 5) {
    return ctx.reply().Error(errors::kSyntax);
  }
  KvEntry* e;
  if (!ctx.LookupTyped(ctx.arg(1), ObjType::kZSet, false, &e)) return;
  double s1, s2;
  if (!e || !View(e).Score(ctx.arg(2), &s1) || !View(e).Score(ctx.arg(3), &s2)) {
    return ctx.reply().NullBulk();
  }
  double lon1, lat1, lon2, lat2;
  geo::DecodeScore(s1, &lon1, &lat1);
  geo::DecodeScore(s2, &lon2, &lat2);
  ReplyDistance(ctx.reply(), geo::Distance(lon1, lat1, lon2, lat2) / unit);
}

// GEOHASH key [member [member ...]]
void GeoHash(CommandContext& ctx) {
  KvEntry* e;
  if (!ctx.LookupTyped(ctx.arg(1), ObjType::kZSet, false, &e)) return;
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    double score;
    if (!e || !View(e).Score(ctx.arg(i), &score)) {
      r.NullBulk();
      continue;
    }
    char text[11];
    geo::GeohashText(score, text);
    r.Bulk(std::string_view(text, sizeof(text)));
  }
}

// GEOPOS key [member [member ...]]
void GeoPos(CommandContext& ctx) {
  KvEntry* e;
  if (!ctx.LookupTyped(ctx.arg(1), ObjType::kZSet, false, &e)) return;
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    double score, lon, lat;
    if (!e || !View(e).Score(ctx.arg(i), &score)) {
      r.NullArray();
      continue;
    }
    geo::DecodeScore(score, &lon, &lat);
    r.ArrayHeader(2);
    ReplyCoordinate(r, lon);
    ReplyCoordinate(r, lat);
  }
}

// ---------------------------------------------------------------------------------------------
// Search arguments

// Which search command runs (Redis's georadiusGeneric flags).
enum SearchFlags : unsigned {
  kFromCoords = 1,    // GEORADIUS[_RO]: key longitude latitude radius unit
  kFromMember = 2,    // GEORADIUSBYMEMBER[_RO]: key member radius unit
  kNoStore = 4,       // the _RO forms: STORE / STOREDIST are syntax errors
  kSearch = 8,        // GEOSEARCH: FROMMEMBER/FROMLONLAT and BYRADIUS/BYBOX options
  kSearchStore = 16,  // GEOSEARCHSTORE: destination first, STOREDIST is a flag
};

enum class SortOrder { kNone, kAsc, kDesc };

struct SearchRequest {
  geo::Shape shape;
  bool with_dist = false, with_hash = false, with_coord = false;
  SortOrder sort = SortOrder::kNone;
  int64_t count = 0;  // 0: unlimited
  bool any = false;
  bool store = false, store_dist = false;
  std::string_view store_key;
  bool from_member = false, from_lonlat = false, by_radius = false, by_box = false;
};

// Reads "radius unit" at argument i into a circle.
bool ReadRadius(CommandContext& ctx, size_t i, geo::Shape* s) {
  double radius, unit;
  if (!ParseDouble(ctx.arg(i), &radius)) {
    ctx.reply().Error(errors::kGeoNeedNumericRadius);
    return false;
  }
  if (radius < 0) {
    ctx.reply().Error(errors::kGeoRadiusNegative);
    return false;
  }
  if (!ReadUnit(ctx, i + 1, &unit)) return false;
  s->kind = geo::Shape::kCircle;
  s->radius = radius;
  s->unit = unit;
  return true;
}

// Reads "width height unit" at argument i into a box.
bool ReadBox(CommandContext& ctx, size_t i, geo::Shape* s) {
  double width, height, unit;
  if (!ParseDouble(ctx.arg(i), &width)) {
    ctx.reply().Error(errors::kGeoNeedNumericWidth);
    return false;
  }
  if (!ParseDouble(ctx.arg(i + 1), &height)) {
    ctx.reply().Error(errors::kGeoNeedNumericHeight);
    return false;
  }
  if (height < 0 || width < 0) {
    ctx.reply().Error(errors::kGeoBoxNegative);
    return false;
  }
  if (!ReadUnit(ctx, i + 2, &unit)) return false;
  s->kind = geo::Shape::kBox;
  s->width = width;
  s->height = height;
  s->unit = unit;
  return true;
}

// The position of `member` of zset z as a search centre.
bool ReadMemberCenter(CommandContext& ctx, const ZSetObject& z, std::string_view member,
                      geo::Shape* s) {
  double score;
  if (!z.Score(member, &score)) {
    ctx.reply().Error(errors::kGeoMemberNotFound);
    return false;
  }
  geo::DecodeScore(score, &s->lon, &s->lat);
  return true;
}

// The fixed leading arguments (centre and radius for the GEORADIUS forms); returns the index
// of the first option, or 0 after replying an error.
size_t ParseSearchHead(CommandContext& ctx, unsigned flags, const ZSetObject* z, SearchRequest* q) {
  if (flags & kFromCoords) {
    if (!ReadLonLat(ctx, 2, &q->shape.lon, &q->shape.lat) || !ReadRadius(ctx, 4, &q->shape)) {
      return 0;
    }
    return 6;
  }
  if (flags & kFromMember) {
    // With no source key the reply is empty whatever the radius: only the options are parsed.
    if (z &&
        (!ReadMemberCenter(ctx, *z, ctx.arg(2), &q->shape) || !ReadRadius(ctx, 3, &q->shape))) {
      return 0;
    }
    return 5;
  }
  if (flags & kSearchStore) {
    q->store = true;
    q->store_key = ctx.arg(1);
    return 3;
  }
  return 2;
}

// One option at argument i; returns the number of arguments it used,
// or 0 after replying an error.
size_t ParseSearchOption(CommandContext& ctx, unsigned flags, const ZSetObject* z, size_t i,
                         SearchRequest* q) {
  std::string_view a = ctx.arg(i);
  size_t left = ctx.argc() - i - 1;  // arguments after this one
  bool search = flags & kSearch;
  bool radius_store = !(flags & (kNoStore | kSearch));
  auto set = [](auto* field, auto value) {
    *field = value;
    return size_t(1);
  };
  if (EqualsIgnoreCase(a, "WITHDIST")) return set(&q->with_dist, true);
  if (EqualsIgnoreCase(a, "WITHHASH")) return set(&q->with_hash, true);
  if (EqualsIgnoreCase(a, "WITHCOORD")) return set(&q->with_coord, true);
  if (EqualsIgnoreCase(a, "ANY")) return set(&q->any, true);
  if (EqualsIgnoreCase(a, "ASC")) return set(&q->sort, SortOrder::kAsc);
  if (EqualsIgnoreCase(a, "DESC")) return set(&q->sort, SortOrder::kDesc);
  if (EqualsIgnoreCase(a, "COUNT") && left >= 1) {
    if (!ParseInt64(ctx.arg(i + 1), &q->count)) {
      ctx.reply().Error(errors::kNotInteger);
      return 0;
    }
    if (q->count <= 0) {
      ctx.reply().Error(errors::kGeoCountPositive);
      return 0;
    }
    return 2;
  }
  bool is_store = EqualsIgnoreCase(a, "STORE"), is_storedist = EqualsIgnoreCase(a, "STOREDIST");
  if ((is_store || is_storedist) && left >= 1 && radius_store) {
    q->store = true;
    q->store_dist = is_storedist;
    q->store_key = ctx.arg(i + 1);
    return 2;
  }
  if (is_storedist && (flags & kSearchStore)) return set(&q->store_dist, true);
  if (EqualsIgnoreCase(a, "FROMMEMBER") && left >= 1 && search && !q->from_lonlat) {
    if (z && !ReadMemberCenter(ctx, *z, ctx.arg(i + 1), &q->shape)) return 0;
    q->from_member = true;
    return 2;
  }
  if (EqualsIgnoreCase(a, "FROMLONLAT") && left >= 2 && search && !q->from_member) {
    if (!ReadLonLat(ctx, i + 1, &q->shape.lon, &q->shape.lat)) return 0;
    q->from_lonlat = true;
    return 3;
  }
  if (EqualsIgnoreCase(a, "BYRADIUS") && left >= 2 && search && !q->by_box) {
    if (!ReadRadius(ctx, i + 1, &q->shape)) return 0;
    q->by_radius = true;
    return 3;
  }
  if (EqualsIgnoreCase(a, "BYBOX") && left >= 3 && search && !q->by_radius) {
    if (!ReadBox(ctx, i + 1, &q->shape)) return 0;
    q->by_box = true;
    return 4;
  }
  ctx.reply().Error(errors::kSyntax);
  return 0;
}

// Parses a search command; replies the error and returns false when invalid. `z` is the source
// set, or nullptr when the key is absent.
bool ParseSearch(CommandContext& ctx, unsigned flags, const ZSetObject* z, SearchRequest* q) {
  size_t i = ParseSearchHead(ctx, flags, z, q);
  if (i == 0) return false;
  while (i < ctx.argc()) {
    size_t used = ParseSearchOption(ctx, flags, z, i, q);
    if (used == 0) return false;
    i += used;
  }
  std::string_view err;
  std::string formatted;
  if (q->store && (q->with_dist || q->with_hash || q->with_coord)) {
    err = (flags & kSearchStore) ? errors::kGeoSearchStoreWith : errors::kGeoRadiusStoreWith;
  } else if ((flags & kSearch) && !(q->from_member || q->from_lonlat)) {
    err = formatted = errors::GeoNeedsFrom(ctx.arg(0));
  } else if ((flags & kSearch) && !(q->by_radius || q->by_box)) {
    err = formatted = errors::GeoNeedsBy(ctx.arg(0));
  } else if (q->any && q->count == 0) {
    err = errors::kGeoAnyNeedsCount;
  }
  if (err.empty()) return true;
  ctx.reply().Error(err);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Search execution

struct GeoPoint {
  std::string member;
  double score;
  double lon, lat;
  double dist;  // metres from the centre
};

// Appends the members of `cell` inside the shape, in score order, stopping once `limit`
// points (0: no limit) have been collected.
void CollectCell(const ZSetObject& z, geo::Cell cell, const geo::Shape& shape, size_t limit,
                 std::vector<GeoPoint>* out) {
  double min, max;
  geo::ScoreRange(cell, &min, &max);
  size_t lo = z.CountBelow([min](double s, std::string_view) { return s < min; });
  size_t hi = z.CountBelow([max](double s, std::string_view) { return s < max; });
  auto visit = [&](std::string_view member, double score) {
    if (limit != 0 && out->size() >= limit) return;
    GeoPoint p{.score = score};
    geo::DecodeScore(score, &p.lon, &p.lat);
    if (!geo::ShapeContains(shape, p.lon, p.lat, &p.dist)) return;
    p.member.assign(member);
    out->push_back(std::move(p));
  };
  // With a limit, walk in slices so a large cell is not read past the point where it is met.
  constexpr size_t kSlice = 64;
  for (size_t from = lo; from < hi && !(limit != 0 && out->size() >= limit);) {
    size_t to = limit != 0 ? std::min(hi, from + kSlice) : hi;
    z.ForRange(from, to, false, visit);
    from = to;
  }
}

// The points of z inside the shape, in cell order (see geo::CellsFor).
std::vector<GeoPoint> CollectPoints(const ZSetObject& z, const geo::Shape& shape, size_t limit) {
  std::vector<GeoPoint> out;
  geo::SearchCells cells = geo::CellsFor(shape);
  for (int i = 0; i < cells.count; i++) {
    if (limit != 0 && out.size() >= limit) break;
    CollectCell(z, cells.cells[i], shape, limit, &out);
  }
  return out;
}

// Orders the first `n` points by distance. A full sort is stable (ties keep cell order, as
// glibc's merge-sorting qsort keeps them); a partial one leaves the order of ties unspecified.
void SortPoints(std::vector<GeoPoint>* points, size_t n, SortOrder order) {
  auto asc = [](const GeoPoint& a, const GeoPoint& b) { return a.dist < b.dist; };
  auto desc = [](const GeoPoint& a, const GeoPoint& b) { return a.dist > b.dist; };
  auto mid = points->begin() + ptrdiff_t(n);
  if (order == SortOrder::kAsc) {
    if (n == points->size()) return std::stable_sort(points->begin(), points->end(), asc);
    std::partial_sort(points->begin(), mid, points->end(), asc);
  } else if (order == SortOrder::kDesc) {
    if (n == points->size()) return std::stable_sort(points->begin(), points->end(), desc);
    std::partial_sort(points->begin(), mid, points->end(), desc);
  }
}

void ReplyPoints(ReplyBuilder& r, const SearchRequest& q, const std::vector<GeoPoint>& points,
                 size_t n) {
  size_t extras = size_t(q.with_dist) + q.with_hash + q.with_coord;
  r.ArrayHeader(n);
  for (size_t i = 0; i < n; i++) {
    const GeoPoint& p = points[i];
    if (extras) r.ArrayHeader(extras + 1);
    r.Bulk(p.member);
    if (q.with_dist) ReplyDistance(r, p.dist / q.shape.unit);
    if (q.with_hash) r.Integer(int64_t(p.score));
    if (q.with_coord) {
      r.ArrayHeader(2);
      ReplyCoordinate(r, p.lon);
      ReplyCoordinate(r, p.lat);
    }
  }
}

// Replaces the destination with the first n points (scores: geohashes, or distances in the
// request's unit for STOREDIST); no points deletes it. Replies the number stored. Keyspace
// events: `event` for a stored result, "del" when no points removed the destination.
void StorePoints(CommandContext& ctx, const SearchRequest& q, const std::vector<GeoPoint>& points,
                 size_t n, std::string_view event) {
  Db& db = ctx.db();
  if (n == 0) {
    if (db.Delete(q.store_key)) {
      db.NotifyModified(q.store_key);
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", q.store_key);
    }
  } else {
    ZSetObject z = ZSetObject::Create();
    ZSetLimits limits = Limits(ctx);
    if (int64_t(n) > limits.max_entries) z.ConvertToSkiplist();
    for (size_t i = 0; i < n; i++) {
      z.Set(points[i].member, q.store_dist ? points[i].dist / q.shape.unit : points[i].score,
            limits);
    }
    // Replaces any old value (and its TTL); a new key only when it did not exist ("new").
    db.Upsert(KvEntry::CreateObj(q.store_key, ObjType::kZSet, z.encoding(), z.obj()));
    db.NotifyModified(q.store_key);
    NotifyKeyspaceEvent(ctx, kNotifyZset, event, q.store_key);
  }
  ctx.reply().Integer(int64_t(n));
}

// Shared body of the search commands; `src` is the index of the source key.
void SearchCommand(CommandContext& ctx, size_t src, unsigned flags) {
  KvEntry* e;
  if (!ctx.LookupTyped(ctx.arg(src), ObjType::kZSet, false, &e)) return;
  ZSetObject z = e ? View(e) : ZSetObject(ObjEncoding::kListpack, nullptr);
  SearchRequest q;
  if (!ParseSearch(ctx, flags, e ? &z : nullptr, &q)) return;
  std::vector<GeoPoint> points;
  if (e) {
    if (q.count != 0 && q.sort == SortOrder::kNone && !q.any) q.sort = SortOrder::kAsc;
    points = CollectPoints(z, q.shape, q.any ? size_t(q.count) : 0);
  }
  size_t n = points.size();
  if (q.count != 0 && size_t(q.count) < n) n = size_t(q.count);
  SortPoints(&points, n, q.sort);
  if (q.store) {
    return StorePoints(ctx, q, points, n, (flags & kSearch) ? "geosearchstore" : "georadiusstore");
  }
  ReplyPoints(ctx.reply(), q, points, n);
}

// GEORADIUS key longitude latitude radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH]
//   [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]
void GeoRadius(CommandContext& ctx) { SearchCommand(ctx, 1, kFromCoords); }

// GEORADIUS_RO key longitude latitude radius M | KM | FT | MI [WITHCOORD] [WITHDIST]
//   [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
void GeoRadiusRo(CommandContext& ctx) { SearchCommand(ctx, 1, kFromCoords | kNoStore); }

// GEORADIUSBYMEMBER key member radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH]
//   [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]
void GeoRadiusByMember(CommandContext& ctx) { SearchCommand(ctx, 1, kFromMember); }

// GEORADIUSBYMEMBER_RO key member radius M | KM | FT | MI [WITHCOORD] [WITHDIST] [WITHHASH]
//   [COUNT count [ANY]] [ASC | DESC]
void GeoRadiusByMemberRo(CommandContext& ctx) { SearchCommand(ctx, 1, kFromMember | kNoStore); }

// GEOSEARCH key FROMMEMBER member | FROMLONLAT longitude latitude
//   BYRADIUS radius M | KM | FT | MI | BYBOX width height M | KM | FT | MI
//   [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
void GeoSearch(CommandContext& ctx) { SearchCommand(ctx, 1, kSearch); }

// GEOSEARCHSTORE destination source FROMMEMBER member | FROMLONLAT longitude latitude
//   BYRADIUS radius M | KM | FT | MI | BYBOX width height M | KM | FT | MI
//   [ASC | DESC] [COUNT count [ANY]] [STOREDIST]
void GeoSearchStore(CommandContext& ctx) { SearchCommand(ctx, 2, kSearch | kSearchStore); }

// ---------------------------------------------------------------------------------------------
// Registration

constexpr uint64_t kGeoWrite = kAclWrite | kAclGeo | kAclSlow;
constexpr uint64_t kGeoRead = kAclRead | kAclGeo | kAclSlow;
constexpr std::string_view kSearchComplexity =
    "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around "
    "the shape provided as the filter and M is the number of items inside the shape";

// clang-format off
const KeyedRow kRows[] = {
    {"geoadd", -5, kCmdWrite | kCmdDenyOom, kGeoWrite, kKsRW | kKsUpdate, "3.2.0",
     "Adds points (longitude, latitude, member) to a geo set, or moves existing members.",
     "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
     "key [NX | XX] [CH] longitude:double latitude:double member "
     "[longitude:double latitude:double member ...]", GeoAdd, {}},
    {"geodist", -4, kCmdReadOnly, kGeoRead, kKsRO | kKsAccess, "3.2.0",
     "Returns the distance between two members of a geo set.", "O(1)",
     "key member1 member2 [M | KM | FT | MI]", GeoDist, {}},
    {"geohash", -2, kCmdReadOnly, kGeoRead, kKsRO | kKsAccess, "3.2.0",
     "Returns members of a geo set as standard geohash strings.",
     "O(1) for each member requested.", "key [member [member ...]]", GeoHash, {}},
    {"geopos", -2, kCmdReadOnly, kGeoRead, kKsRO | kKsAccess, "3.2.0",
     "Returns the longitude and latitude of members of a geo set.",
     "O(1) for each member requested.", "key [member [member ...]]", GeoPos, {}},
    {"georadius_ro", -6, kCmdReadOnly, kGeoRead, kKsRO | kKsAccess, "3.2.10",
     "Returns the members of a geo set within a radius of a point (read-only form).",
     kSearchComplexity,
     "key longitude:double latitude:double radius:double (M | KM | FT | MI) [WITHCOORD] "
     "[WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]", GeoRadiusRo, {}},
    {"georadiusbymember_ro", -5, kCmdReadOnly, kGeoRead, kKsRO | kKsAccess, "3.2.10",
     "Returns the members of a geo set within a radius of one of its members (read-only form).",
     kSearchComplexity,
     "key member radius:double (M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] "
     "[COUNT count [ANY]] [ASC | DESC]", GeoRadiusByMemberRo, {}},
    {"geosearch", -7, kCmdReadOnly, kGeoRead, kKsRO | kKsAccess, "6.2.0",
     "Returns the members of a geo set inside a circle or a box around a point or a member.",
     kSearchComplexity,
     "key (FROMMEMBER member | FROMLONLAT longitude:double latitude:double) "
     "(BYRADIUS radius:double (M | KM | FT | MI) | BYBOX width:double height:double "
     "(M | KM | FT | MI)) [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]",
     GeoSearch, {}},
};
// clang-format on

// GEORADIUS / GEORADIUSBYMEMBER: the source at 1, and a destination after STORE or STOREDIST
// searched from the first option (index `options`).
CommandSpec RadiusStoreSpec(std::string_view name, int arity, int options, std::string_view since,
                            std::string_view summary, std::string_view syntax,
                            CommandHandler handler) {
  return CommandSpec{.name = std::string(name),
                     .arity = arity,
                     .flags = kCmdWrite | kCmdDenyOom,
                     .acl = kGeoWrite,
                     .key_specs = {KeyAt(1, kKsRO | kKsAccess),
                                   KeySpec{.flags = kKsOW | kKsUpdate,
                                           .bs_keyword = "STORE",
                                           .bs_keyword_start = options},
                                   KeySpec{.flags = kKsOW | kKsUpdate,
                                           .bs_keyword = "STOREDIST",
                                           .bs_keyword_start = options}},
                     .group = "geo",
                     .since = since,
                     .summary = summary,
                     .complexity = kSearchComplexity,
                     .syntax = syntax,
                     .handler = handler};
}

}  // namespace

void RegisterGeoFamily(CommandTable& t) {
  ZSetObject::RegisterHooks();
  AddKeyedRows(t, "geo", kRows);
  t.Add(RadiusStoreSpec(
      "georadius", -6, 6, "3.2.0",
      "Returns the members of a geo set within a radius of a point, or stores them.",
      "key longitude:double latitude:double radius:double (M | KM | FT | MI) [WITHCOORD] "
      "[WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]",
      GeoRadius));
  t.Add(RadiusStoreSpec(
      "georadiusbymember", -5, 5, "3.2.0",
      "Returns the members of a geo set within a radius of one of its members, or stores them.",
      "key member radius:double (M | KM | FT | MI) [WITHCOORD] [WITHDIST] [WITHHASH] "
      "[COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]",
      GeoRadiusByMember));
  t.Add(CommandSpec{
      .name = "geosearchstore",
      .arity = -8,
      .flags = kCmdWrite | kCmdDenyOom,
      .acl = kGeoWrite,
      .key_specs = {KeyAt(1, kKsOW | kKsUpdate), KeyAt(2, kKsRO | kKsAccess)},
      .group = "geo",
      .since = "6.2.0",
      .summary = "Stores the members of a geo set inside a circle or a box into another key.",
      .complexity = kSearchComplexity,
      .syntax = "destination:key source:key (FROMMEMBER member | FROMLONLAT longitude:double "
                "latitude:double) (BYRADIUS radius:double (M | KM | FT | MI) | BYBOX width:double "
                "height:double (M | KM | FT | MI)) [ASC | DESC] [COUNT count [ANY]] [STOREDIST]",
      .handler = GeoSearchStore});
}

}  // namespace ember
