// Helpers shared by the hash command files (hash_family.cc, hash_ttl_family.cc): typed
// lookups that apply lazy field expiry, and storing a changed hash back into its entry.
#pragma once

#include <string_view>

#include "core/db.h"
#include "core/hash_object.h"
#include "core/kv_entry.h"

namespace ember {

class CommandContext;

// The listpack thresholds from the config (hash-max-listpack-entries / -value).
HashLimits HashLimitsFor(const CommandContext& ctx);

// Looks a hash up for a read (counting hits/misses) or a write. Returns false after replying
// WRONGTYPE; *e is nullptr when the key is absent. A hash whose earliest field TTL has passed
// loses its expired fields first (and its key, when that empties it), so callers never see an
// expired field.
bool LookupHash(CommandContext& ctx, std::string_view key, bool write, KvEntry** e);

inline HashObject HashOf(const KvEntry* e) { return HashObject(e->encoding(), e->obj()); }

// Stores `h` (possibly moved or re-encoded) as the value of `key`, whose entry is `e` (or
// nullptr: a new key). Deletes the key when the hash became empty. Notifies the change.
void StoreHash(Db& db, std::string_view key, KvEntry* e, HashObject h);

}  // namespace ember
