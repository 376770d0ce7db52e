// libFuzzer target: see eventium::fuzz::importInput (fuzzentries.h).
#include "fuzzentries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return eventium::fuzz::runForFuzzer(&eventium::fuzz::importInput, data, size);
}
