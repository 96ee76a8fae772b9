// CommandTable: registration, case-insensitive lookup, and key extraction from key specs.
#include "server/command_table.h"

#include <algorithm>

#include "server/arg_parser.h"

namespace ember {

std::span<const std::string_view> AclCategoryNames() {
  static constexpr std::string_view kNames[] = {
      "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
      "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
      "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
  return kNames;
}

void CommandSpec::LegacyKeyRange(int* first, int* last, int* step) const {
  *first = *last = *step = 0;
  if (key_specs.empty()) return;
  // Like Redis: derived from the first spec when it is index+range; movable otherwise.
  const KeySpec& ks = key_specs[0];
  if (ks.unknown || !ks.bs_keyword.empty() || ks.fk_keynum_index >= 0) return;
  *first = ks.bs_index;
  *step = ks.fk_key_step;
  if (ks.fk_last_key >= 0)
    *last = ks.bs_index + ks.fk_last_key;
  else
    *last = ks.fk_last_key;
  // Further index+range specs widen the range when contiguous (e.g. LMOVE, SMOVE, RENAME).
  for (size_t i = 1; i < key_specs.size(); i++) {
    const KeySpec& k = key_specs[i];
    if (k.unknown || !k.bs_keyword.empty() || k.fk_keynum_index >= 0) break;
    if (k.fk_last_key < 0) {
      *last = k.fk_last_key;
    } else {
      *last = std::max(*last, k.bs_index + k.fk_last_key);
    }
  }
}

std::string CommandSpec::DisplayName() const {
  std::string n = name;
  std::replace(n.begin(), n.end(), '|', ' ');
  return n;
}

CommandTable& CommandTable::Instance() {
  static CommandTable* table = new CommandTable();
  return *table;
}

CommandTable::CommandTable() {
  RegisterConnectionFamily(*this);
  RegisterStringFamily(*this);
  RegisterKeyFamily(*this);
  RegisterServerFamily(*this);
  RegisterConfigFamily(*this);
  RegisterCommandFamily(*this);
  RegisterClientFamily(*this);
  RegisterScriptingFamily(*this);
  RegisterFunctionFamily(*this);
  RegisterHashFamily(*this);
  RegisterSetFamily(*this);
  RegisterListFamily(*this);
  RegisterZSetFamily(*this);
  RegisterBitopsFamily(*this);
  RegisterHyperLogLogFamily(*this);
  RegisterGeoFamily(*this);
  RegisterSortFamily(*this);
  RegisterMultiFamily(*this);
  RegisterMemoryFamily(*this);
  RegisterStreamFamily(*this);
  RegisterStreamGroupFamily(*this);
  RegisterPubSubFamily(*this);
  RegisterTrackingFamily(*this);  // after RegisterClientFamily: adds CLIENT subcommands
  RegisterDumpFamily(*this);
  RegisterPersistenceFamily(*this);
  RegisterAclFamily(*this);
}

CommandSpec* CommandTable::Add(CommandSpec spec) {
  spec.name = AsciiLower(spec.name);
  spec.acl_id = next_acl_id_++;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec* p = owned.get();
  by_name_[std::string_view(p->name)] = p;
  commands_.push_back(std::move(owned));
  return p;
}

CommandSpec* CommandTable::AddSub(CommandSpec* parent, CommandSpec spec) {
  spec.name = parent->name + "|" + AsciiLower(spec.name);
  spec.parent = parent;
  if (spec.group.empty()) spec.group = parent->group;
  spec.acl_id = next_acl_id_++;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec* p = owned.get();
  parent->subcommands.push_back(std::move(owned));
  return p;
}

size_t CommandTable::NameHash::operator()(std::string_view s) const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over ASCII-lower-cased bytes
  for (char c : s) {
    h ^= uint8_t(c | 0x20);
    h *= 1099511628211ull;
  }
  return size_t(h);
}

bool CommandTable::NameEq::operator()(std::string_view a, std::string_view b) const {
  return EqualsIgnoreCase(a, b);
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

bool CommandTable::Rename(std::string_view name, std::string_view new_name) {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return false;
  CommandSpec* spec = it->second;
  if (!new_name.empty() && !EqualsIgnoreCase(name, new_name) && Find(new_name)) return false;
  by_name_.erase(it);
  if (new_name.empty()) {
    removed_.insert(spec);
    return true;
  }
  new_names_.push_back(AsciiLower(new_name));
  by_name_[std::string_view(new_names_.back())] = spec;
  return true;
}

const CommandSpec* CommandTable::FindSub(const CommandSpec* parent, std::string_view sub) const {
  for (const auto& s : parent->subcommands) {
    std::string_view short_name = std::string_view(s->name).substr(parent->name.size() + 1);
    if (EqualsIgnoreCase(short_name, sub)) return s.get();
  }
  return nullptr;
}

const CommandSpec* CommandTable::Resolve(std::span<const std::string_view> args) const {
  if (args.empty()) return nullptr;
  const CommandSpec* c = Find(args[0]);
  if (c && !c->subcommands.empty() && args.size() >= 2) {
    const CommandSpec* s = FindSub(c, args[1]);
    if (s) return s;
  }
  return c;
}

bool CommandTable::GetKeys(const CommandSpec& cmd, std::span<const std::string_view> args,
                           std::vector<int>* keys, std::vector<uint32_t>* key_flags) {
  if (cmd.get_keys) return cmd.get_keys(args, keys, key_flags);
  int argc = int(args.size());
  for (const KeySpec& ks : cmd.key_specs) {
    if (ks.unknown) continue;
    int first;
    if (ks.bs_keyword.empty()) {
      first = ks.bs_index;
    } else {
      first = -1;
      int start = ks.bs_keyword_start;
      int from = start >= 0 ? start : argc + start;
      int step = start >= 0 ? 1 : -1;
      for (int i = from; i >= 1 && i < argc; i += step) {
        if (EqualsIgnoreCase(args[i], ks.bs_keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first < 0) continue;
    }
    if (first >= argc) {
      if (ks.bs_keyword.empty()) return cmd.has(kCmdNoMandatoryKeys) || !keys->empty();
      continue;
    }
    int last, step;
    if (ks.fk_keynum_index >= 0) {
      int64_t n;
      int idx = first + ks.fk_keynum_index;
      if (idx >= argc || !ParseInt64(args[idx], &n) || n < 0) return false;
      first = first + ks.fk_first_key;
      step = ks.fk_key_step;
      last = first + int(n - 1) * step;
      if (n == 0) continue;
    } else {
      step = ks.fk_key_step;
      if (ks.fk_last_key >= 0) {
        last = first + ks.fk_last_key;
      } else {
        last = argc + ks.fk_last_key;
        if (ks.fk_limit > 1) last = first + ((last - first) / ks.fk_limit);
      }
    }
    if (last >= argc) return false;
    for (int i = first; i <= last; i += step) {
      keys->push_back(i);
      if (key_flags) key_flags->push_back(ks.flags);
    }
  }
  return true;
}

CommandSpec KeyedRow::ToSpec(std::string_view group, std::vector<KeySpec> keys) const {
  CommandSpec spec{.name = name,
                   .arity = arity,
                   .flags = flags,
                   .acl = acl,
                   .key_specs = std::move(keys),
                   .group = group,
                   .since = since,
                   .summary = summary,
                   .complexity = complexity,
                   .syntax = syntax,
                   .handler = handler};
  if (!tip.empty()) spec.tips = {tip};
  return spec;
}

void AddKeyedRows(CommandTable& t, std::string_view group, std::span<const KeyedRow> rows) {
  for (const KeyedRow& row : rows) t.Add(row.ToSpec(group, {KeyAt(1, row.key_flags)}));
}

KeySpec KeyAt(int index, uint32_t flags) {
  KeySpec k;
  k.flags = flags;
  k.bs_index = index;
  k.fk_last_key = 0;
  k.fk_key_step = 1;
  return k;
}

KeySpec KeyRange(int first, int last, int step, uint32_t flags) {
  KeySpec k;
  k.flags = flags;
  k.bs_index = first;
  k.fk_last_key = last < 0 ? last : last - first;
  k.fk_key_step = step;
  return k;
}

KeySpec KeyNumKeys(int numkeys_index, uint32_t flags) {
  KeySpec k;
  k.flags = flags;
  k.bs_index = numkeys_index;
  k.fk_keynum_index = 0;
  k.fk_first_key = 1;
  k.fk_key_step = 1;
  return k;
}

}  // namespace ember
