// Propagator (see propagate.h): queues the commands of one top-level request and delivers them
// to every target. The command rewriting lives with each command family.
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

void Propagator::Flush(bool wrap) {
  if (pending_.empty()) return;
  if (targets_.empty()) {
    pending_.clear();
    return;
  }
  static const std::string kMulti[] = {"MULTI"};
  static const std::string kExec[] = {"EXEC"};
  bool transaction = wrap && pending_.size() > 1;
  for (auto* t : targets_) {
    if (transaction) t->Propagate(pending_.front().db, kMulti);
    for (auto& op : pending_) t->Propagate(op.db, op.argv);
    if (transaction) t->Propagate(pending_.back().db, kExec);
  }
  pending_.clear();
}

}  // namespace ember
