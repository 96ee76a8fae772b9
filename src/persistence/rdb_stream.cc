// The stream value codec of RDB files and DUMP payloads (WriteRdbStream / ReadRdbStream,
// declared in rdb_value.h).
//
// Redis serializes a stream as the listpacks of its radix tree, each keyed by its "master id"
// (16 bytes: ms then seq, big endian), followed by the stream's metadata and its consumer
// groups. Inside each listpack the entries use the master-entry format:
//
//   master entry: count, deleted, num-fields, field-1 .. field-N, 0
//   each entry:   flags, ms-diff, seq-diff, [num-fields, field-1, value-1 ..] | [value-1 ..],
//                 lp-count
//
// where ids are differences from the master id (unsigned, wrapping), the SAMEFIELDS flag says
// the entry has exactly the master's field names (only values follow), DELETED marks an entry
// removed by XDEL, and lp-count is the number of elements of the entry before it (so Redis can
// walk backwards). Ember stores streams in its own blocks (core/stream.h), so writing re-packs
// the live entries into fresh listpacks, splitting nodes where Redis would with its default
// limits (4096 bytes / 100 entries), and reading replays the live entries into a new Stream.
//
// Versions: type 15 (Redis 5/6) lacks first id, max-deleted id, entries-added and group
// entries-read (they are derived as Redis does); type 19 (Redis 7.0) adds them; type 21
// (Redis 7.2) adds each consumer's active time. Ember writes 19 for RDB version 10 (so
// Redis 7.0 loads it) and 21 from version 11.
//
// Validation is always complete, not only with deep_check: every listpack is decoded with all
// its lengths checked, entry ids must strictly increase across the whole stream, the counts in
// each master entry and the stream length must match the entries, and every PEL record must
// belong to exactly one consumer — Ember's Stream relies on all of these as invariants.
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "persistence/rdb_format.h"
#include "persistence/rdb_value.h"
#include "persistence/redis_encodings.h"

namespace ember {
namespace {

using redisenc::Item;
using redisenc::ListpackBuilder;

// Redis's defaults for stream-node-max-bytes / -entries: the node size Ember writes.
constexpr size_t kNodeMaxBytes = 4096;
constexpr size_t kNodeMaxEntries = 100;
constexpr size_t kIdBytes = 16;

void EncodeId(StreamId id, char* out) {
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>(id.ms >> (56 - 8 * i));
    out[8 + i] = static_cast<char>(id.seq >> (56 - 8 * i));
  }
}

StreamId DecodeId(std::string_view raw) {
  StreamId id;
  for (int i = 0; i < 8; ++i) {
    id.ms = (id.ms << 8) | static_cast<uint8_t>(raw[i]);
    id.seq = (id.seq << 8) | static_cast<uint8_t>(raw[8 + i]);
  }
  return id;
}

void WriteRawId(RdbWriter& w, StreamId id) {
  char raw[kIdBytes];
  EncodeId(id, raw);
  w.Raw(std::string_view(raw, kIdBytes));
}

// --- writing ---------------------------------------------------------------------------------

// Packs entries into Redis stream listpacks, one node at a time, deciding node boundaries as
// Redis's XADD does. The master entry's "count" element comes first but is only known when the
// node closes, so the rest of the node is built separately and the count is spliced in front.
class NodePacker {
 public:
  // Receives each finished node: its master id and listpack bytes.
  using EmitFn = std::function<void(StreamId master, std::string lp)>;
  explicit NodePacker(EmitFn emit) : emit_(std::move(emit)) {}

  void Add(StreamId id, std::span<const std::string_view> fv) {
    size_t payload = 0;
    for (std::string_view s : fv) payload += s.size();
    if (open_ && (NodeBytes() + payload >= kNodeMaxBytes || count_ >= kNodeMaxEntries)) Close();
    const size_t nfields = fv.size() / 2;
    int flags = rdb::kStreamItemFlagNone;
    if (!open_) {
      open_ = true;
      master_ = id;
      master_fields_.clear();
      body_.AppendInt(0);  // deleted
      body_.AppendInt(static_cast<int64_t>(nfields));
      for (size_t i = 0; i < nfields; ++i) {
        body_.AppendString(fv[2 * i]);
        master_fields_.emplace_back(fv[2 * i]);
      }
      body_.AppendInt(0);  // master entry terminator
      flags = rdb::kStreamItemFlagSameFields;
    } else if (SameFields(fv)) {
      flags = rdb::kStreamItemFlagSameFields;
    }
    const bool same = flags & rdb::kStreamItemFlagSameFields;
    body_.AppendInt(flags);
    body_.AppendInt(static_cast<int64_t>(id.ms - master_.ms));
    body_.AppendInt(static_cast<int64_t>(id.seq - master_.seq));
    if (!same) body_.AppendInt(static_cast<int64_t>(nfields));
    for (size_t i = 0; i < nfields; ++i) {
      if (!same) body_.AppendString(fv[2 * i]);
      body_.AppendString(fv[2 * i + 1]);
    }
    body_.AppendInt(static_cast<int64_t>(nfields + 3 + (same ? 0 : nfields + 1)));
    ++count_;
  }

  void Close() {
    if (!open_) return;
    ListpackBuilder head;
    head.AppendInt(static_cast<int64_t>(count_));
    const std::string count_lp = head.Finish();
    const std::string body = body_.Finish();
    // header | count element | body elements | end byte
    std::string lp = count_lp.substr(0, count_lp.size() - 1);
    lp.append(body, 6, body.size() - 7);
    lp.push_back(static_cast<char>(0xFF));
    const uint64_t total = lp.size();
    for (int i = 0; i < 4; ++i) lp[i] = static_cast<char>(total >> (8 * i));
    // Element count: the body's (saturated at 65535 = unknown) plus the count element.
    uint64_t n = static_cast<uint8_t>(body[4]) | (static_cast<uint64_t>(uint8_t(body[5])) << 8);
    n = n >= 65534 ? 65535 : n + 1;
    lp[4] = static_cast<char>(n & 0xFF);
    lp[5] = static_cast<char>(n >> 8);
    emit_(master_, std::move(lp));
    open_ = false;
    count_ = 0;
  }

 private:
  // Bytes of the node listpack as it would be now (Redis compares lpBytes with the limit).
  size_t NodeBytes() const {
    ListpackBuilder b;
    b.AppendInt(static_cast<int64_t>(count_));
    return body_.bytes() + (b.bytes() - 7);
  }
  bool SameFields(std::span<const std::string_view> fv) const {
    if (fv.size() / 2 != master_fields_.size()) return false;
    for (size_t i = 0; i < master_fields_.size(); ++i) {
      if (fv[2 * i] != master_fields_[i]) return false;
    }
    return true;
  }

  EmitFn emit_;
  ListpackBuilder body_;
  bool open_ = false;
  size_t count_ = 0;
  StreamId master_;
  std::vector<std::string> master_fields_;
};

// Runs the packer over every live entry of `s`.
void PackStream(const Stream& s, const NodePacker::EmitFn& emit) {
  NodePacker packer(emit);
  s.Range(StreamId::Min(), StreamId::Max(), false, 0,
          [&](StreamId id, std::span<const std::string_view> fv) {
            packer.Add(id, fv);
            return true;
          });
  packer.Close();
}

void WriteGroups(RdbWriter& w, const Stream& s, bool active_time) {
  w.Len(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    w.String(name);
    w.Len(g->last_id.ms);
    w.Len(g->last_id.seq);
    w.Len(static_cast<uint64_t>(g->entries_read));  // -1 (unknown) as Redis: all ones
    w.Len(g->pel.size());
    for (const auto& [id, pe] : g->pel) {
      WriteRawId(w, id);
      w.Millis(pe.delivery_time_ms);
      w.Len(pe.delivery_count);
    }
    w.Len(g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      w.String(cname);
      w.Millis(c->seen_time_ms);
      if (active_time) w.Millis(c->active_time_ms);
      w.Len(c->pel.size());
      for (StreamId id : c->pel) WriteRawId(w, id);
    }
  }
}

// --- reading ---------------------------------------------------------------------------------

// Replays the live entries of one stream listpack into `s`. `prev` is the last id added so far
// (entries must strictly increase across the stream); `*any` whether there was one.
class ListpackReplayer {
 public:
  ListpackReplayer(RdbReader& r, Stream& s, const StreamLimits& limits)
      : r_(r), s_(s), limits_(limits) {}

  bool Replay(StreamId master, std::string_view lp) {
    std::string err;
    if (!redisenc::DecodeListpack(lp, &items_, &err)) {
      return r_.Fail("Stream listpack integrity check failed: " + err);
    }
    if (items_.empty()) return r_.Fail("Empty listpack inside stream");
    pos_ = 0;
    int64_t count = 0, deleted = 0, nmaster = 0;
    if (!Int(&count) || !Int(&deleted) || !Int(&nmaster)) return false;
    if (count < 0 || deleted < 0 || nmaster < 0 ||
        static_cast<uint64_t>(nmaster) > items_.size() - pos_) {
      return r_.Fail("Stream listpack: bad master entry");
    }
    master_fields_.assign(items_.begin() + pos_, items_.begin() + pos_ + nmaster);
    pos_ += nmaster;
    int64_t zero = 0;
    if (!Int(&zero) || zero != 0) return r_.Fail("Stream listpack: bad master entry terminator");
    int64_t live = 0, dead = 0;
    while (pos_ < items_.size()) {
      bool was_deleted = false;
      if (!Entry(master, &was_deleted)) return false;
      (was_deleted ? dead : live)++;
    }
    if (live != count || dead != deleted) return r_.Fail("Stream listpack: entry count mismatch");
    return true;
  }

  bool any() const { return any_; }
  StreamId last() const { return prev_; }

 private:
  bool Int(int64_t* out) {
    if (pos_ >= items_.size() || !items_[pos_].is_int) {
      return r_.Fail("Stream listpack: integer expected");
    }
    *out = items_[pos_++].ival;
    return true;
  }

  bool Entry(StreamId master, bool* was_deleted) {
    const size_t start = pos_;
    int64_t flags = 0, ms_diff = 0, seq_diff = 0;
    if (!Int(&flags) || !Int(&ms_diff) || !Int(&seq_diff)) return false;
    const bool same = flags & rdb::kStreamItemFlagSameFields;
    int64_t nfields = static_cast<int64_t>(master_fields_.size());
    if (!same && !Int(&nfields)) return false;
    const uint64_t per_field = same ? 1 : 2;
    if (nfields < 0 || static_cast<uint64_t>(nfields) > (items_.size() - pos_) / per_field) {
      return r_.Fail("Stream listpack: entry out of range");
    }
    if (nfields == 0) return r_.Fail("Stream listpack: entry without fields");
    fv_.resize(2 * nfields);
    scratch_.resize(2 * nfields);
    for (int64_t i = 0; i < nfields; ++i) {
      fv_[2 * i] = same ? master_fields_[i].Text(&scratch_[2 * i]) : Next(&scratch_[2 * i]);
      fv_[2 * i + 1] = Next(&scratch_[2 * i + 1]);
    }
    int64_t lp_count = 0;
    if (!Int(&lp_count)) return false;
    if (lp_count < 0 || static_cast<size_t>(lp_count) != pos_ - start - 1) {
      return r_.Fail("Stream listpack: bad lp-count");
    }
    StreamId id{master.ms + static_cast<uint64_t>(ms_diff),
                master.seq + static_cast<uint64_t>(seq_diff)};
    // prev_ starts at 0-0, which no entry may have.
    if (id <= prev_) return r_.Fail("Stream listpack: entry ids not increasing");
    any_ = true;
    prev_ = id;
    *was_deleted = flags & rdb::kStreamItemFlagDeleted;
    if (!*was_deleted) s_.Append(id, fv_, limits_);
    return true;
  }

  std::string_view Next(std::string* scratch) { return items_[pos_++].Text(scratch); }

  RdbReader& r_;
  Stream& s_;
  const StreamLimits& limits_;
  std::vector<Item> items_;
  std::vector<Item> master_fields_;
  std::vector<std::string_view> fv_;
  std::vector<std::string> scratch_;
  size_t pos_ = 0;
  bool any_ = false;
  StreamId prev_;
};

bool ReadId(RdbReader& r, StreamId* id) { return r.Len(&id->ms) && r.Len(&id->seq); }

bool ReadRawId(RdbReader& r, StreamId* id) {
  std::string_view raw;
  if (!r.Raw(kIdBytes, &raw)) return false;
  *id = DecodeId(raw);
  return true;
}

bool ReadEntries(RdbReader& r, Stream& s, const StreamLimits& limits, StreamId* last_entry) {
  uint64_t nodes = 0;
  if (!r.Len(&nodes)) return false;
  ListpackReplayer replayer(r, s, limits);
  std::string key_scratch, lp_scratch;
  bool have_key = false;
  StreamId prev_key;
  for (uint64_t i = 0; i < nodes; ++i) {
    std::string_view key, lp;
    if (!r.String(&key_scratch, &key)) return false;
    if (key.size() != kIdBytes)
      return r.Fail("Stream node key entry is not the size of a stream ID");
    const StreamId master = DecodeId(key);
    if (have_key && master <= prev_key) return r.Fail("Stream node keys not increasing");
    have_key = true;
    prev_key = master;
    if (!r.String(&lp_scratch, &lp)) return false;
    if (!replayer.Replay(master, lp)) return false;
  }
  *last_entry = replayer.any() ? replayer.last() : StreamId::Min();
  return true;
}

// Stream length and ids after the listpacks.
bool ReadMetadata(RdbReader& r, uint8_t type, Stream& s, StreamId last_entry) {
  uint64_t length = 0;
  StreamId last_id, first_id, max_deleted;
  if (!r.Len(&length) || !ReadId(r, &last_id)) return false;
  if (length != s.length()) return r.Fail("Stream length inconsistent with its entries");
  if (last_id < last_entry) return r.Fail("Stream last id smaller than its last entry");
  s.set_last_id(last_id);
  if (type >= rdb::kTypeStreamListpacks2) {
    uint64_t entries_added = 0;
    // The recorded first id is derived again from the entries; Ember does not store it.
    if (!ReadId(r, &first_id) || !ReadId(r, &max_deleted) || !r.Len(&entries_added)) {
      return false;
    }
    s.set_max_deleted_id(max_deleted);
    s.set_entries_added(entries_added);
  } else {
    s.set_max_deleted_id(StreamId::Min());
    s.set_entries_added(length);
  }
  return true;
}

bool ReadConsumers(RdbReader& r, uint8_t type, StreamGroup& g) {
  uint64_t nconsumers = 0;
  if (!r.Len(&nconsumers)) return false;
  std::string name;
  for (uint64_t i = 0; i < nconsumers; ++i) {
    int64_t seen = 0, active = 0;
    if (!r.String(&name) || !r.Millis(&seen)) return false;
    if (type >= rdb::kTypeStreamListpacks3) {
      if (!r.Millis(&active)) return false;
    } else {
      active = seen;  // the best estimate, as Redis 7.2 makes it
    }
    bool created = false;
    StreamConsumer* c = g.GetOrCreateConsumer(name, seen, &created);
    if (!created) return r.Fail("Duplicate stream consumer detected");
    c->seen_time_ms = seen;
    c->active_time_ms = active;
    uint64_t npel = 0;
    if (!r.Len(&npel)) return false;
    for (uint64_t j = 0; j < npel; ++j) {
      StreamId id;
      if (!ReadRawId(r, &id)) return false;
      auto it = g.pel.find(id);
      if (it == g.pel.end()) return r.Fail("Consumer entry not found in group global PEL");
      if (it->second.consumer != nullptr) return r.Fail("Duplicated consumer PEL entry");
      it->second.consumer = c;
      c->pel.insert(id);
    }
  }
  for (const auto& [id, pe] : g.pel) {
    if (pe.consumer == nullptr) return r.Fail("Stream CG PEL entry without consumer");
  }
  return true;
}

bool ReadGroups(RdbReader& r, uint8_t type, Stream& s) {
  uint64_t ngroups = 0;
  if (!r.Len(&ngroups)) return false;
  std::string name;
  for (uint64_t i = 0; i < ngroups; ++i) {
    StreamId last_id;
    if (!r.String(&name) || !ReadId(r, &last_id)) return false;
    int64_t entries_read = -1;
    if (type >= rdb::kTypeStreamListpacks2) {
      uint64_t v = 0;
      if (!r.Len(&v)) return false;
      entries_read = static_cast<int64_t>(v);
    } else if (std::optional<uint64_t> est = s.EstimateEntriesRead(last_id)) {
      entries_read = static_cast<int64_t>(*est);
    }
    StreamGroup* g = s.CreateGroup(name, last_id, entries_read);
    if (g == nullptr) return r.Fail("Duplicated consumer group name");
    uint64_t npel = 0;
    if (!r.Len(&npel)) return false;
    for (uint64_t j = 0; j < npel; ++j) {
      StreamId id;
      StreamPendingEntry pe;
      if (!ReadRawId(r, &id) || !r.Millis(&pe.delivery_time_ms) || !r.Len(&pe.delivery_count)) {
        return false;
      }
      if (!g->pel.emplace(id, pe).second) {
        return r.Fail("Duplicated global PEL entry loading stream consumer group");
      }
    }
    if (!ReadConsumers(r, type, *g)) return false;
  }
  return true;
}

}  // namespace

void WriteRdbStream(RdbWriter& w, const Stream& s, int rdb_version) {
  // The node count comes first, so a first pass packs the listpacks only to count them (one
  // node in memory at a time), and the second writes them.
  uint64_t nodes = 0;
  PackStream(s, [&](StreamId, std::string) { ++nodes; });
  w.Len(nodes);
  PackStream(s, [&](StreamId master, std::string lp) {
    char key[kIdBytes];
    EncodeId(master, key);
    w.String(std::string_view(key, kIdBytes));
    w.String(lp);
  });
  w.Len(s.length());
  w.Len(s.last_id().ms);
  w.Len(s.last_id().seq);
  const StreamId first = s.first_id();
  w.Len(first.ms);
  w.Len(first.seq);
  w.Len(s.max_deleted_id().ms);
  w.Len(s.max_deleted_id().seq);
  w.Len(s.entries_added());
  WriteGroups(w, s, rdb_version >= 11);
}

Stream* ReadRdbStream(RdbReader& r, uint8_t type, const StreamLimits& limits, bool deep_check) {
  (void)deep_check;  // every check is always on (see the top of this file)
  if (type != rdb::kTypeStreamListpacks && type != rdb::kTypeStreamListpacks2 &&
      type != rdb::kTypeStreamListpacks3) {
    r.Fail("Unknown stream RDB type");
    return nullptr;
  }
  auto s = std::make_unique<Stream>();
  StreamId last_entry;
  if (!ReadEntries(r, *s, limits, &last_entry) || !ReadMetadata(r, type, *s, last_entry) ||
      !ReadGroups(r, type, *s)) {
    if (r.ok()) r.Fail("Stream loading failed");
    return nullptr;
  }
  return s.release();
}

}  // namespace ember
