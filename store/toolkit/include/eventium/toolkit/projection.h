#pragma once

#include "eventium/codec.h"
#include "eventium/store.h"

#include <functional>

namespace eventium::toolkit {

// A projection folds events into a state: an initial state and a function that applies one
// decoded event to it. `Events` are the C++ event types (each with an EventCodec) the
// projection understands.
//
//   Projection<Totals, MoneyDeposited, MoneyWithdrawn> totals;
//   totals.apply = [](Totals t, const auto &event) { ...; return t; };
//   auto folded = foldStream(store, totals, StreamName("account-1"));
//
// Stored events of other types are skipped unless `strict` is set; an event of a known type
// whose payload does not decode is always an error (InvalidJson).
template<typename State, CodedEvent... Events> struct Projection
{
    using StateType = State;
    using Event = AnyOf<Events...>;

    State initial {};
    // Applies one event. Used unless applyRecorded is set.
    std::function<State(State, const Event &)> apply;
    // Applies one event with where it was stored (stream, version, position, metadata):
    // for projections over the global sequence that need the stream name. Optional.
    std::function<State(State, const Event &, const RecordedEvent &)> applyRecorded;
    // Fail on events of types not in Events instead of skipping them.
    bool strict = false;

    static bool knows(const QString &type)
    {
        return ((type == EventCodec<Events>::typeName()) || ...);
    }

    // Applies one stored event to `state`. Returns false (and leaves `state` alone) for an
    // event of another type; an error when it does not decode or is unknown in strict mode.
    Result<bool> applyTo(State &state, const RecordedEvent &recorded) const
    {
        if (!knows(recorded.type)) {
            if (!strict)
                return false;
            return StoreError(StoreError::Kind::InvalidInput,
                              QStringLiteral("event %1 of \"%2\" has a type this projection does "
                                             "not know: \"%3\"")
                                  .arg(recorded.version.value)
                                  .arg(recorded.stream, recorded.type));
        }
        auto decoded = decodeAny<Events...>(recorded);
        if (!decoded)
            return StoreError(StoreError::Kind::InvalidJson,
                              QStringLiteral("event %1 of \"%2\" (%3) does not decode")
                                  .arg(recorded.version.value)
                                  .arg(recorded.stream, recorded.type));
        if (applyRecorded)
            state = applyRecorded(std::move(state), *decoded, recorded);
        else if (apply)
            state = apply(std::move(state), *decoded);
        return true;
    }

    // Applies an event that was not read from the store (e.g. one just decided).
    State applyEvent(State state, const Event &event) const
    {
        if (apply)
            return apply(std::move(state), event);
        if (applyRecorded)
            return applyRecorded(std::move(state), event, RecordedEvent {});
        return state;
    }
};

// The result of folding one stream.
template<typename State> struct StreamFold
{
    State state;
    StreamVersion version; // the version of the last event read (0: none at all)
    qint64 applied = 0; // events applied (events of unknown types are read but not applied)
    qint64 read = 0; // events read
};

// Folds the events of `stream` from version `from` (inclusive) into `start`, reading in
// pages of `pageSize`. A missing stream folds to `start` with version from - 1.
template<typename State, CodedEvent... Events>
Result<StreamFold<State>> foldStream(Store &store, const Projection<State, Events...> &projection,
                                     const StreamName &stream, StreamVersion from, State start,
                                     int pageSize = 1000)
{
    StreamFold<State> out {std::move(start), StreamVersion(qMax<qint64>(0, from.value - 1)), 0, 0};
    StreamVersion next(qMax<qint64>(1, from.value));
    for (;;) {
        auto page = store.readStream(stream, next, Direction::Forward, pageSize);
        if (!page)
            return page.error();
        for (const RecordedEvent &e : page.value()) {
            auto applied = projection.applyTo(out.state, e);
            if (!applied)
                return applied.error();
            out.applied += applied.value() ? 1 : 0;
            ++out.read;
            out.version = e.version;
        }
        if (page->size() < pageSize)
            return out;
        next = StreamVersion(out.version.value + 1);
    }
}

// Folds a whole stream from its first event into the projection's initial state.
template<typename State, CodedEvent... Events>
Result<StreamFold<State>> foldStream(Store &store, const Projection<State, Events...> &projection,
                                     const StreamName &stream)
{
    return foldStream(store, projection, stream, StreamVersion(1), projection.initial);
}

// The result of folding the global sequence.
template<typename State> struct GlobalFold
{
    State state;
    GlobalPosition next; // where to continue folding later (the first position not read)
    qint64 applied = 0;
    qint64 read = 0;
};

// Folds the global sequence from `from` (inclusive) up to the head as it was when the fold
// started, paging through Store::readAll. The filter narrows what is read; `next` lets a
// caller continue incrementally later: foldAll(store, p, fold.next, fold.state).
template<typename State, CodedEvent... Events>
Result<GlobalFold<State>> foldAll(Store &store, const Projection<State, Events...> &projection,
                                  GlobalPosition from, State start, const GlobalFilter &filter = {},
                                  int pageSize = 1000)
{
    GlobalFold<State> out {std::move(start), GlobalPosition(qMax<qint64>(1, from.value)), 0, 0};
    qint64 stopAfter = -1; // the head when the fold started
    for (;;) {
        auto page = store.readAll(out.next, pageSize, filter);
        if (!page)
            return page.error();
        if (stopAfter < 0)
            stopAfter = page->head.value;
        for (const RecordedEvent &e : page->events) {
            if (e.position.value > stopAfter) {
                out.next = e.position;
                return out;
            }
            auto applied = projection.applyTo(out.state, e);
            if (!applied)
                return applied.error();
            out.applied += applied.value() ? 1 : 0;
            ++out.read;
        }
        const bool advanced = page->next > out.next;
        out.next = page->next;
        if (!advanced || out.next.value > stopAfter)
            return out;
    }
}

// Folds the whole global sequence into the projection's initial state.
template<typename State, CodedEvent... Events>
Result<GlobalFold<State>> foldAll(Store &store, const Projection<State, Events...> &projection,
                                  const GlobalFilter &filter = {})
{
    return foldAll(store, projection, GlobalPosition(1), projection.initial, filter);
}

} // namespace eventium::toolkit
