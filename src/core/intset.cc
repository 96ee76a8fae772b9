// IntSet implementation: see intset.h.
#include "core/intset.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace ember {

uint32_t IntSet::WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

IntSet* IntSet::Create() {
  void* p = std::malloc(sizeof(IntSet));
  if (!p) throw std::bad_alloc();
  IntSet* s = static_cast<IntSet*>(p);
  s->width_ = 2;
  s->count_ = 0;
  return s;
}

void IntSet::Destroy(IntSet* s) { std::free(s); }

IntSet* IntSet::Copy(const IntSet* s) {
  size_t n = s->BlobBytes();
  void* p = std::malloc(n);
  if (!p) throw std::bad_alloc();
  std::memcpy(p, s, n);
  return static_cast<IntSet*>(p);
}

IntSet* IntSet::Resize(IntSet* s, size_t count) {
  void* p = std::realloc(s, sizeof(IntSet) + size_t(s->width_) * count);
  if (!p) throw std::bad_alloc();
  return static_cast<IntSet*>(p);
}

int64_t IntSet::Get(size_t i) const {
  const uint8_t* p = data() + i * width_;
  switch (width_) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

void IntSet::Set(size_t i, int64_t v) {
  uint8_t* p = data() + i * width_;
  if (width_ == 2) {
    int16_t x = int16_t(v);
    std::memcpy(p, &x, 2);
  } else if (width_ == 4) {
    int32_t x = int32_t(v);
    std::memcpy(p, &x, 4);
  } else {
    std::memcpy(p, &v, 8);
  }
}

bool IntSet::Search(int64_t v, size_t* pos) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int64_t m = Get(mid);
    if (m == v) {
      *pos = mid;
      return true;
    }
    if (m < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  *pos = lo;
  return false;
}

bool IntSet::Contains(int64_t v) const {
  if (WidthFor(v) > width_) return false;
  size_t pos;
  return Search(v, &pos);
}

IntSet* IntSet::Add(IntSet* s, int64_t v, bool* added) {
  uint32_t need = WidthFor(v);
  if (need > s->width_) {
    // A value wider than every member is either below all of them or above all of them, so
    // it goes to one end. Widen from the back so no member is overwritten before it is read.
    uint32_t old_width = s->width_;
    size_t n = s->count_;
    s->width_ = need;
    s = Resize(s, n + 1);
    bool front = v < 0;
    for (size_t i = n; i-- > 0;) {
      const uint8_t* p = s->data() + i * old_width;
      int64_t x;
      if (old_width == 2) {
        int16_t t;
        std::memcpy(&t, p, 2);
        x = t;
      } else {
        int32_t t;
        std::memcpy(&t, p, 4);
        x = t;
      }
      s->Set(i + (front ? 1 : 0), x);
    }
    s->Set(front ? 0 : n, v);
    s->count_ = uint32_t(n + 1);
    *added = true;
    return s;
  }
  size_t pos;
  if (s->Search(v, &pos)) {
    *added = false;
    return s;
  }
  size_t n = s->count_;
  s = Resize(s, n + 1);
  std::memmove(s->data() + (pos + 1) * s->width_, s->data() + pos * s->width_,
               (n - pos) * s->width_);
  s->Set(pos, v);
  s->count_ = uint32_t(n + 1);
  *added = true;
  return s;
}

IntSet* IntSet::Remove(IntSet* s, int64_t v, bool* removed) {
  size_t pos;
  if (WidthFor(v) > s->width_ || !s->Search(v, &pos)) {
    *removed = false;
    return s;
  }
  size_t n = s->count_;
  std::memmove(s->data() + pos * s->width_, s->data() + (pos + 1) * s->width_,
               (n - pos - 1) * s->width_);
  s->count_ = uint32_t(n - 1);
  *removed = true;
  return Resize(s, n - 1);
}

}  // namespace ember
