// Internal: the one message every create function gives when its arena is
// too small, naming the size query that would have been right.
#pragma once

#include <cstddef>

#include "tacit/arena.h"
#include "tacit/status.h"

namespace tacit {

// "WHAT: arena has R bytes left; NEEDED bytes needed (SIZE_QUERY); a
// buffer of any alignment needs arena_buffer_bytes(SIZE_QUERY(...))".
Status arena_too_small(const char* what, const Arena& arena, std::size_t needed,
                       const char* size_query);

}  // namespace tacit
