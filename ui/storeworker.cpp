#include "storeworker.h"

#include "backgroundtask.h"
#include "jsonformatter.h"
#include "stateworker.h"
#include "statsworker.h"

#include <eventium/embeddedpostgres.h>
#include <eventium/follower.h>
#include <eventium/toolkit/jsondiff.h>

#include <bank/sampledata.h>

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QLocale>
#include <QThread>

Q_LOGGING_CATEGORY(lcUi, "eventium.ui")

namespace eventium::ui {

namespace {

std::atomic<quint64> g_tokens {0};

void registerTypes()
{
    qRegisterMetaType<eventium::ui::ConnectionInfo>();
    qRegisterMetaType<eventium::ui::StateResult>();
    qRegisterMetaType<eventium::StreamPage>();
    qRegisterMetaType<eventium::GlobalPage>();
    qRegisterMetaType<eventium::StreamSearchPage>();
    qRegisterMetaType<eventium::StreamInfo>();
    qRegisterMetaType<eventium::AppendResult>();
    qRegisterMetaType<eventium::EraseResult>();
    qRegisterMetaType<eventium::StoreStats>();
    qRegisterMetaType<eventium::ReplicationStatus>();
    qRegisterMetaType<eventium::RelatedEvents>();
    qRegisterMetaType<eventium::Activity>();
    qRegisterMetaType<eventium::StoreError>();
    qRegisterMetaType<eventium::RecordedEvent>();
    qRegisterMetaType<QList<eventium::RecordedEvent>>();
    qRegisterMetaType<eventium::GlobalPosition>();
    qRegisterMetaType<eventium::toolkit::SubscriptionStatus>();
    qRegisterMetaType<QList<eventium::toolkit::SubscriptionStatus>>();
    qRegisterMetaType<eventium::toolkit::CheckpointMove>();
}

StoreError notConnected()
{
    return StoreError(StoreError::Kind::ConnectionLost, QStringLiteral("not connected"));
}

} // namespace

quint64 StoreWorker::nextToken()
{
    return ++g_tokens;
}

// No parent: the worker lives in a thread of its own.
StoreWorker::StoreWorker()
    : QObject(nullptr)
{
    registerTypes();
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("eventium-ui-store"));
    m_retryTimer = new QTimer(this);
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &StoreWorker::retryConnection);
    moveToThread(m_thread.get());

    // Re-emitted directly from the stats thread: a queued hop through this worker's thread
    // would put the answer behind the page reads again.
    // Folds for the State page, on their own thread too: a long one must not hold back pages.
    m_state = std::make_unique<StateWorker>();
    connect(m_state.get(), &StateWorker::stateProgress, this, &StoreWorker::stateProgress,
            Qt::DirectConnection);
    connect(m_state.get(), &StateWorker::stateReady, this, &StoreWorker::stateReady,
            Qt::DirectConnection);
    connect(m_state.get(), &StateWorker::failed, this, &StoreWorker::failed, Qt::DirectConnection);
    connect(m_state.get(), &StateWorker::connectionLost, this, [this](const StoreError &error) {
        if (!m_store || !m_connected.load())
            return;
        setConnected(false, error.message());
        if (!m_retryTimer->isActive()) {
            m_retryDelayMs = 250;
            m_retryTimer->start(m_retryDelayMs);
        }
    });
    m_stats = std::make_unique<StatsWorker>();
    connect(m_stats.get(), &StatsWorker::statsReady, this, &StoreWorker::statsReady,
            Qt::DirectConnection);
    connect(m_stats.get(), &StatsWorker::replicationReady, this, &StoreWorker::replicationReady,
            Qt::DirectConnection);
    connect(m_stats.get(), &StatsWorker::subscriptionsListed, this,
            &StoreWorker::subscriptionsListed, Qt::DirectConnection);
    connect(m_stats.get(), &StatsWorker::failed, this, &StoreWorker::failed, Qt::DirectConnection);
    connect(m_stats.get(), &StatsWorker::connectionLost, this, [this](const StoreError &error) {
        if (!m_store || !m_connected.load())
            return;
        setConnected(false, error.message());
        if (!m_retryTimer->isActive()) {
            m_retryDelayMs = 250;
            m_retryTimer->start(m_retryDelayMs);
        }
    });
}

StoreWorker::~StoreWorker()
{
    shutdown();
}

void StoreWorker::start()
{
    if (!m_thread->isRunning())
        m_thread->start();
    m_stats->start();
    m_state->start();
}

void StoreWorker::shutdown()
{
    if (!m_thread || !m_thread->isRunning())
        return;
    QThread *home = QThread::currentThread();
    m_stats->shutdown(); // before the server below goes
    m_state->shutdown();
    QMetaObject::invokeMethod(
        this,
        [this, home] {
            closeStore();
            if (m_embedded && m_embedded->startedByThisObject()) {
                qCInfo(lcUi) << "stopping the embedded server";
                auto stopped = m_embedded->stop();
                if (!stopped)
                    qCWarning(lcUi).noquote() << stopped.error().toString();
            }
            m_embedded.reset();
            m_retryTimer->stop();
            // Back to the owner's thread, so that it can delete this object after the join.
            QThread *own = thread();
            moveToThread(home);
            own->quit();
        },
        Qt::QueuedConnection);
    m_thread->wait();
}

template<typename F> quint64 StoreWorker::post(F &&work)
{
    const quint64 token = nextToken();
    QMetaObject::invokeMethod(
        this, [this, token, work = std::forward<F>(work)]() mutable { work(token); },
        Qt::QueuedConnection);
    return token;
}

bool StoreWorker::requireStore(quint64 token)
{
    if (m_store)
        return true;
    emit failed(token, notConnected());
    return false;
}

void StoreWorker::setConnected(bool connected, const QString &message)
{
    if (m_connected.exchange(connected) == connected)
        return;
    qCInfo(lcUi).noquote() << (connected ? "connected" : "connection lost:") << message;
    emit connectionStateChanged(connected, message);
}

void StoreWorker::noteError(quint64 token, const StoreError &error)
{
    if (error.kind() == StoreError::Kind::ConnectionLost && m_store) {
        setConnected(false, error.message());
        if (!m_retryTimer->isActive()) {
            m_retryDelayMs = 250;
            m_retryTimer->start(m_retryDelayMs);
        }
    }
    emit failed(token, error);
}

void StoreWorker::retryConnection()
{
    if (!m_store)
        return;
    // Both connections: reads fail while the read connection's server is away.
    auto pinged = m_store->ping();
    if (pinged && m_store->hasReadConnection())
        pinged = m_store->ping(StoreConnection::Read);
    if (pinged) {
        m_retryDelayMs = 250;
        setConnected(true, QStringLiteral("reconnected"));
        return;
    }
    m_retryDelayMs = qMin(m_retryDelayMs * 2, 5000);
    emit progress(tr("Reconnecting (retry in %1 s)…").arg(m_retryDelayMs / 1000.0, 0, 'f', 1));
    m_retryTimer->start(m_retryDelayMs);
}

void StoreWorker::retryNow()
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_store && !m_connected.load()) {
                m_retryTimer->stop();
                retryConnection();
            }
        },
        Qt::QueuedConnection);
}

quint64 StoreWorker::restartEmbedded()
{
    return post([this](quint64 token) {
        if (!m_target.embedded || !m_embedded) {
            emit failed(
                token,
                StoreError(StoreError::Kind::Embedded, tr("not connected to an embedded server")));
            return;
        }
        emit progress(
            tr("Starting the embedded server (data dir %1)…").arg(m_embedded->settings().dataDir));
        auto started = m_embedded->start();
        if (!started) {
            emit failed(token, started.error());
            return;
        }
        m_retryTimer->stop();
        retryConnection();
        emit embeddedRestarted(token);
    });
}

void StoreWorker::closeStore()
{
    m_stats->close();
    m_state->close();
    m_follower.reset();
    m_store.reset(); // closes its connections on this thread
    m_connected = false;
}

void StoreWorker::startFollower(qint64 from)
{
    m_follower.reset();
    Follower::Settings fs;
    fs.schema = m_target.schema;
    fs.from = GlobalPosition(from);
    fs.batchSize = 500;
    fs.pollInterval = std::chrono::milliseconds(1000);
    fs.sequence = m_store && m_store->settings().runSequencer;
    // It reads where the pages are read: the read connection (a standby, maybe).
    m_follower = std::make_unique<Follower>(m_store->readConnectionOptions(), fs);
    connect(m_follower.get(), &Follower::eventsReceived, this, &StoreWorker::liveEvents);
    connect(m_follower.get(), &Follower::caughtUp, this, &StoreWorker::liveCaughtUp);
    // Its other errors (a lost connection) it recovers from by itself, and the pages' reads
    // say so; a rewritten history stops it for good.
    connect(m_follower.get(), &Follower::errorOccurred, this, [this](const StoreError &error) {
        if (error.kind() != StoreError::Kind::HistoryRewritten)
            return;
        qCWarning(lcUi).noquote() << "live feed stopped:" << error.message();
        emit liveHistoryRewritten(error.message());
    });
    m_follower->start();
}

quint64 StoreWorker::followAgainFromHead()
{
    return post([this](quint64 token) {
        if (!requireStore(token))
            return;
        auto head = m_store->headPosition();
        if (!head)
            return noteError(token, head.error());
        startFollower(head->value + 1);
        emit liveRestarted(token, head->value);
    });
}

quint64 StoreWorker::connectTo(const ConnectionTarget &target)
{
    return post([this, target](quint64 token) { doConnect(token, target); });
}

void StoreWorker::doConnect(quint64 token, const ConnectionTarget &target)
{
    closeStore();
    m_retryTimer->stop();
    m_target = target;
    ConnectionInfo info;
    info.embedded = target.embedded;
    info.schema = target.schema;
    ConnectionOptions options = target.options;
    if (QString why = Store::validateSchemaName(target.schema); !why.isEmpty()) {
        emit failed(token, StoreError(StoreError::Kind::InvalidInput, why));
        return;
    }
    if (target.embedded) {
        if (!m_embedded) {
            m_embedded = std::make_unique<EmbeddedPostgres>(EmbeddedPostgres::Settings {});
        }
        info.dataDir = m_embedded->settings().dataDir; // always filled in by EmbeddedPostgres
        emit progress(tr("Starting embedded PostgreSQL (data dir %1)…").arg(info.dataDir));
        auto started = m_embedded->start();
        if (!started) {
            emit failed(token, started.error());
            return;
        }
        options = m_embedded->connectionOptions();
        info.description = tr("Embedded server (data dir %1)").arg(info.dataDir);
    } else {
        info.description = options.shortDescription();
        emit progress(tr("Connecting to %1…").arg(info.description));
    }
    if (options.applicationName.isEmpty())
        options.applicationName = QStringLiteral("eventium-browser");
    std::optional<ConnectionOptions> readOptions;
    if (!target.embedded && target.readOptions) {
        readOptions = target.readOptions;
        if (readOptions->applicationName.isEmpty())
            readOptions->applicationName = QStringLiteral("eventium-browser");
        info.readDescription = readOptions->shortDescription();
    }

    StoreSettings settings;
    settings.schema = target.schema;
    settings.poolSize = 4;
    settings.acquireTimeout = std::chrono::milliseconds(10000);
    settings.runSequencer = false;
    {
        // A first store without a sequencer: it only finds out what the role may do, and
        // closes its connections on this thread when it goes.
        Store probe(options, settings);
        auto capabilities = migrateAndProbe(probe);
        if (!capabilities) {
            emit failed(token, capabilities.error());
            return;
        }
        info.serverVersion = capabilities->server.serverVersion;
        info.schemaVersion = capabilities->schemaVersion;
        info.readOnly = !capabilities->canAppend;
        info.readOnlyReason = capabilities->readOnlyReason;
    }

    settings.runSequencer = !info.readOnly;
    settings.readConnection = readOptions;
    m_store = std::make_unique<Store>(options, settings);
    if (readOptions) {
        // A standby has the schema once it has replayed its creation or upgrade (just now,
        // maybe): a moment, normally.
        QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired()) {
            auto version = m_store->schemaVersion(StoreConnection::Read);
            if (!version || version.value() >= info.schemaVersion)
                break;
            QThread::msleep(20);
        }
    }
    auto head = m_store->headPosition();
    if (!head) {
        closeStore();
        emit failed(token, head.error());
        return;
    }
    info.head = head->value;
    m_stats->open(options, target.schema, readOptions);
    info.options = options;
    m_state->open(options, target.schema, readOptions);
    m_connected = true;
    startFollower(info.head + 1);
    qCInfo(lcUi).noquote() << "connected to" << options.toDisplayString() << "schema"
                           << target.schema << (info.readOnly ? "(read-only)" : "")
                           << (readOptions ? "reading from " + readOptions->toDisplayString()
                                           : QString());
    emit connected(token, info);
    emit connectionStateChanged(true, info.description);
}

Result<Capabilities> StoreWorker::migrateAndProbe(Store &store)
{
    auto capabilities = store.capabilities();
    if (!capabilities || capabilities->schemaVersion >= Store::latestSchemaVersion())
        return capabilities;
    emit progress(tr("Migrating schema %1…").arg(store.schema()));
    auto migrated = store.migrate();
    if (!migrated)
        return migrated.error();
    // Asked again: the role's rights are those on the schema as it is now.
    return store.capabilities();
}

quint64 StoreWorker::listStreams(const StreamCursor &after, int limit, StreamOrder order,
                                 const QString &prefix)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto page = m_store->listStreams(after, limit, order, prefix);
        if (!page)
            return noteError(token, page.error());
        emit streamsListed(token, page.value());
    });
}

quint64 StoreWorker::readStream(const QString &stream, qint64 fromVersion, int limit)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto events = m_store->readStream(StreamName(stream), StreamVersion(fromVersion),
                                          Direction::Forward, limit);
        if (!events)
            return noteError(token, events.error());
        emit streamRead(token, stream, events.value());
    });
}

quint64 StoreWorker::readAll(qint64 from, int limit, const GlobalFilter &filter,
                             const Cancellation &cancellation)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        QElapsedTimer timer;
        timer.start();
        GlobalPage combined;
        combined.next = GlobalPosition(from);
        while (true) {
            auto page = m_store->readAll(combined.next, limit - int(combined.events.size()), filter,
                                         cancellation);
            if (!page)
                return noteError(token, page.error());
            combined.events += page->events;
            combined.next = page->next;
            combined.head = page->head;
            if (filter.isEmpty() || !combined.events.isEmpty() || combined.next > combined.head
                || timer.elapsed() > 300)
                break;
        }
        emit globalRead(token, combined);
    });
}

quint64 StoreWorker::searchStream(const QString &stream, qint64 from, int limit,
                                  const GlobalFilter &filter, const Cancellation &cancellation)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        QElapsedTimer timer;
        timer.start();
        StreamSearchPage combined;
        combined.next = StreamVersion(from);
        while (true) {
            auto page
                = m_store->searchStream(StreamName(stream), combined.next,
                                        limit - int(combined.events.size()), filter, cancellation);
            if (!page)
                return noteError(token, page.error());
            combined.events += page->events;
            combined.next = page->next;
            combined.last = page->last;
            if (!combined.events.isEmpty() || combined.atEnd() || timer.elapsed() > 300)
                break;
        }
        emit streamSearched(token, stream, combined);
    });
}

quint64 StoreWorker::eventTypes()
{
    return post([this](quint64 token) {
        if (!requireStore(token))
            return;
        auto types = m_store->eventTypes();
        if (!types)
            return noteError(token, types.error());
        emit eventTypesListed(token, types.value());
    });
}

quint64 StoreWorker::activity(const ActivityQuery &query)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto activity = m_store->activity(query);
        if (!activity)
            return noteError(token, activity.error());
        emit activityReady(token, activity.value());
    });
}

quint64 StoreWorker::findTime(const QDateTime &time, const QString &stream)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        if (stream.isEmpty()) {
            auto found = m_store->positionAt(time);
            if (!found)
                return noteError(token, found.error());
            emit timeFound(token, stream, time, found->has_value() ? (*found)->value : 0);
        } else {
            auto found = m_store->versionAt(StreamName(stream), time);
            if (!found)
                return noteError(token, found.error());
            emit timeFound(token, stream, time, found->has_value() ? (*found)->value : 0);
        }
    });
}

quint64 StoreWorker::streamInfo(const QString &stream)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto info = m_store->streamInfo(StreamName(stream));
        if (!info)
            return noteError(token, info.error());
        emit streamInfoReady(token, stream, info->has_value(), info->value_or(StreamInfo {}));
    });
}

quint64 StoreWorker::previousOfType(const RecordedEvent &event)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto previous = toolkit::previousOfType(*m_store, event);
        if (!previous)
            return noteError(token, previous.error());
        emit previousFound(token, event, previous->has_value(),
                           previous->value_or(RecordedEvent {}));
    });
}

quint64 StoreWorker::related(const QUuid &eventId, int limit)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto related = m_store->related(eventId, limit);
        if (!related)
            return noteError(token, related.error());
        emit relatedFound(token, eventId, related->has_value(),
                          related->value_or(RelatedEvents {}));
    });
}

quint64 StoreWorker::listSubscriptions()
{
    return m_stats->listSubscriptions();
}

quint64 StoreWorker::moveCheckpoint(const QString &name, GlobalPosition to)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto moved = toolkit::Subscription::moveCheckpoint(*m_store, name, to);
        if (!moved)
            return noteError(token, moved.error());
        emit checkpointMoved(token, name, moved.value());
    });
}

quint64 StoreWorker::append(const QString &stream, ExpectedVersion expected,
                            const QList<NewEvent> &events)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto result = m_store->append(StreamName(stream), expected, events);
        if (!result)
            return noteError(token, result.error());
        if (result->succeeded())
            (void)m_store->sequenceNow(std::chrono::milliseconds(500));
        emit appended(token, result.value());
    });
}

void StoreWorker::cancel(const Cancellation &cancellation)
{
    // Not isCancelled(): it waits for the token's lock, which a cancel in progress holds.
    if (!cancellation.isCancellable())
        return;
    detail::startBackgroundThread([token = cancellation]() mutable { token.cancel(); });
}

quint64 StoreWorker::erase(const RecordedEvent &event)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto result = m_store->erase(event.id);
        if (!result)
            return noteError(token, result.error());
        RecordedEvent now = event;
        auto read
            = m_store->readStream(StreamName(event.stream), event.version, Direction::Forward, 1);
        if (read && !read->isEmpty() && read->first().id == event.id)
            now = read->first();
        // Read from a standby that has not replayed the erasure yet: shown as it is now.
        if (!now.isErased() && result->erased.isValid()) {
            now.data = "{}";
            now.metadata.clear();
            now.erased = result->erased;
        }
        emit erased(token, result.value(), now);
    });
}

quint64 StoreWorker::deleteStream(const QString &stream, qint64 version, bool hard)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto result = m_store->deleteStream(StreamName(stream), ExpectedVersion::exact(version),
                                            hard ? DeleteMode::Hard : DeleteMode::Soft);
        if (!result)
            return noteError(token, result.error());
        QString message;
        switch (result->status) {
        case DeleteResult::Status::Deleted:
            message = hard ? tr("Deleted %1 for good").arg(stream) : tr("Deleted %1").arg(stream);
            break;
        case DeleteResult::Status::AlreadyDeleted:
            message = tr("%1 was deleted already").arg(stream);
            break;
        case DeleteResult::Status::NotFound:
            message = tr("There is no stream %1").arg(stream);
            break;
        case DeleteResult::Status::WrongExpectedVersion:
            message = result->version.value < 0
                ? tr("Not deleted: %1 does not exist any more").arg(stream)
                : tr("Not deleted: %1 is at version %2 now, not %3; look again first")
                      .arg(stream)
                      .arg(result->version.value)
                      .arg(version);
            break;
        }
        emit streamChanged(token, stream, message);
    });
}

quint64 StoreWorker::truncateStream(const QString &stream, qint64 before)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto result = m_store->truncate(StreamName(stream), StreamVersion(before));
        if (!result)
            return noteError(token, result.error());
        emit streamChanged(token, stream,
                           result->has_value()
                               ? tr("%1 now starts at version %2").arg(stream).arg((*result)->value)
                               : tr("There is no stream %1").arg(stream));
    });
}

quint64 StoreWorker::setStreamMetadata(const QString &stream, const StreamMetadata &metadata)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        auto result = m_store->setStreamMetadata(StreamName(stream), metadata);
        if (!result)
            return noteError(token, result.error());
        QStringList limits;
        if (metadata.maxCount)
            limits << tr("the newest %1").arg(QLocale().toString(*metadata.maxCount));
        if (metadata.maxAge)
            limits << tr("younger than %1")
                          .arg(JsonFormatter::displayDuration(metadata.maxAge->count()));
        emit streamChanged(token, stream,
                           !*result ? tr("There is no stream %1").arg(stream)
                               : limits.isEmpty()
                               ? tr("%1 has no limits now").arg(stream)
                               : tr("%1 keeps %2").arg(stream, limits.join(tr(", "))));
    });
}

quint64 StoreWorker::fetchStats()
{
    return m_stats->fetchStats();
}

quint64 StoreWorker::fillSampleData(int events, quint32 seed)
{
    return post([=, this](quint64 token) {
        if (!requireStore(token))
            return;
        emit progress(tr("Generating %1 sample events…").arg(events));
        auto filled = eventium::toolkit::generateSampleData(*m_store, events, seed);
        if (!filled)
            return noteError(token, filled.error());
        (void)m_store->sequenceNow(std::chrono::milliseconds(10000));
        emit sampleDataFilled(token, events);
    });
}

quint64 StoreWorker::stateAt(const QString &stream, qint64 version, qint64 startAfter,
                             const QJsonValue &startState, const Cancellation &cancellation)
{
    return m_state->stateAt(stream, version, startAfter, startState, cancellation);
}

} // namespace eventium::ui
