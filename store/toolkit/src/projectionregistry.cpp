#include "eventium/toolkit/projectionregistry.h"

#include "eventium/toolkit/logging.h"
#include "eventium/toolkit/snapshotstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

namespace eventium::toolkit {

namespace {

// A payload or metadata as a JSON value: an object or array; null otherwise (empty text).
QJsonValue parseJson(const QByteArray &text)
{
    if (text.isEmpty())
        return QJsonValue();
    const QJsonDocument doc = QJsonDocument::fromJson(text);
    if (doc.isObject())
        return doc.object();
    if (doc.isArray())
        return doc.array();
    return QJsonValue();
}

StoreError cancelled(const StreamName &stream)
{
    return StoreError(StoreError::Kind::Cancelled,
                      QStringLiteral("folding \"%1\" was cancelled").arg(stream.value()));
}

} // namespace

QString streamCategory(const QString &stream)
{
    const qsizetype dash = stream.indexOf(QLatin1Char('-'));
    return dash <= 0 ? QString() : stream.left(dash);
}

Result<Done> ProjectionRegistry::add(RegisteredProjection projection)
{
    if (projection.category.isEmpty() || projection.category.contains(QLatin1Char('-')))
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("a projection's category is a name without '-', not "
                                         "\"%1\"")
                              .arg(projection.category));
    if (!projection.fold)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("the projection of \"%1\" has no fold function")
                              .arg(projection.category));
    QMutexLocker lock(&m_mutex);
    const QString category = projection.category;
    m_projections.insert(category, std::move(projection));
    return Done {};
}

std::optional<RegisteredProjection> ProjectionRegistry::forCategory(const QString &category) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_projections.constFind(category);
    if (it == m_projections.cend())
        return std::nullopt;
    return *it;
}

std::optional<RegisteredProjection> ProjectionRegistry::forStream(const QString &stream) const
{
    const QString category = streamCategory(stream);
    if (category.isEmpty())
        return std::nullopt;
    return forCategory(category);
}

QStringList ProjectionRegistry::categories() const
{
    QMutexLocker lock(&m_mutex);
    return m_projections.keys();
}

ProjectionRegistry &ProjectionRegistry::global()
{
    static ProjectionRegistry registry;
    return registry;
}

StateStepper::StateStepper(Store &store, RegisteredProjection projection, StreamName stream,
                           int pageSize)
    : m_store(store)
    , m_projection(std::move(projection))
    , m_stream(std::move(stream))
    , m_pageSize(qBound(1, pageSize, 100000))
    , m_state(m_projection.initial)
{
}

void StateStepper::startAfter(StreamVersion version, QJsonValue state)
{
    m_version = version;
    m_state = std::move(state);
    m_page.clear();
    m_next = 0;
    m_end = false;
}

Result<std::optional<StateStep>> StateStepper::next()
{
    if (m_next >= m_page.size()) {
        if (m_end)
            return std::optional<StateStep>();
        if (m_cancellation.isCancelled())
            return cancelled(m_stream);
        const int limit = m_readAhead > 0 ? int(qMin<qint64>(m_readAhead, m_pageSize)) : m_pageSize;
        auto page = m_store.readStream(m_stream, StreamVersion(m_version.value + 1),
                                       Direction::Forward, limit);
        if (!page)
            return page.error();
        m_page = std::move(page.value());
        m_next = 0;
        m_end = m_page.size() < limit; // a short page: the stream ends here
        if (m_page.isEmpty()) {
            m_end = true;
            return std::optional<StateStep>();
        }
    }
    RecordedEvent event = std::move(m_page[m_next++]);
    if (m_next >= m_page.size()) {
        m_page.clear();
        m_next = 0;
    }
    const ProjectedEvent projected {event.stream, event.version,         event.position,
                                    event.type,   parseJson(event.data), parseJson(event.metadata)};
    auto after = m_projection.fold(m_state, projected);
    if (!after)
        return after.error();
    StateStep step {std::move(event), m_state, after.value()};
    m_state = std::move(after.value());
    m_version = step.event.version;
    ++m_read;
    return std::optional<StateStep>(std::move(step));
}

namespace {

// The newest snapshot of the projection before `version` whose event is still the one at its
// version; nullopt when there is none (or it does not fit: another state version, not JSON).
Result<std::optional<Snapshot>> usableSnapshot(Store &store, const RegisteredProjection &projection,
                                               const StreamName &stream, StreamVersion version)
{
    if (projection.snapshotName.isEmpty())
        return std::optional<Snapshot>();
    SnapshotStore snapshots(store);
    auto snapshot = snapshots.load(stream.value(), projection.snapshotName);
    if (!snapshot)
        return snapshot.error();
    if (!snapshot->has_value())
        return std::optional<Snapshot>();
    const Snapshot &s = **snapshot;
    if (s.stateVersion != projection.snapshotStateVersion || s.version.value < 1
        || s.version >= version || !QJsonDocument::fromJson(s.state).isObject())
        return std::optional<Snapshot>();
    auto event = store.readStream(stream, s.version, Direction::Forward, 1);
    if (!event)
        return event.error();
    if (event->isEmpty() || event->first().version != s.version || event->first().id != s.eventId) {
        qCDebug(lcToolkit).noquote() << "snapshot" << s.name << "of" << s.stream << "at"
                                     << s.version.value << "no longer matches its event";
        return std::optional<Snapshot>();
    }
    return *snapshot;
}

} // namespace

Result<StateAt> stateAt(Store &store, const RegisteredProjection &projection,
                        const StreamName &stream, StreamVersion version,
                        const StateAtOptions &options)
{
    StateAt out;
    StateStepper stepper(store, projection, stream, options.pageSize);
    stepper.setCancellation(options.cancellation);
    if (options.startAfter && *options.startAfter < version) {
        stepper.startAfter(*options.startAfter, options.startState);
    } else if (options.useSnapshots) {
        if (options.cancellation.isCancelled())
            return cancelled(stream);
        auto snapshot = usableSnapshot(store, projection, stream, version);
        if (!snapshot)
            return snapshot.error();
        if (snapshot->has_value()) {
            const Snapshot &s = **snapshot;
            stepper.startAfter(s.version, QJsonDocument::fromJson(s.state).object());
            out.snapshot = s.version;
        }
    }
    out.version = stepper.version();
    out.state = stepper.state();
    const int pageSize = qBound(1, options.pageSize, 100000);
    qint64 inPage = 0;
    while (stepper.version() < version) {
        if (!version.isEnd())
            stepper.setReadAhead(version.value - stepper.version().value);
        auto step = stepper.next();
        if (!step)
            return step.error();
        if (!step->has_value())
            break;
        out.step = std::move(**step);
        if (options.progress && ++inPage >= pageSize) {
            inPage = 0;
            options.progress(stepper.version(), stepper.state());
        }
    }
    out.version = stepper.version();
    out.state = stepper.state();
    out.read = stepper.read();
    if (out.step && out.step->event.version != out.version)
        out.step.reset();
    return out;
}

} // namespace eventium::toolkit
