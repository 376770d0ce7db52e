#include "stateworker.h"

#include "storeworker.h"

#include <eventium/toolkit/jsondiff.h>
#include <eventium/toolkit/projectionregistry.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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
    : StoreThread(QStringLiteral("eventium-ui-state"))
{
}

StateWorker::~StateWorker()
{
    shutdown();
}

void StateWorker::storeClosed()
{
    m_checkpointStream.clear();
    m_checkpoints.clear();
}

quint64 StateWorker::stateAt(const QString &stream, qint64 version, qint64 startAfter,
                             const QJsonValue &startState, const Cancellation &cancellation)
{
    return post([=, this](quint64 token, Store &store) {
        fold(token, store, stream, version, startAfter, startState, cancellation);
    });
}

void StateWorker::fold(quint64 token, Store &store, const QString &stream, qint64 version,
                       qint64 startAfter, const QJsonValue &startState,
                       const Cancellation &cancellation)
{
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
    auto at
        = toolkit::stateAt(store, *projection, StreamName(stream), StreamVersion(version), options);
    if (!at)
        return fail(token, at.error());
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
