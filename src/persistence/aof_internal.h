// Private parts of the Aof (aof.h) shared by its source files: the background fsync thread and
// the state of a running rewrite.
// Thread: FsyncWorker's members are shared with its thread (mutex/atomics); RewriteJob is
// command-thread only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "persistence/aof.h"
#include "persistence/file_system.h"
#include "persistence/snapshot.h"
#include "server/used_memory.h"

namespace ember {

// Background fsync thread (Redis's BIO_AOF_FSYNC): syncs (and optionally closes) files handed
// over by the command thread, one at a time, and reports the outcome through atomics.
struct Aof::FsyncWorker {
  struct Job {
    std::shared_ptr<WritableFile> file;
    uint64_t size = 0;  // bytes written when the job was queued
    bool close = false;
  };

  FsyncWorker() : thread([this] { Run(); }) {}
  ~FsyncWorker() {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
    }
    cv.notify_all();
    thread.join();
  }

  void Push(Job job) {
    {
      std::lock_guard<std::mutex> l(mu);
      jobs.push_back(std::move(job));
      pending.fetch_add(1);
    }
    cv.notify_all();
  }

  void WaitIdle() {
    std::unique_lock<std::mutex> l(mu);
    idle_cv.wait(l, [this] { return pending.load() == 0; });
  }

  void Run() {
    RegisterMemoryThread();  // drops the files (and their buffers) handed over to it
    std::unique_lock<std::mutex> l(mu);
    while (true) {
      cv.wait(l, [this] { return stop || !jobs.empty(); });
      if (jobs.empty()) return;  // stop requested and nothing left
      Job job = std::move(jobs.front());
      jobs.pop_front();
      l.unlock();
      IoStatus st = job.file->Sync();
      if (st.ok()) {
        synced_file.store(job.file.get());
        synced_size.store(job.size);
        last_err.store(0);
      } else {
        last_err.store(st.err);
      }
      if (job.close) (void)job.file->Close();
      job.file.reset();
      l.lock();
      pending.fetch_sub(1);
      idle_cv.notify_all();
    }
  }

  std::mutex mu;
  std::condition_variable cv, idle_cv;
  std::deque<Job> jobs;
  bool stop = false;
  std::atomic<int> pending{0};
  std::atomic<int> last_err{0};                   // errno of the last fsync, 0 when it worked
  std::atomic<const void*> synced_file{nullptr};  // file and size of the last good fsync
  std::atomic<uint64_t> synced_size{0};
  std::thread thread;  // last: starts after the members above exist
};

struct Aof::RewriteJob {
  std::unique_ptr<Snapshot> snap;
  std::shared_ptr<BackgroundFileWriter> writer;
  std::string temp_path;
  bool rdb = true;
  int64_t next_step_us = 0;  // rdb-key-save-delay pacing
  bool delay_paid = false;
};

}  // namespace ember
