// Propagator (see propagate.h). Placeholder delivery; the command rewriting lives with each
// command family.
#include "server/propagate.h"

#include <algorithm>

namespace ember {

void Propagator::AddTarget(PropagationTarget* t) { targets_.push_back(t); }

void Propagator::RemoveTarget(PropagationTarget* t) {
  targets_.erase(std::remove(targets_.begin(), targets_.end(), t), targets_.end());
}

void Propagator::Add(int db, std::vector<std::string> argv) {
  if (targets_.empty()) return;
  pending_.push_back({db, std::move(argv)});
}

void Propagator::Flush() {
  if (pending_.empty()) return;
  for (auto* t : targets_)
    for (auto& op : pending_) t->Propagate(op.db, op.argv);
  pending_.clear();
}

}  // namespace ember
