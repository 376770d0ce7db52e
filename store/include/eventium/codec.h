#pragma once

#include "eventium/store.h"
#include "eventium/types.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <optional>
#include <variant>

namespace eventium {

// Typed events: specialise EventCodec for each C++ event type.
//
//   template <> struct EventCodec<Deposited> {
//       static QString typeName() { return QStringLiteral("Deposited"); }
//       static QJsonObject encode(const Deposited &e) { return {{"amount", e.amount}}; }
//       static std::optional<Deposited> decode(const QJsonObject &o) { ... }
//   };
template<typename T> struct EventCodec;

template<typename T>
concept CodedEvent = requires(const T &event, const QJsonObject &json)
{
    {
        EventCodec<T>::typeName()
        } -> std::convertible_to<QString>;
    {
        EventCodec<T>::encode(event)
        } -> std::convertible_to<QJsonObject>;
    {
        EventCodec<T>::decode(json)
        } -> std::same_as<std::optional<T>>;
};

template<CodedEvent T>
NewEvent encodeEvent(const T &event, const QJsonObject &metadata = {}, QUuid id = {})
{
    NewEvent e;
    e.type = EventCodec<T>::typeName();
    e.data = QJsonDocument(EventCodec<T>::encode(event)).toJson(QJsonDocument::Compact);
    if (!metadata.isEmpty())
        e.metadata = QJsonDocument(metadata).toJson(QJsonDocument::Compact);
    e.id = id;
    return e;
}

// The event as T, or nullopt when its type is another or its payload does not decode.
template<CodedEvent T> std::optional<T> decodeEvent(const RecordedEvent &event)
{
    if (event.type != EventCodec<T>::typeName())
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(event.data);
    if (!doc.isObject())
        return std::nullopt;
    return EventCodec<T>::decode(doc.object());
}

// One of several event types.
template<CodedEvent... Ts> using AnyOf = std::variant<Ts...>;

template<CodedEvent... Ts> std::optional<AnyOf<Ts...>> decodeAny(const RecordedEvent &event)
{
    std::optional<AnyOf<Ts...>> out;
    (void)((
               out = [&]() -> std::optional<AnyOf<Ts...>> {
                   if (auto e = decodeEvent<Ts>(event))
                       return AnyOf<Ts...>(std::move(*e));
                   return std::nullopt;
               }(),
               out.has_value())
           || ...);
    return out;
}

template<CodedEvent... Ts>
NewEvent encodeAny(const AnyOf<Ts...> &event, const QJsonObject &metadata = {})
{
    return std::visit([&](const auto &e) { return encodeEvent(e, metadata); }, event);
}

// A decoded event with where it was stored.
template<CodedEvent... Ts> struct Typed
{
    AnyOf<Ts...> event;
    StreamVersion version;
    GlobalPosition position;
    QUuid id;
};

// Reads and writes one stream as C++ events of the given types.
template<CodedEvent... Ts> class TypedStream
{
public:
    TypedStream(Store &store, StreamName stream)
        : m_store(store)
        , m_stream(std::move(stream))
    {
    }

    Result<AppendResult> append(ExpectedVersion expected, const QList<AnyOf<Ts...>> &events,
                                const QJsonObject &metadata = {})
    {
        QList<NewEvent> raw;
        raw.reserve(events.size());
        for (const auto &e : events)
            raw.append(encodeAny<Ts...>(e, metadata));
        return m_store.append(m_stream, expected, raw);
    }

    // Events of other types are skipped; a payload that does not decode is an error.
    Result<QList<Typed<Ts...>>> read(StreamVersion from = StreamVersion(1), int limit = 1000)
    {
        auto raw = m_store.readStream(m_stream, from, Direction::Forward, limit);
        if (!raw)
            return raw.error();
        QList<Typed<Ts...>> out;
        for (const RecordedEvent &r : raw.value()) {
            if (!((r.type == EventCodec<Ts>::typeName()) || ...))
                continue;
            auto e = decodeAny<Ts...>(r);
            if (!e)
                return StoreError(StoreError::Kind::InvalidJson,
                                  QStringLiteral("event %1 of \"%2\" (%3) does not decode")
                                      .arg(r.version.value)
                                      .arg(m_stream.value(), r.type));
            out.append(Typed<Ts...> {std::move(*e), r.version, r.position, r.id});
        }
        return out;
    }

    const StreamName &name() const { return m_stream; }

private:
    Store &m_store;
    StreamName m_stream;
};

} // namespace eventium
