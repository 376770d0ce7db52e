#pragma once

// The entry code of the fuzz targets, shared by the libFuzzer programs (tests/fuzz/fuzz_*.cpp,
// built with clang when EVENTIUM_FUZZ is on) and by tst_fuzzregressions (the normal suite),
// which runs the seed corpus and every kept crash input through the same functions.
//
// Each entry takes the raw bytes of one input, runs the parser on them and then checks the
// promises the parser makes about what it accepted (round trips, exact JSON text, no
// password on display, ...). A broken promise is reported as a violation; the fuzz programs
// abort on it, so libFuzzer keeps the input like any other crash.

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstddef>
#include <cstdint>

namespace eventium::fuzz {

struct Outcome
{
    bool accepted = false; // the parser took the input (parsed, decoded, valid)
    QString violation; // empty unless a promise about the result was broken
};

using Entry = Outcome (*)(const QByteArray &input);

// ConnectionOptions::parse on the bytes as UTF-8. What parses must parse again from
// toConnInfo() to the same options, and toDisplayString() must show no password.
Outcome connectionOptions(const QByteArray &input);

// The CLI's JSON-lines reader (`eventium append -`) on the bytes as stdin. Every event read
// keeps its data and metadata as one JSON value equal to what Qt's parser reads for that
// member, a refused input leaves no events, and an event written back as a JSON line
// (JsonLine) reads back the same.
Outcome stdinEvents(const QByteArray &input);

// SearchExpression::parse on the bytes as UTF-8. A refusal says why; containment is one
// JSON object; a JSON path starts with $.
Outcome searchExpression(const QByteArray &input);

// The bank example's codecs. The first byte picks the event type (or the account snapshot),
// the rest is the JSON payload. What decodes must encode and decode again to the same JSON,
// and decodeAny over all types must agree with the type's own codec.
Outcome codecs(const QByteArray &input);

// The checks an append makes before anything is sent. The first line is
// `stream<TAB>expected version`, every further line one event: `type<TAB>data<TAB>metadata`.
// Stream names and expected versions are validated (an expected version parses back from its
// text), Store::validateEvent and appendencoding::encodeBatch judge the events (limit 2 KiB
// an event), and an accepted batch's array literals read back to exactly the events' ids,
// types, payloads and metadata.
Outcome appendValidation(const QByteArray &input);

// The import reader (checkImport(): importEvents()' first pass, without a store) on the bytes
// as a file, with the store's limit of 2 KiB an event. The same bytes read as a pipe (a few
// bytes at a time) get the same verdict; fresh ids are never refused where the lines' ids are
// not; a refusal is invalid input naming its line and why; a valid input counts one event for
// every line that is not blank, and every line.
Outcome importInput(const QByteArray &input);

struct Target
{
    const char *name; // the folder name under tests/fuzz/corpus and tests/fuzz/regressions
    Entry entry;
};

// Every target, in a fixed order.
const QList<Target> &targets();

// For LLVMFuzzerTestOneInput: runs `entry` and aborts with the violation, if any.
int runForFuzzer(Entry entry, const uint8_t *data, size_t size);

} // namespace eventium::fuzz
