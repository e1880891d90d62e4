#include "tacit/version.h"

namespace tacit {

const char* version_string() { return TACIT_VERSION_STRING; }

}  // namespace tacit
