// Stream: the value of a stream key (XADD, XRANGE, XREAD, consumer groups). Core data
// structure only: no command parsing, no replies.
//
// Entries are stored packed: consecutive entries live together in blocks (one heap block of
// up to `stream-node-max-bytes` bytes / `stream-node-max-entries` entries each, Listpack-like
// packing with ids delta-encoded against the block's first id and field names shared with
// the block's first entry where they repeat), and the blocks are reached through an ordered
// index keyed by each block's first id. No heap node per entry. Deleted entries are flagged
// in place and skipped; a block whose entries are all deleted is freed.
//
// Consumer groups are plain structures owned by the stream: each group has a last-delivered
// id, an entries-read counter, a pending entries list (PEL: id -> delivery record) and its
// consumers; each consumer indexes (by id) the PEL records it owns. Both are B-trees ordered
// by id (see StreamGroup for the invariant between them).
//
// Ownership: the KvEntry of a stream key owns its Stream (type kStream, encoding kListpack,
// which OBJECT ENCODING reports as "stream"). Thread: command thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/btree_map.h>
#include <absl/container/btree_set.h>

namespace ember {

// A stream entry id: <ms>-<seq>, both unsigned 64-bit.
struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;

  static constexpr StreamId Min() { return {0, 0}; }
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
  auto operator<=>(const StreamId&) const = default;
  bool operator==(const StreamId&) const = default;
  // The next/previous id in order; false at the ends (Max().Next() / Min().Prev()).
  bool Next(StreamId* out) const;
  bool Prev(StreamId* out) const;
  // "ms-seq".
  std::string ToString() const;
  // Writes "ms-seq" into buf (>= 42 bytes); returns the length.
  size_t Format(char* buf) const;
  // Parses a complete "ms-seq" or "ms" (seq = missing_seq). Returns false on anything else.
  static bool Parse(std::string_view s, uint64_t missing_seq, StreamId* out);
};

// Limits for packing entries into blocks (config stream-node-max-bytes/-entries; 0 = no
// limit for that dimension).
struct StreamLimits {
  size_t node_max_bytes = 4096;
  size_t node_max_entries = 100;
};

class Stream;
struct StreamConsumer;

// One delivered-but-not-acknowledged entry of a consumer group.
struct StreamPendingEntry {
  StreamConsumer* consumer = nullptr;  // the owner
  int64_t delivery_time_ms = 0;        // last delivery (or XCLAIM TIME/IDLE)
  uint64_t delivery_count = 0;
};

struct StreamConsumer {
  std::string name;
  int64_t seen_time_ms = 0;     // last interaction of any kind (XINFO "seen-time")
  int64_t active_time_ms = -1;  // last successful read/claim (XINFO "active-time"), -1 never
  // The ids of the group PEL records this consumer owns. Ids only: the record itself is
  // looked up in the group PEL (see StreamGroup::pel for why no pointers are kept).
  absl::btree_set<StreamId> pel;
};

struct StreamGroup {
  StreamId last_id;
  // Logical count of entries read by the group (XINFO "entries-read"); -1 when unknown.
  int64_t entries_read = -1;
  // The pending entries list. The group owns every record, stored inline in the B-tree: no
  // heap block per entry, ~62 bytes per pending entry with the consumer index (~92 once
  // scattered XACKs leave nodes half full), against ~144 with two std::map nodes and ~88
  // with heap-allocated records indexed by pointer, at the same XACK speed (measured).
  // B-tree inserts and erases move values between nodes, so NO pointer or iterator into
  // `pel` survives an insert or erase in it: hold ids, and look records up again after
  // changing the tree.
  // Invariant (kept by the command code): a record whose `consumer` is c has its id in
  // c->pel, and every id in a consumer's pel has a record here owned by that consumer.
  // Records always have an owner once a command finishes (`consumer` is null only while a
  // forced XCLAIM is creating one).
  absl::btree_map<StreamId, StreamPendingEntry> pel;
  std::map<std::string, std::unique_ptr<StreamConsumer>, std::less<>> consumers;

  StreamConsumer* FindConsumer(std::string_view name);
  // Creates the consumer if missing; *created tells which.
  StreamConsumer* GetOrCreateConsumer(std::string_view name, int64_t now_ms, bool* created);
  // Deletes a consumer and its PEL records; returns how many pending entries it had.
  size_t DeleteConsumer(std::string_view name);
};

class Stream {
 public:
  Stream();
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Visitor of one entry: its id and its field/value pairs flattened (f1, v1, f2, v2 ...;
  // views valid only during the call). Returns false to stop the walk.
  using EntryFn = std::function<bool(StreamId id, std::span<const std::string_view> fv)>;

  size_t length() const { return length_; }
  StreamId last_id() const { return last_id_; }
  // The first and last live entries' ids (0-0 when empty).
  StreamId first_id() const;
  StreamId max_deleted_id() const { return max_deleted_id_; }
  uint64_t entries_added() const { return entries_added_; }
  void set_last_id(StreamId id) { last_id_ = id; }
  void set_max_deleted_id(StreamId id) { max_deleted_id_ = id; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }

  // Appends an entry; `id` must be greater than last_id() (the caller checked). `fv` holds an
  // even, non-zero number of strings. Updates last_id and entries_added.
  void Append(StreamId id, std::span<const std::string_view> fv, const StreamLimits& limits);
  // Deletes one entry; false if absent. Updates length and max_deleted_id.
  bool Delete(StreamId id);

  // Trimming as XADD/XTRIM do it. `approx` (~) trims only whole blocks; `limit` caps the
  // number of entries removed (0 = no cap; only meaningful with approx). Returns the number
  // of entries removed. Like Redis, trimming leaves max_deleted_id alone: trimmed ids all
  // precede the new first entry, so they never sit inside a range a consumer group reads.
  size_t TrimMaxLen(uint64_t maxlen, bool approx, uint64_t limit);
  size_t TrimMinId(StreamId minid, bool approx, uint64_t limit);

  // Visits live entries with start <= id <= end in order (reverse: from end down to start),
  // at most `count` of them (0 = all). Returns how many were visited.
  size_t Range(StreamId start, StreamId end, bool reverse, size_t count, const EntryFn& fn) const;
  // Visits one entry by id; false if it does not exist (deleted or never added).
  bool Get(StreamId id, const EntryFn& fn) const;
  // The id of the last live entry (0-0 when empty); last_id() may be past it after XDEL.
  StreamId last_entry_id() const;

  // --- consumer groups (ordered by name, as XINFO GROUPS lists them) ---
  const std::map<std::string, std::unique_ptr<StreamGroup>, std::less<>>& groups() const {
    return groups_;
  }
  StreamGroup* FindGroup(std::string_view name);
  // nullptr if a group of that name exists.
  StreamGroup* CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read);
  bool DestroyGroup(std::string_view name);

  // The group's lag (entries not yet delivered, XINFO "lag") when it can be computed exactly
  // as Redis 7.2 does; nullopt when Redis reports nil.
  std::optional<uint64_t> Lag(const StreamGroup& g) const;
  // The logical position (entries-read value) of `id`, as Redis's estimate from the first
  // ever entry; nullopt when it cannot be known (a deletion inside the range).
  std::optional<uint64_t> EstimateEntriesRead(StreamId id) const;
  // Moves g's last-delivered id forward to `id` (an entry being delivered, > g.last_id) and
  // keeps g.entries_read as Redis 7.2 does (stream_group.cc).
  void AdvanceGroup(StreamGroup& g, StreamId id) const;

  // Bytes used by the stream (MEMORY USAGE): blocks, index, groups.
  size_t MemoryUsage() const;
  // Deep copy (COPY).
  std::unique_ptr<Stream> Clone() const;
  // Number of blocks (tests, XINFO STREAM FULL's radix-tree-nodes estimate).
  size_t block_count() const;

 private:
  struct Block;  // header + packed entries, defined in stream.cc
  using BlockMap = std::map<StreamId, Block*>;
  // Flags one live entry of the block deleted (p = its header); frees the block when that
  // was its last live entry and then returns true.
  bool MarkDeleted(BlockMap::iterator it, uint8_t* p);
  BlockMap::iterator FreeBlock(BlockMap::iterator it);
  // Removes leading entries while keep_going(id) says so; `approx` stops at the first block
  // that cannot go whole. See TrimMaxLen.
  template <typename WholeBlockFn, typename EntryFn2>
  size_t TrimFront(bool approx, uint64_t limit, WholeBlockFn remove_whole, EntryFn2 remove_entry);

  BlockMap blocks_;  // by the id of each block's first entry (live or deleted)
  size_t length_ = 0;
  StreamId last_id_;
  StreamId max_deleted_id_;
  uint64_t entries_added_ = 0;
  std::map<std::string, std::unique_ptr<StreamGroup>, std::less<>> groups_;
};

}  // namespace ember
