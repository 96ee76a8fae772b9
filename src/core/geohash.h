// Geohash arithmetic for the GEO commands: a point on Earth becomes a cell of a 2^step x 2^step
// grid over longitude [-180, 180] and latitude [-85.05112878, 85.05112878] (the Web Mercator
// limits, as Redis uses them); the cell's longitude and latitude indexes are bit-interleaved
// (longitude in the odd bits, so the top bit is a longitude bit, as in the textual geohash) and
// at step 26 the 52-bit result, stored as a double, is the member's sorted-set score. Nearby
// points share score prefixes, so a search reads a few score ranges (one per cell) and filters
// them by exact distance.
//
// The numbers here must reproduce redis-server bit for bit: replies print coordinates with 17
// decimals and distances with 4, and which members a search returns depends on which cells it
// scans. So the cell bounds, the centre of a cell, the step chosen for a radius, the cells
// dropped as "outside the bounding box" and the haversine distance are computed with the same
// floating-point expressions, in the same order (and no FMA contraction: the build does not
// enable -march), that Redis 7.0 uses. Pure functions; no state, any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ember::geo {

inline constexpr double kLonMin = -180;
inline constexpr double kLonMax = 180;
inline constexpr double kLatMin = -85.05112878;
inline constexpr double kLatMax = 85.05112878;
// Bits per coordinate of a stored score (26 + 26 = 52, exact in a double).
inline constexpr int kMaxStep = 26;
// The sphere radius Redis measures with, in metres.
inline constexpr double kEarthRadiusM = 6372797.560856;
// Half the Earth's circumference in Web Mercator metres (drives the step estimate).
inline constexpr double kMercatorMax = 20037726.37;

struct Range {
  double min, max;
};
inline constexpr Range kLonRange{kLonMin, kLonMax};
inline constexpr Range kLatRange{kLatMin, kLatMax};
// The textual geohash (GEOHASH) spans latitude -90..90.
inline constexpr Range kStdLatRange{-90, 90};

// A grid cell: `step` bits of each coordinate index, interleaved. Encoding a coordinate on the
// upper edge of its range yields the index 2^step (one bit above the cell's bits), as in Redis;
// Decode and Move keep that behaviour.
struct Cell {
  uint64_t bits = 0;
  int step = 0;
  bool operator==(const Cell&) const = default;
};

// The bounds of a cell.
struct Area {
  Range lon, lat;
};

// Spreads the 32 bits of lat into the even bits and those of lon into the odd bits.
uint64_t Interleave(uint32_t lat, uint32_t lon);
// The inverse of Interleave.
void Deinterleave(uint64_t bits, uint32_t* lat, uint32_t* lon);

// True if (lon, lat) is inside the storable limits (GEOADD's check).
bool ValidLonLat(double lon, double lat);
// Cell of (lon, lat) at `step` (1..32) in the given ranges; false if the point is outside the
// storable limits or the ranges.
bool Encode(double lon, double lat, int step, Cell* out, Range lon_range = kLonRange,
            Range lat_range = kLatRange);
Area Decode(Cell c, Range lon_range = kLonRange, Range lat_range = kLatRange);
// The centre of an area, clamped to the storable limits.
void Center(const Area& a, double* lon, double* lat);

// The score of a valid point: its step-26 cell bits.
uint64_t ScoreBits(double lon, double lat);
// The integer a score converts to, as the C cast (uint64_t)score does on x86-64 (negative and
// huge scores of non-geo members included).
uint64_t BitsOfScore(double score);
// The point a score stands for: the centre of its step-26 cell.
void DecodeScore(double score, double* lon, double* lat);
// The 11-character standard base32 geohash of the point a score stands for (GEOHASH).
void GeohashText(double score, char out[11]);

// The cell `dlon` columns east and `dlat` rows north (each -1, 0 or 1), wrapping around the
// grid in both directions (the antimeridian, and the poles onto the opposite edge).
Cell Move(Cell c, int dlon, int dlat);
// The half-open score range [*min, *max) of every step-26 cell inside `c`.
void ScoreRange(Cell c, double* min, double* max);

// Great-circle (haversine) distance in metres.
double Distance(double lon1, double lat1, double lon2, double lat2);
// Distance along a meridian between two latitudes, in metres.
double LatDistance(double lat1, double lat2);

// A search area: a circle of `radius` or a box of `width` x `height` (in `unit`s, metres per
// unit in `unit`) centred on (lon, lat).
struct Shape {
  enum Kind { kCircle, kBox } kind = kCircle;
  double lon = 0, lat = 0;
  double radius = 0, width = 0, height = 0;
  double unit = 1;
};
// True if the point (lon, lat) lies inside the shape; *dist_m gets its distance in metres from
// the centre (set only when inside).
bool ShapeContains(const Shape& s, double lon, double lat, double* dist_m);

// The step (cell size) used to cover a radius of `radius_m` metres around latitude `lat`.
int EstimateStep(double radius_m, double lat);

// The cells a search reads, in Redis's order: the centre cell, then north, south, east, west,
// north-east, north-west, south-east, south-west; cells the shape's bounding box cannot reach
// are dropped, as is a cell equal to the one read just before it (other than the centre).
struct SearchCells {
  std::array<Cell, 9> cells;
  int count = 0;
};
SearchCells CellsFor(const Shape& s);

}  // namespace ember::geo
