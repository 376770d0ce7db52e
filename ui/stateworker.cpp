#include "stateworker.h"

#include "storeworker.h"

#include <eventium/toolkit/jsondiff.h>
#include <eventium/toolkit/projectionregistry.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

namespace eventium::ui {

namespace {

QByteArray indentedJson(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented);
    return toolkit::compactJson(value);
}

QString compact(const QJsonValue &value)
{
    return value.isUndefined() ? QString() : QString::fromUtf8(toolkit::compactJson(value));
}

} // namespace

StateWorker::StateWorker()
    : QObject(nullptr)
{
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("eventium-ui-state"));
    moveToThread(m_thread.get());
}

StateWorker::~StateWorker()
{
    shutdown();
}

void StateWorker::start()
{
    if (!m_thread->isRunning())
        m_thread->start();
}

void StateWorker::shutdown()
{
    if (!m_thread || !m_thread->isRunning())
        return;
    QThread *home = QThread::currentThread();
    QMetaObject::invokeMethod(
        this,
        [this, home] {
            m_store.reset();
            QThread *own = thread();
            moveToThread(home);
            own->quit();
        },
        Qt::QueuedConnection);
    m_thread->wait();
}

void StateWorker::open(const ConnectionOptions &options, const QString &schema)
{
    QMetaObject::invokeMethod(
        this,
        [this, options, schema] {
            m_store.reset();
            StoreSettings settings;
            settings.schema = schema;
            settings.poolSize = 1;
            settings.acquireTimeout = std::chrono::milliseconds(5000);
            settings.runSequencer = false;
            m_store = std::make_unique<Store>(options, settings);
        },
        Qt::QueuedConnection);
}

void StateWorker::close()
{
    if (!m_thread->isRunning())
        return; // shut down already: nothing is open
    QMetaObject::invokeMethod(
        this, [this] { m_store.reset(); }, Qt::QueuedConnection);
}

quint64 StateWorker::stateAt(const QString &stream, qint64 version, qint64 startAfter,
                             const QJsonValue &startState, const Cancellation &cancellation)
{
    const quint64 token = StoreWorker::nextToken();
    QMetaObject::invokeMethod(
        this, [=, this] { fold(token, stream, version, startAfter, startState, cancellation); },
        Qt::QueuedConnection);
    return token;
}

void StateWorker::fold(quint64 token, const QString &stream, qint64 version, qint64 startAfter,
                       const QJsonValue &startState, const Cancellation &cancellation)
{
    if (!m_store) {
        emit failed(token,
                    StoreError(StoreError::Kind::ConnectionLost, QStringLiteral("not connected")));
        return;
    }
    const auto projection = toolkit::ProjectionRegistry::global().forStream(stream);
    if (!projection) {
        emit failed(token,
                    StoreError(StoreError::Kind::InvalidInput,
                               tr("No projection registered for category \"%1\"")
                                   .arg(toolkit::streamCategory(stream))));
        return;
    }
    if (stream != m_checkpointStream) {
        m_checkpointStream = stream;
        m_checkpoints.clear();
    }
    toolkit::StateAtOptions options;
    if (startAfter > 0 && startAfter < version) {
        options.startAfter = StreamVersion(startAfter);
        options.startState = startState;
    }
    // The nearest checkpoint before the version, when it is nearer than the start given.
    auto checkpoint = m_checkpoints.lowerBound(version);
    if (checkpoint != m_checkpoints.begin()) {
        --checkpoint;
        if (!options.startAfter || checkpoint.key() > options.startAfter->value) {
            options.startAfter = StreamVersion(checkpoint.key());
            options.startState = checkpoint.value();
        }
    }
    const qint64 from = options.startAfter ? options.startAfter->value : 0;
    options.cancellation = cancellation;
    options.progress = [this, token](StreamVersion reached, const QJsonValue &state) {
        if (m_checkpoints.size() >= kMaxCheckpoints)
            m_checkpoints.erase(m_checkpoints.begin());
        m_checkpoints.insert(reached.value, state);
        emit stateProgress(token, reached.value);
    };
    auto at = toolkit::stateAt(*m_store, *projection, StreamName(stream), StreamVersion(version),
                               options);
    if (!at) {
        if (at.error().kind() == StoreError::Kind::ConnectionLost)
            emit connectionLost(at.error());
        emit failed(token, at.error());
        return;
    }
    StateResult result;
    result.stream = stream;
    result.projection = projection->name;
    result.version = at->version.value;
    result.state = indentedJson(at->state);
    result.stateValue = at->state;
    result.read = at->read;
    result.snapshot = at->snapshot.value;
    result.startedAfter = at->snapshot.value > 0 ? at->snapshot.value : from;
    if (at->step) {
        result.hasEvent = true;
        result.event = at->step->event;
        for (const toolkit::JsonChange &c : at->step->changes())
            result.changes.append(
                {toolkit::kindName(c.kind), c.path, compact(c.before), compact(c.after)});
    }
    emit stateReady(token, result);
}

} // namespace eventium::ui
