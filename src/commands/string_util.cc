// Helpers shared by the in-place string editors (see string_util.h).
#include "commands/string_util.h"

#include <cstring>
#include <string_view>

namespace ember {

KvEntry* RawWithRoom(Db& db, KvEntry* e, size_t need) {
  if (e->encoding() == ObjEncoding::kRaw) {
    RawString* r = RawString::Reserve(e->raw(), need);
    e->set_obj(r);  // Reserve may have moved the block
    return e;
  }
  char scratch[24];
  std::string_view cur = e->StringValue(scratch);
  RawString* r = RawString::Reserve(RawString::Create(cur, cur.size()), need);
  KvEntry* fresh =
      KvEntry::CreateObj(e->key(), ObjType::kString, ObjEncoding::kRaw, r, e->expire_ms());
  return db.ReplaceEntry(e, fresh, false);
}

KvEntry* GrowZeroed(Db& db, KvEntry* e, size_t len) {
  e = RawWithRoom(db, e, len);
  RawString* r = e->raw();
  if (r->len < len) {
    std::memset(r->data + r->len, 0, len - r->len);
    r->len = len;
  }
  return e;
}

}  // namespace ember
