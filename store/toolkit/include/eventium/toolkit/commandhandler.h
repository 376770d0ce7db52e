#pragma once

#include "eventium/codec.h"
#include "eventium/store.h"
#include "eventium/toolkit/logging.h"
#include "eventium/toolkit/projection.h"
#include "eventium/toolkit/snapshotstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QThread>

#include <chrono>
#include <functional>
#include <optional>

namespace eventium::toolkit {

// A domain error: the command is refused as it stands (insufficient funds, closed account).
// Not a store error: nothing is retried and nothing is written.
struct Rejection
{
    QString code; // stable, machine readable ("insufficient-funds")
    QString message; // for people
};

// What a decide function returns: the events to append (possibly none) or a rejection.
template<typename Event> class Decision
{
public:
    Decision() = default;
    Decision(Rejection rejection)
        : m_rejection(std::move(rejection))
    {
    }
    Decision(QList<Event> events)
        : m_events(std::move(events))
    {
    }
    // One event of any of the alternatives of Event.
    template<typename E>
    requires(std::constructible_from<Event, E> && !std::same_as<std::decay_t<E>, Decision>)
        Decision(E event)
        : m_events {Event(std::move(event))}
    {
    }

    static Decision reject(QString code, QString message)
    {
        return Decision(Rejection {std::move(code), std::move(message)});
    }

    bool isRejected() const { return m_rejection.has_value(); }
    const std::optional<Rejection> &rejection() const { return m_rejection; }
    const QList<Event> &events() const { return m_events; }

private:
    QList<Event> m_events;
    std::optional<Rejection> m_rejection;
};

// How a handler's state is snapshotted (optional: leave `every` at 0 to never snapshot).
template<typename State> struct Snapshotting
{
    // Identifies the state among other handlers of the same stream ("bank.account").
    QString name;
    // The version of the state's JSON format. Bump it when State or encode changes: older
    // snapshots are then ignored (and replaced by the next one taken).
    int version = 1;
    // Take a snapshot after a command when at least this many events were folded since the
    // last snapshot (or since the start, without one). 0: snapshots are off (neither read
    // nor written).
    int every = 0;
    std::function<QJsonObject(const State &)> encode;
    std::function<std::optional<State>(const QJsonObject &)> decode;

    bool enabled() const { return every > 0 && encode && decode && !name.isEmpty(); }
};

// A command handler for one kind of aggregate (one stream per aggregate): a projection that
// folds the stream's events into the state, a decide function that turns a command into new
// events or a rejection, and optional snapshots.
//
//   CommandHandler<Account, AccountCommand, AccountOpened, MoneyDeposited, ...> handler;
//   handler.projection.apply = ...;      // (Account, const Event &) -> Account
//   handler.decide = ...;                // (const Account &, const AccountCommand &) -> Decision
//   auto r = applyCommand(store, handler, StreamName("account-1"), Deposit{500});
template<typename State, typename Command, CodedEvent... Events> struct CommandHandler
{
    using StateType = State;
    using CommandType = Command;
    using Event = AnyOf<Events...>;

    Projection<State, Events...> projection;
    std::function<Decision<Event>(const State &, const Command &)> decide;
    Snapshotting<State> snapshots;
};

// An aggregate's state as loaded.
template<typename State> struct Loaded
{
    State state;
    StreamVersion version; // the stream's version the state includes (0: no stream)
    StreamVersion snapshotVersion; // the snapshot used (0: none, or it was ignored)
    qint64 replayed = 0; // events read after the snapshot (or from the start)
};

// Loads an aggregate: from its snapshot when there is a usable one, then the events after
// it. A snapshot is ignored (full replay) when it is missing, has another state version,
// does not decode, or its event is not the stream's event at that version any more.
template<typename State, typename Command, CodedEvent... Events>
Result<Loaded<State>> loadAggregate(Store &store,
                                    const CommandHandler<State, Command, Events...> &handler,
                                    const StreamName &stream)
{
    if (handler.snapshots.enabled()) {
        SnapshotStore snapshots(store);
        auto snap = snapshots.load(stream.value(), handler.snapshots.name);
        if (!snap)
            return snap.error();
        std::optional<State> base;
        if (snap->has_value() && (*snap)->stateVersion == handler.snapshots.version) {
            const QJsonDocument doc = QJsonDocument::fromJson((*snap)->state);
            if (doc.isObject())
                base = handler.snapshots.decode(doc.object());
            if (!base)
                qCWarning(lcToolkit).noquote()
                    << "snapshot" << handler.snapshots.name << "of" << stream.value()
                    << "does not decode; replaying the stream";
        }
        if (base) {
            const Snapshot &s = **snap;
            // Read from the snapshot's own event (inclusive) to verify it is still there.
            auto first = store.readStream(stream, s.version, Direction::Forward, 1);
            if (!first)
                return first.error();
            if (first->size() == 1 && first->first().version == s.version
                && first->first().id == s.eventId) {
                auto folded = foldStream(store, handler.projection, stream,
                                         StreamVersion(s.version.value + 1), std::move(*base));
                if (!folded)
                    return folded.error();
                return Loaded<State> {std::move(folded->state),
                                      StreamVersion(qMax(folded->version.value, s.version.value)),
                                      s.version, folded->read};
            }
            qCWarning(lcToolkit).noquote()
                << "snapshot" << handler.snapshots.name << "of" << stream.value() << "at version"
                << s.version.value << "does not match the stream; replaying it";
        }
    }
    auto folded = foldStream(store, handler.projection, stream);
    if (!folded)
        return folded.error();
    return Loaded<State> {std::move(folded->state), folded->version, StreamVersion(0),
                          folded->read};
}

// Saves a snapshot of `state` at `version` of `stream` (whose event at that version has the
// id `eventId`). Returns whether it was stored.
template<typename State, typename Command, CodedEvent... Events>
Result<bool> saveSnapshot(Store &store, const CommandHandler<State, Command, Events...> &handler,
                          const StreamName &stream, const State &state, StreamVersion version,
                          QUuid eventId)
{
    if (!handler.snapshots.encode || handler.snapshots.name.isEmpty())
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("the handler has no snapshot name or encoder"));
    Snapshot s;
    s.stream = stream.value();
    s.name = handler.snapshots.name;
    s.version = version;
    s.eventId = eventId;
    s.stateVersion = handler.snapshots.version;
    s.state = QJsonDocument(handler.snapshots.encode(state)).toJson(QJsonDocument::Compact);
    return SnapshotStore(store).save(s);
}

// Loads the aggregate and snapshots its current state (regardless of the policy). Returns
// false when the stream has no events.
template<typename State, typename Command, CodedEvent... Events>
Result<bool> takeSnapshot(Store &store, const CommandHandler<State, Command, Events...> &handler,
                          const StreamName &stream)
{
    auto loaded = loadAggregate(store, handler, stream);
    if (!loaded)
        return loaded.error();
    if (loaded->version.value == 0)
        return false;
    auto last = store.readStream(stream, loaded->version, Direction::Forward, 1);
    if (!last)
        return last.error();
    if (last->isEmpty())
        return false;
    return saveSnapshot(store, handler, stream, loaded->state, loaded->version, last->first().id);
}

struct CommandOptions
{
    // Retries after a version conflict (another writer appended in between): the state is
    // brought up to date and the command decided again. 0: report the first conflict.
    int maxRetries = 5;
    // Before retry n, sleep a random time of up to n * retryBackoff (0: retry at once).
    std::chrono::milliseconds retryBackoff {2};
    // Metadata of every event written ({"correlationId": ..., "user": ...}).
    QJsonObject metadata;
};

template<typename State, typename Event> struct CommandResult
{
    enum class Status {
        Accepted, // decided and appended (or decided to append nothing)
        Rejected, // the decide function refused the command; nothing was written
        Conflict, // other writers kept winning: still a version conflict after the retries
    };
    Status status = Status::Accepted;
    std::optional<Rejection> rejection; // when Rejected
    QList<Event> events; // the events appended, when Accepted
    State state; // the state after the command (or as last loaded)
    StreamVersion version; // the stream's version after the command (or as last seen)
    int attempts = 0; // decisions made (1 + retries used)

    bool accepted() const { return status == Status::Accepted; }
    bool rejected() const { return status == Status::Rejected; }
    bool conflicted() const { return status == Status::Conflict; }
};

// Handles one command on one stream: loads the state (snapshot, then the events after it),
// decides, and appends the events expecting exactly the version it decided on. On a version
// conflict it folds the new events and decides again, up to options.maxRetries times.
// Store failures are errors; rejections and exhausted retries are typed results.
template<typename State, typename Command, CodedEvent... Events>
Result<CommandResult<State, AnyOf<Events...>>>
applyCommand(Store &store, const CommandHandler<State, Command, Events...> &handler,
             const StreamName &stream, const Command &command, const CommandOptions &options = {})
{
    using Event = AnyOf<Events...>;
    using R = CommandResult<State, Event>;
    auto loaded = loadAggregate(store, handler, stream);
    if (!loaded)
        return loaded.error();
    State state = std::move(loaded->state);
    StreamVersion version = loaded->version;
    qint64 sinceSnapshot = loaded->replayed;

    for (int attempt = 0;; ++attempt) {
        const Decision<Event> decision = handler.decide(state, command);
        if (decision.isRejected()) {
            R r;
            r.status = R::Status::Rejected;
            r.rejection = decision.rejection();
            r.state = std::move(state);
            r.version = version;
            r.attempts = attempt + 1;
            return r;
        }
        if (decision.events().isEmpty()) {
            R r;
            r.state = std::move(state);
            r.version = version;
            r.attempts = attempt + 1;
            return r;
        }
        QList<NewEvent> raw;
        raw.reserve(decision.events().size());
        for (const Event &e : decision.events())
            raw.append(encodeAny<Events...>(e, options.metadata));
        auto appended = store.append(stream, ExpectedVersion::exact(version), raw);
        if (!appended)
            return appended.error();
        if (appended->succeeded()) {
            for (const Event &e : decision.events())
                state = handler.projection.applyEvent(std::move(state), e);
            version = appended->lastVersion;
            sinceSnapshot += decision.events().size();
            if (handler.snapshots.enabled() && sinceSnapshot >= handler.snapshots.every
                && !appended->eventIds.isEmpty()) {
                auto saved = saveSnapshot(store, handler, stream, state, version,
                                          appended->eventIds.last());
                if (!saved) // only an optimisation: the command has succeeded regardless
                    qCWarning(lcToolkit).noquote()
                        << "snapshot of" << stream.value() << "failed:" << saved.error().toString();
            }
            R r;
            r.events = decision.events();
            r.state = std::move(state);
            r.version = version;
            r.attempts = attempt + 1;
            return r;
        }
        // A version conflict: catch up with what the others wrote and decide again.
        if (attempt >= options.maxRetries) {
            R r;
            r.status = R::Status::Conflict;
            r.state = std::move(state);
            r.version = StreamVersion(qMax<qint64>(0, appended->actualVersion));
            r.attempts = attempt + 1;
            return r;
        }
        if (options.retryBackoff.count() > 0) {
            const qint64 cap = options.retryBackoff.count() * (attempt + 1);
            QThread::msleep(quint64(QRandomGenerator::global()->bounded(cap + 1)));
        }
        auto more = foldStream(store, handler.projection, stream, StreamVersion(version.value + 1),
                               std::move(state));
        if (!more)
            return more.error();
        state = std::move(more->state);
        version = StreamVersion(qMax(version.value, more->version.value));
        sinceSnapshot += more->read;
    }
}

} // namespace eventium::toolkit
