// Geohash arithmetic (see geohash.h). The expressions mirror Redis 7.0's floating-point
// operations term by term, since replies and search results must match it exactly.
#include "core/geohash.h"

#include <cmath>

namespace ember::geo {
namespace {

constexpr double kDegToRad = M_PI / 180.0;

double DegToRad(double deg) { return deg * kDegToRad; }
double RadToDeg(double rad) { return rad / kDegToRad; }

// Moves the 32 bits of v to the even bit positions of the result (a "Morton" spread).
uint64_t Spread(uint32_t v) {
  uint64_t x = v;
  x = (x | (x << 16)) & 0x0000FFFF0000FFFFull;
  x = (x | (x << 8)) & 0x00FF00FF00FF00FFull;
  x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x << 2)) & 0x3333333333333333ull;
  x = (x | (x << 1)) & 0x5555555555555555ull;
  return x;
}

// Gathers the even bits of x into a 32-bit value (the inverse of Spread).
uint32_t Compact(uint64_t x) {
  x &= 0x5555555555555555ull;
  x = (x | (x >> 1)) & 0x3333333333333333ull;
  x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0Full;
  x = (x | (x >> 4)) & 0x00FF00FF00FF00FFull;
  x = (x | (x >> 8)) & 0x0000FFFF0000FFFFull;
  x = (x | (x >> 16)) & 0x00000000FFFFFFFFull;
  return uint32_t(x);
}

// The latitude/longitude bounds a shape can reach: {min_lon, min_lat, max_lon, max_lat}. The
// longitude span is taken at the latitude edge nearer the pole (where a metre is the most
// degrees), on the side of the equator the centre is on.
std::array<double, 4> BoundingBox(const Shape& s) {
  double height = s.unit * (s.kind == Shape::kCircle ? s.radius : s.height / 2);
  double width = s.unit * (s.kind == Shape::kCircle ? s.radius : s.width / 2);
  double lat_delta = RadToDeg(height / kEarthRadiusM);
  double lon_delta_top = RadToDeg(width / kEarthRadiusM / std::cos(DegToRad(s.lat + lat_delta)));
  double lon_delta_bottom = RadToDeg(width / kEarthRadiusM / std::cos(DegToRad(s.lat - lat_delta)));
  double lon_delta = s.lat < 0 ? lon_delta_bottom : lon_delta_top;
  return {s.lon - lon_delta, s.lat - lat_delta, s.lon + lon_delta, s.lat + lat_delta};
}

// The eight neighbours in CellsFor's order after the centre.
std::array<Cell, 8> Neighbors(Cell c) {
  return {Move(c, 0, 1), Move(c, 0, -1), Move(c, 1, 0),  Move(c, -1, 0),
          Move(c, 1, 1), Move(c, -1, 1), Move(c, 1, -1), Move(c, -1, -1)};
}

enum NeighborIndex { kNorth, kSouth, kEast, kWest, kNorthEast, kNorthWest, kSouthEast, kSouthWest };

}  // namespace

uint64_t Interleave(uint32_t lat, uint32_t lon) { return Spread(lat) | (Spread(lon) << 1); }

void Deinterleave(uint64_t bits, uint32_t* lat, uint32_t* lon) {
  *lat = Compact(bits);
  *lon = Compact(bits >> 1);
}

bool ValidLonLat(double lon, double lat) {
  return !(lon > kLonMax || lon < kLonMin || lat > kLatMax || lat < kLatMin);
}

bool Encode(double lon, double lat, int step, Cell* out, Range lon_range, Range lat_range) {
  out->bits = 0;
  out->step = step;
  if (step < 1 || step > 32 || !ValidLonLat(lon, lat)) return false;
  if (lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max) {
    return false;
  }
  double lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min);
  double lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min);
  lat_offset *= double(1ull << step);
  lon_offset *= double(1ull << step);
  out->bits = Interleave(uint32_t(lat_offset), uint32_t(lon_offset));
  return true;
}

Area Decode(Cell c, Range lon_range, Range lat_range) {
  uint32_t ilat, ilon;
  Deinterleave(c.bits, &ilat, &ilon);
  double lat_scale = lat_range.max - lat_range.min;
  double lon_scale = lon_range.max - lon_range.min;
  double cells = double(1ull << c.step);
  // ilat + 1 wraps in 32 bits, as the unsigned arithmetic it mirrors does.
  uint32_t ilat_next = ilat + 1u, ilon_next = ilon + 1u;
  Area a;
  a.lat.min = lat_range.min + (ilat * 1.0 / cells) * lat_scale;
  a.lat.max = lat_range.min + (ilat_next * 1.0 / cells) * lat_scale;
  a.lon.min = lon_range.min + (ilon * 1.0 / cells) * lon_scale;
  a.lon.max = lon_range.min + (ilon_next * 1.0 / cells) * lon_scale;
  return a;
}

void Center(const Area& a, double* lon, double* lat) {
  double x = (a.lon.min + a.lon.max) / 2;
  if (x > kLonMax) x = kLonMax;
  if (x < kLonMin) x = kLonMin;
  double y = (a.lat.min + a.lat.max) / 2;
  if (y > kLatMax) y = kLatMax;
  if (y < kLatMin) y = kLatMin;
  *lon = x;
  *lat = y;
}

uint64_t ScoreBits(double lon, double lat) {
  Cell c;
  Encode(lon, lat, kMaxStep, &c);
  return c.bits;  // already 52-bit aligned at the maximum step
}

uint64_t BitsOfScore(double score) {
  // x86-64's cvttsd2si yields 0x8000000000000000 for NaN and out-of-range inputs; the unsigned
  // conversion subtracts 2^63 first for inputs at or above it and flips the top bit back.
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr uint64_t kIndefinite = 1ull << 63;
  if (score >= kTwo63) {
    double d = score - kTwo63;
    uint64_t v = d < kTwo63 ? uint64_t(int64_t(d)) : kIndefinite;
    return v ^ kIndefinite;
  }
  if (std::isnan(score) || score < -kTwo63) return kIndefinite;
  return uint64_t(int64_t(score));
}

void DecodeScore(double score, double* lon, double* lat) {
  Center(Decode(Cell{BitsOfScore(score), kMaxStep}), lon, lat);
}

void GeohashText(double score, char out[11]) {
  static constexpr char kAlphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
  double lon, lat;
  DecodeScore(score, &lon, &lat);
  Cell c;
  Encode(lon, lat, kMaxStep, &c, kLonRange, kStdLatRange);
  // 52 bits make ten 5-bit characters; the eleventh (the classic length) is always '0'.
  for (int i = 0; i < 10; i++) out[i] = kAlphabet[(c.bits >> (52 - (i + 1) * 5)) & 0x1f];
  out[10] = '0';
}

Cell Move(Cell c, int dlon, int dlat) {
  uint32_t lat, lon;
  Deinterleave(c.bits, &lat, &lon);
  uint32_t mask = uint32_t((1ull << c.step) - 1);
  // A moved coordinate wraps modulo 2^step (dropping an edge overflow bit); an unmoved one is
  // kept as it was.
  if (dlon != 0) lon = (lon + uint32_t(dlon)) & mask;
  if (dlat != 0) lat = (lat + uint32_t(dlat)) & mask;
  return Cell{Interleave(lat, lon), c.step};
}

void ScoreRange(Cell c, double* min, double* max) {
  int shift = 52 - c.step * 2;
  *min = double(c.bits << shift);
  *max = double((c.bits + 1) << shift);
}

double LatDistance(double lat1, double lat2) {
  return kEarthRadiusM * std::fabs(DegToRad(lat2) - DegToRad(lat1));
}

double Distance(double lon1, double lat1, double lon2, double lat2) {
  double lon1r = DegToRad(lon1);
  double lon2r = DegToRad(lon2);
  double v = std::sin((lon2r - lon1r) / 2);
  if (v == 0.0) return LatDistance(lat1, lat2);  // same meridian
  double lat1r = DegToRad(lat1);
  double lat2r = DegToRad(lat2);
  double u = std::sin((lat2r - lat1r) / 2);
  double a = u * u + std::cos(lat1r) * std::cos(lat2r) * v * v;
  return 2.0 * kEarthRadiusM * std::asin(std::sqrt(a));
}

bool ShapeContains(const Shape& s, double lon, double lat, double* dist_m) {
  if (s.kind == Shape::kCircle) {
    double d = Distance(s.lon, s.lat, lon, lat);
    if (d > s.radius * s.unit) return false;
    *dist_m = d;
    return true;
  }
  double width_m = s.width * s.unit, height_m = s.height * s.unit;
  // The latitude test is the cheaper one, so it goes first.
  if (LatDistance(lat, s.lat) > height_m / 2) return false;
  if (Distance(lon, lat, s.lon, lat) > width_m / 2) return false;
  *dist_m = Distance(s.lon, s.lat, lon, lat);
  return true;
}

int EstimateStep(double radius_m, double lat) {
  if (radius_m == 0) return kMaxStep;
  // Double the radius until it spans half the Mercator world: each doubling is one step more.
  int step = 1;
  while (radius_m < kMercatorMax) {
    radius_m *= 2;
    step++;
  }
  step -= 2;  // cells a little larger than that, so three of them cover the diameter
  // Cells narrow towards the poles: coarser ones there.
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > kMaxStep) step = kMaxStep;
  return step;
}

// The centre cell of the shape at the estimated step, one step coarser when a direct neighbour
// does not reach the bounding box's edge; then the neighbours on a side the box does not
// cross are dropped (only at step >= 2, where the grid has more than two cells a side).
SearchCells CellsFor(const Shape& s) {
  std::array<double, 4> box = BoundingBox(s);
  double min_lon = box[0], min_lat = box[1], max_lon = box[2], max_lat = box[3];
  double radius_m =
      s.kind == Shape::kCircle
          ? s.radius
          : std::sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radius_m *= s.unit;
  int step = EstimateStep(radius_m, s.lat);

  Cell center;
  Encode(s.lon, s.lat, step, &center);
  std::array<Cell, 8> nb = Neighbors(center);
  bool too_fine = Decode(nb[kNorth]).lat.max < max_lat || Decode(nb[kSouth]).lat.min > min_lat ||
                  Decode(nb[kEast]).lon.max < max_lon || Decode(nb[kWest]).lon.min > min_lon;
  if (step > 1 && too_fine) {
    step--;
    Encode(s.lon, s.lat, step, &center);
    nb = Neighbors(center);
  }
  Area area = Decode(center);

  std::array<bool, 8> dropped{};
  if (step >= 2) {
    auto drop = [&dropped](std::initializer_list<int> which) {
      for (int i : which) dropped[i] = true;
    };
    if (area.lat.min < min_lat) drop({kSouth, kSouthWest, kSouthEast});
    if (area.lat.max > max_lat) drop({kNorth, kNorthEast, kNorthWest});
    if (area.lon.min < min_lon) drop({kWest, kSouthWest, kNorthWest});
    if (area.lon.max > max_lon) drop({kEast, kSouthEast, kNorthEast});
  }

  SearchCells out;
  out.cells[out.count++] = center;
  bool have_last = false;  // a neighbour was kept (the centre does not count for repeats)
  Cell last{};
  for (int i = 0; i < 8; i++) {
    if (dropped[i]) continue;
    // With very large radii adjacent neighbours can be the same cell; read it once.
    if (have_last && nb[i] == last) continue;
    out.cells[out.count++] = nb[i];
    last = nb[i];
    have_last = true;
  }
  return out;
}

}  // namespace ember::geo
