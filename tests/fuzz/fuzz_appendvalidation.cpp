// libFuzzer target: see eventium::fuzz::appendValidation (fuzzentries.h).
#include "fuzzentries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return eventium::fuzz::runForFuzzer(&eventium::fuzz::appendValidation, data, size);
}
