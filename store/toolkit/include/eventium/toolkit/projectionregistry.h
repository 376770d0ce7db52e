#pragma once

#include "eventium/cancellation.h"
#include "eventium/codec.h"
#include "eventium/result.h"
#include "eventium/store.h"
#include "eventium/toolkit/jsondiff.h"
#include "eventium/toolkit/projection.h"

#include <QJsonValue>
#include <QMap>
#include <QMutex>
#include <QStringList>

#include <functional>
#include <optional>
#include <type_traits>

namespace eventium::toolkit {

// Projections by stream category, over JSON: what a tool that knows no C++ event types (the
// browser's State tab, `eventium state`) needs to show a stream's state at each version.
//
// A stream's category is the part of its name before the first '-' ("account" for
// "account-42"), the prefix a category's streams share in a prefix filter ("account-"); a
// name without '-' has no category (and so no projection).
QString streamCategory(const QString &stream);

// One event as a registered projection sees it: payload and metadata parsed.
struct ProjectedEvent
{
    QString stream;
    StreamVersion version;
    GlobalPosition position;
    QString type;
    QJsonValue data; // the payload; null when it is not a JSON object or array
    QJsonValue metadata; // null when there is none
};

// Applies one event to a state and returns the new state (the same state for an event it
// does not care about); an error stops the fold.
using JsonFold
    = std::function<Result<QJsonValue>(const QJsonValue &state, const ProjectedEvent &event)>;

struct RegisteredProjection
{
    QString category;
    QString name; // shown to people, e.g. "bank.account"
    QJsonValue initial; // the state before the first event
    JsonFold fold;
    // The snapshots (snapshotstore.h) that hold this state in the same JSON, if any: a fold
    // may start from the newest one before the version it wants instead of from version 1.
    QString snapshotName;
    int snapshotStateVersion = 1;
};

// Projections by category. Thread safe; a process usually uses global().
class ProjectionRegistry
{
public:
    // Adds the projection of `projection.category`, replacing one registered before (so
    // registering twice is harmless). InvalidInput when the category is empty or holds a '-',
    // or the fold is missing.
    Result<Done> add(RegisteredProjection projection);
    std::optional<RegisteredProjection> forCategory(const QString &category) const;
    // The projection of the stream's category; nullopt when there is none.
    std::optional<RegisteredProjection> forStream(const QString &stream) const;
    QStringList categories() const; // in name order

    // The registry of this process.
    static ProjectionRegistry &global();

private:
    mutable QMutex m_mutex;
    QMap<QString, RegisteredProjection> m_projections;
};

// A JSON payload as one of `Events` (by its type name); nullopt when the type is another or
// the payload does not decode.
template<CodedEvent... Events>
std::optional<AnyOf<Events...>> decodeJsonEvent(const QString &type, const QJsonObject &data)
{
    std::optional<AnyOf<Events...>> out;
    (void)((type == EventCodec<Events>::typeName()
            && (
                out = [&]() -> std::optional<AnyOf<Events...>> {
                    if (auto d = EventCodec<Events>::decode(data))
                        return AnyOf<Events...>(std::move(*d));
                    return std::nullopt;
                }(),
                true))
           || ...);
    return out;
}

// A typed projection (projection.h) as a registered one: the state goes through
// `encodeState`/`decodeState` (the codecs a snapshot policy uses), events through their
// EventCodecs. Events of other types leave the state as it is (unless the projection is
// strict); an event of a known type whose payload does not decode is an error (InvalidJson).
template<typename State, CodedEvent... Events>
RegisteredProjection registeredProjection(
    QString category, QString name, Projection<State, Events...> projection,
    std::type_identity_t<std::function<QJsonObject(const State &)>> encodeState,
    std::type_identity_t<std::function<std::optional<State>(const QJsonObject &)>> decodeState)
{
    RegisteredProjection out;
    out.category = std::move(category);
    out.name = std::move(name);
    out.initial = encodeState(projection.initial);
    out.fold = [projection = std::move(projection), encodeState, decodeState](
                   const QJsonValue &json, const ProjectedEvent &e) -> Result<QJsonValue> {
        using P = Projection<State, Events...>;
        if (!P::knows(e.type)) {
            if (!projection.strict)
                return json;
            return StoreError(StoreError::Kind::InvalidInput,
                              QStringLiteral("event %1 of \"%2\" has a type this projection does "
                                             "not know: \"%3\"")
                                  .arg(e.version.value)
                                  .arg(e.stream, e.type));
        }
        std::optional<State> state = decodeState(json.toObject());
        if (!state)
            return StoreError(StoreError::Kind::InvalidJson,
                              QStringLiteral("the state before event %1 of \"%2\" does not decode")
                                  .arg(e.version.value)
                                  .arg(e.stream));
        const auto decoded = decodeJsonEvent<Events...>(e.type, e.data.toObject());
        if (!decoded || !e.data.isObject())
            return StoreError(StoreError::Kind::InvalidJson,
                              QStringLiteral("event %1 of \"%2\" (%3) does not decode")
                                  .arg(e.version.value)
                                  .arg(e.stream, e.type));
        if (projection.applyRecorded) {
            RecordedEvent recorded;
            recorded.stream = e.stream;
            recorded.version = e.version;
            recorded.position = e.position;
            recorded.type = e.type;
            *state = projection.applyRecorded(std::move(*state), *decoded, recorded);
        } else if (projection.apply) {
            *state = projection.apply(std::move(*state), *decoded);
        }
        return QJsonValue(encodeState(*state));
    };
    return out;
}

// One event of a stream with the states around it.
struct StateStep
{
    RecordedEvent event;
    QJsonValue before;
    QJsonValue after;
    // What the event changed (jsonDiff of before and after).
    QList<JsonChange> changes() const { return jsonDiff(before, after); }
};

// Walks a stream event by event through a registered projection, reading it a page at a
// time (only that page and the current state are held). Hidden events (truncated, deleted)
// are skipped as every read skips them.
class StateStepper
{
public:
    StateStepper(Store &store, RegisteredProjection projection, StreamName stream,
                 int pageSize = 1000);

    // Goes on from a state known after `version` (the default: the projection's initial
    // state before version 1).
    void startAfter(StreamVersion version, QJsonValue state);
    // Checked before every page read: once cancelled, next() fails with Cancelled.
    void setCancellation(const Cancellation &cancellation) { m_cancellation = cancellation; }
    // Reads at most this many events ahead (0: a full page): for a walk that stops at a version.
    void setReadAhead(qint64 events) { m_readAhead = events; }

    // The next event and the states around it; nullopt at the end of the stream.
    Result<std::optional<StateStep>> next();

    StreamVersion version() const { return m_version; } // of the last event folded (0: none)
    const QJsonValue &state() const { return m_state; } // after version()
    qint64 read() const { return m_read; } // events folded so far
    const RegisteredProjection &projection() const { return m_projection; }

private:
    Store &m_store;
    RegisteredProjection m_projection;
    StreamName m_stream;
    int m_pageSize;
    Cancellation m_cancellation = Cancellation::none();
    qint64 m_readAhead = 0;
    StreamVersion m_version;
    QJsonValue m_state;
    QList<RecordedEvent> m_page;
    qsizetype m_next = 0; // in m_page
    bool m_end = false;
    qint64 m_read = 0;
};

struct StateAtOptions
{
    // Go on from a state known after this version instead of from the start (or a snapshot).
    std::optional<StreamVersion> startAfter;
    QJsonValue startState;
    // Use the projection's newest snapshot before the version when it matches its event.
    bool useSnapshots = true;
    Cancellation cancellation = Cancellation::none();
    // Called after every page with the version reached and the state after it (a caller may
    // keep some as checkpoints to start later folds from).
    std::function<void(StreamVersion reached, const QJsonValue &state)> progress;
    int pageSize = 1000;
};

struct StateAt
{
    QJsonValue state; // after `version`
    // The last version folded: the one asked for, or the stream's last when it ends before
    // (0: no event at all, `state` is where the fold started).
    StreamVersion version;
    // The event at `version` with the states around it; nullopt when no event was folded.
    std::optional<StateStep> step;
    qint64 read = 0; // events folded
    StreamVersion snapshot; // the snapshot's version the fold started from (0: none)
};

// The state of `stream` after `version` (StreamVersion::end(): after its last event), folded
// from version 1, from options.startAfter, or from the newest valid snapshot before `version`.
// Cancellable between pages (Cancelled).
Result<StateAt> stateAt(Store &store, const RegisteredProjection &projection,
                        const StreamName &stream, StreamVersion version,
                        const StateAtOptions &options = {});

} // namespace eventium::toolkit
