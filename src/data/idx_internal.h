// Shared between the IDX parser and the file loader; not public API.
#pragma once

#include "tacit/idx.h"

namespace tacit {

// Converts a payload read straight from a file to host byte order, in place.
void idx_payload_to_host_order(const IdxHeader& header, void* payload);

}  // namespace tacit
