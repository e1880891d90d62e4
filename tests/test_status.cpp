// Status: small by value, messages readable for the documented while.
#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "tacit/status.h"
#include "tacit/threads.h"

using tacit::Status;

TEST_CASE("a Status is at most 32 bytes: two words") {
  static_assert(sizeof(Status) <= 32, "Status is returned by value everywhere");
  CHECK(sizeof(Status) == 2 * sizeof(void*));
  CHECK(Status::success().ok());
  CHECK(std::string(Status::success().message()) == "ok");
}

TEST_CASE("the last kMessageSlots errors of a thread keep their text; older ones say so") {
  Status kept[Status::kMessageSlots];
  const Status oldest = Status::error("error %d of %s", 0, "these");
  for (int i = 0; i < Status::kMessageSlots; ++i) {
    kept[i] = Status::error("error %d of %s", i + 1, "these");
  }
  for (int i = 0; i < Status::kMessageSlots; ++i) {
    CHECK_FALSE(kept[i].ok());
    CHECK(std::string(kept[i].message()) == "error " + std::to_string(i + 1) + " of these");
  }
  CHECK_FALSE(oldest.ok());  // still an error, whatever became of its text
  CHECK(std::string(oldest.message()).find("replaced") != std::string::npos);
  const Status copy = kept[0];
  CHECK(std::string(copy.message()) == "error 1 of these");
}

TEST_CASE("the message is truncated to kMessageCapacity - 1 bytes") {
  const std::string big(1000, 'x');
  const Status status = Status::error("%s", big.c_str());
  CHECK(std::string(status.message()).size() == Status::kMessageCapacity - 1);
}

TEST_CASE("each thread keeps its own messages") {
  if (!tacit::threads_enabled()) return;
  const Status mine = Status::error("made here");
  std::string theirs;
  std::thread other([&] {
    for (int i = 0; i < 3 * Status::kMessageSlots; ++i) Status::error("made there %d", i);
    theirs = Status::error("theirs").message();
  });
  other.join();
  CHECK(theirs == "theirs");
  CHECK(std::string(mine.message()) == "made here");
}
