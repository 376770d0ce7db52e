#include "fuzzentries.h"

#include "../../app/cli/stdineventreader.h"
#include "../../store/src/appendencoding.h"

#include <bank/bank.h>
#include <eventium/codec.h>
#include <eventium/connectionoptions.h>
#include <eventium/jsonline.h>
#include <eventium/store.h>
#include <eventium/transfer.h>
#include <eventium/types.h>

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSqlDatabase>

#include <cstdio>
#include <cstdlib>
#include <optional>

namespace eventium::fuzz {

namespace {

Outcome violated(bool accepted, const QString &why)
{
    return Outcome {accepted, why};
}

// A short, printable excerpt of a text for a violation message.
QString excerpt(const QString &text)
{
    QString out;
    for (const QChar c : text.left(120))
        out += c.unicode() < 0x20 ? QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QChar(u'0'))
                                  : QString(c);
    return out + (text.size() > 120 ? QStringLiteral("…") : QString());
}

QString excerpt(const QByteArray &bytes)
{
    return excerpt(QString::fromUtf8(bytes));
}

// The JSON value `json` stands for, when it is exactly one value as Qt's parser reads it.
std::optional<QJsonValue> oneJsonValue(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson('[' + json + ']', &error);
    if (error.error != QJsonParseError::NoError || !doc.isArray() || doc.array().size() != 1)
        return std::nullopt;
    return doc.array().at(0);
}

// Whether `text` survives UTF-8 unchanged (no lone surrogates).
bool isValidUnicode(const QString &text)
{
    return QString::fromUtf8(text.toUtf8()) == text;
}

// ---------------------------------------------------------------- connection options

QString describeDifference(const ConnectionOptions &a, const ConnectionOptions &b)
{
    QStringList out;
    auto field = [&](const char *name, const QString &x, const QString &y) {
        if (x != y)
            out << QStringLiteral("%1 \"%2\" became \"%3\"")
                       .arg(QLatin1String(name), excerpt(x), excerpt(y));
    };
    field("host", a.host, b.host);
    field("port", QString::number(a.port), QString::number(b.port));
    field("dbname", a.dbname, b.dbname);
    field("user", a.user, b.user);
    field("password", a.password, b.password);
    field("sslmode", a.sslmode, b.sslmode);
    field("connect_timeout", QString::number(a.connectTimeout), QString::number(b.connectTimeout));
    field("application_name", a.applicationName, b.applicationName);
    if (a.extra != b.extra)
        out << QStringLiteral("the other keywords changed (%1 → %2)")
                   .arg(QStringList(a.extra.keys()).join(u','),
                        QStringList(b.extra.keys()).join(u','));
    return out.join(QStringLiteral("; "));
}

bool isPasswordKeyword(const QString &key)
{
    return key.contains(QLatin1String("password"));
}

} // namespace

Outcome connectionOptions(const QByteArray &input)
{
    const auto parsed = ConnectionOptions::parse(QString::fromUtf8(input));
    if (!parsed) {
        if (parsed.error().message().isEmpty())
            return violated(false, QStringLiteral("refused without a reason"));
        if (parsed.error().kind() != StoreError::Kind::InvalidInput)
            return violated(false, QStringLiteral("refused as something else than invalid input"));
        return {};
    }
    const ConnectionOptions &o = parsed.value();

    // What parses must parse again, to the same options, from its connection string.
    const QString info = o.toConnInfo();
    const auto again = ConnectionOptions::parse(info);
    if (!again)
        return violated(true,
                        QStringLiteral("toConnInfo() \"%1\" does not parse again: %2")
                            .arg(excerpt(info), again.error().message()));
    if (!(again.value() == o))
        return violated(true,
                        QStringLiteral("toConnInfo() \"%1\" parses to other options: %2")
                            .arg(excerpt(info), describeDifference(o, again.value())));

    // The display string hides every password: it parses to the same options with each
    // password masked, and the password's text is not in it.
    const QString display = o.toDisplayString();
    const auto shown = ConnectionOptions::parse(display);
    if (!shown)
        return violated(true,
                        QStringLiteral("toDisplayString() \"%1\" does not parse: %2")
                            .arg(excerpt(display), shown.error().message()));
    ConnectionOptions masked = o;
    const QString mask = QStringLiteral("********");
    if (!masked.password.isEmpty())
        masked.password = mask;
    for (auto it = masked.extra.begin(); it != masked.extra.end(); ++it) {
        if (isPasswordKeyword(it.key()))
            it.value() = mask;
    }
    if (!(shown.value() == masked))
        return violated(true,
                        QStringLiteral("toDisplayString() \"%1\" shows other options: %2")
                            .arg(excerpt(display), describeDifference(masked, shown.value())));
    // The passwords' own text is not shown either: a password that is a word of its own (no
    // white space) may appear in the display string only where it is part of something else
    // (another field, or a masked `keyword=********`).
    QStringList secrets {o.password};
    QStringList maskedParts {QStringLiteral("password=") + mask};
    for (auto it = o.extra.cbegin(); it != o.extra.cend(); ++it) {
        if (isPasswordKeyword(it.key())) {
            secrets << it.value();
            maskedParts << it.key() + QLatin1Char('=') + mask;
        }
    }
    ConnectionOptions withoutSecrets = masked;
    withoutSecrets.password.clear();
    for (auto it = withoutSecrets.extra.begin(); it != withoutSecrets.extra.end();) {
        if (isPasswordKeyword(it.key()))
            it = withoutSecrets.extra.erase(it);
        else
            ++it;
    }
    const QString rest = withoutSecrets.toDisplayString();
    for (const QString &secret : std::as_const(secrets)) {
        const bool word = !secret.isEmpty()
            && std::none_of(secret.begin(), secret.end(), [](QChar c) { return c.isSpace(); });
        if (word && display.contains(secret) && !rest.contains(secret)
            && std::none_of(maskedParts.begin(), maskedParts.end(),
                            [&](const QString &part) { return part.contains(secret); }))
            return violated(true,
                            QStringLiteral("toDisplayString() \"%1\" shows the password")
                                .arg(excerpt(display)));
    }

    // Applied to a connection (never opened), the fields arrive as given.
    static QSqlDatabase db
        = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("eventium-fuzz"));
    db.setHostName(QString());
    db.setPassword(QString());
    o.applyTo(db);
    if (db.isValid() && (db.password() != o.password || db.hostName() != o.host))
        return violated(true, QStringLiteral("applyTo() changed the host or the password"));
    if (o.shortDescription().isEmpty())
        return violated(true, QStringLiteral("shortDescription() is empty"));
    return {true, {}};
}

// ---------------------------------------------------------------- CLI JSON lines

namespace {

// The line as the reader splits it, or nothing for a line it skips.
QList<QByteArray> readerLines(const QByteArray &input)
{
    QList<QByteArray> out;
    for (QByteArray line : input.split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty() && !line.contains('\0'))
            continue;
        out << line;
    }
    return out;
}

QString compareMember(const QJsonObject &object, const QString &key, const QByteArray &raw)
{
    const auto value = oneJsonValue(raw);
    if (!value)
        return QStringLiteral("\"%1\" is not one JSON value: %2").arg(key, excerpt(raw));
    if (*value != object.value(key))
        return QStringLiteral("\"%1\" is %2, but Qt reads the line's member otherwise")
            .arg(key, excerpt(raw));
    return {};
}

} // namespace

Outcome stdinEvents(const QByteArray &input)
{
    using cli::StdinEventReader;
    StdinEventReader reader;
    const bool ok = reader.parse(input);
    if (!ok) {
        if (reader.error().isEmpty())
            return violated(false, QStringLiteral("refused without a reason"));
        if (!reader.events().isEmpty())
            return violated(false, QStringLiteral("refused, but events were kept"));
        return {};
    }
    const QList<QByteArray> lines = readerLines(input);
    if (lines.size() != reader.events().size())
        return violated(true,
                        QStringLiteral("%1 lines, but %2 events")
                            .arg(lines.size())
                            .arg(reader.events().size()));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const NewEvent &event = reader.events().at(i);
        const QString where = QStringLiteral("line %1: ").arg(i + 1);
        // The slices are the members Qt's own parser reads.
        const QJsonObject object = QJsonDocument::fromJson(lines.at(i)).object();
        if (!object.value(QStringLiteral("type")).isString()
            || object.value(QStringLiteral("type")).toString() != event.type)
            return violated(true, where + QStringLiteral("the type is not the line's \"type\""));
        if (QString why = compareMember(object, QStringLiteral("data"), event.data); !why.isEmpty())
            return violated(true, where + why);
        if (event.metadata.isEmpty()) {
            const QJsonValue m = object.value(QStringLiteral("metadata"));
            if (!m.isUndefined() && !m.isNull())
                return violated(true, where + QStringLiteral("the metadata was lost"));
        } else if (QString why = compareMember(object, QStringLiteral("metadata"), event.metadata);
                   !why.isEmpty()) {
            return violated(true, where + why);
        }

        // Written back as a JSON line (as `eventium read` writes events), it reads the same.
        JsonLine line;
        line.add("type", event.type);
        line.addRaw("data", event.data);
        if (!event.metadata.isEmpty())
            line.addRaw("metadata", event.metadata);
        if (!event.id.isNull())
            line.add("id", event.id.toString(QUuid::WithoutBraces));
        const QByteArray written = line.toJson();
        QString why;
        const auto back = StdinEventReader::parseLine(written, &why);
        if (!back)
            return violated(true,
                            where
                                + QStringLiteral("written back as %1, it is refused: %2")
                                      .arg(excerpt(written), why));
        if (back->data != event.data || back->metadata != event.metadata || back->id != event.id
            || (isValidUnicode(event.type) && back->type != event.type))
            return violated(true,
                            where
                                + QStringLiteral("written back as %1, it reads otherwise")
                                      .arg(excerpt(written)));
    }
    return {true, {}};
}

// ---------------------------------------------------------------- search expressions

Outcome searchExpression(const QByteArray &input)
{
    const QString text = QString::fromUtf8(input);
    QString error;
    const auto expression = SearchExpression::parse(text, &error);
    if (!expression) {
        if (error.isEmpty())
            return violated(false, QStringLiteral("refused without a reason"));
        return {};
    }
    if (expression->text.isEmpty())
        return violated(true, QStringLiteral("accepted as an empty condition"));
    if (expression->kind == SearchExpression::Kind::Containment) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(expression->text, &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject())
            return violated(true,
                            QStringLiteral("containment %1 is not a JSON object")
                                .arg(excerpt(expression->text)));
        // `path = value`: one member a level, the value a scalar.
        QJsonValue v = doc.object();
        while (v.isObject()) {
            if (v.toObject().size() != 1)
                return violated(true,
                                QStringLiteral("containment %1 is not a single path")
                                    .arg(excerpt(expression->text)));
            v = *v.toObject().begin();
        }
        if (v.isArray())
            return violated(
                true,
                QStringLiteral("containment %1 ends in an array").arg(excerpt(expression->text)));
    } else if (!expression->text.startsWith('$')) {
        return violated(
            true,
            QStringLiteral("JSON path %1 does not start with $").arg(excerpt(expression->text)));
    }
    QString again;
    const auto second = SearchExpression::parse(text, &again);
    if (!second || second->kind != expression->kind || second->text != expression->text)
        return violated(true, QStringLiteral("a second parse differs"));
    return {true, {}};
}

// ---------------------------------------------------------------- codecs

namespace {

using AnyBankEvent
    = AnyOf<bank::AccountOpened, bank::MoneyDeposited, bank::MoneyWithdrawn, bank::TransferSent,
            bank::TransferReceived, bank::AccountClosed, bank::TransferCompleted>;

template<CodedEvent T, std::size_t Index> Outcome codecRoundTrip(const QByteArray &payload)
{
    RecordedEvent recorded;
    recorded.type = EventCodec<T>::typeName();
    recorded.data = payload;
    const std::optional<T> decoded = decodeEvent<T>(recorded);
    const auto any = decodeAny<bank::AccountOpened, bank::MoneyDeposited, bank::MoneyWithdrawn,
                               bank::TransferSent, bank::TransferReceived, bank::AccountClosed,
                               bank::TransferCompleted>(recorded);
    if (decoded.has_value() != any.has_value() || (any && any->index() != Index))
        return violated(decoded.has_value(),
                        QStringLiteral("decodeAny and the %1 codec disagree").arg(recorded.type));
    if (!decoded)
        return {};
    const NewEvent encoded = encodeEvent(*decoded);
    if (encoded.type != recorded.type)
        return violated(true, QStringLiteral("encoded as another type"));
    RecordedEvent back;
    back.type = encoded.type;
    back.data = encoded.data;
    const std::optional<T> again = decodeEvent<T>(back);
    if (!again)
        return violated(true,
                        QStringLiteral("%1 re-encoded as %2 does not decode")
                            .arg(recorded.type, excerpt(encoded.data)));
    if (encodeEvent(*again).data != encoded.data)
        return violated(
            true,
            QStringLiteral("%1 changes in a round trip: %2 → %3")
                .arg(recorded.type, excerpt(encoded.data), excerpt(encodeEvent(*again).data)));
    // Under another type name nothing decodes.
    recorded.type += QLatin1Char('X');
    if (decodeEvent<T>(recorded))
        return violated(true, QStringLiteral("decoded under another type name"));
    return {true, {}};
}

Outcome accountSnapshot(const QByteArray &payload)
{
    const auto account = bank::decodeAccount(QJsonDocument::fromJson(payload).object());
    if (!account)
        return {};
    const QJsonObject encoded = bank::encodeAccount(*account);
    const auto again = bank::decodeAccount(
        QJsonDocument::fromJson(QJsonDocument(encoded).toJson(QJsonDocument::Compact)).object());
    if (!again)
        return violated(true, QStringLiteral("a re-encoded account does not decode"));
    if (!(bank::encodeAccount(*again) == encoded))
        return violated(true, QStringLiteral("an account changes in a round trip"));
    return {true, {}};
}

} // namespace

Outcome codecs(const QByteArray &input)
{
    if (input.isEmpty())
        return {};
    const QByteArray payload = input.mid(1);
    switch (static_cast<unsigned char>(input.at(0)) % 8) {
    case 0:
        return codecRoundTrip<bank::AccountOpened, 0>(payload);
    case 1:
        return codecRoundTrip<bank::MoneyDeposited, 1>(payload);
    case 2:
        return codecRoundTrip<bank::MoneyWithdrawn, 2>(payload);
    case 3:
        return codecRoundTrip<bank::TransferSent, 3>(payload);
    case 4:
        return codecRoundTrip<bank::TransferReceived, 4>(payload);
    case 5:
        return codecRoundTrip<bank::AccountClosed, 5>(payload);
    case 6:
        return codecRoundTrip<bank::TransferCompleted, 6>(payload);
    default:
        return accountSnapshot(payload);
    }
}

// ---------------------------------------------------------------- append validation

namespace {

constexpr qint64 kMaxEventBytes = 2048;

const Store &offlineStore()
{
    // Constructing a store connects to nothing; validateEvent needs no server.
    static const Store *store = [] {
        StoreSettings settings;
        settings.runSequencer = false;
        settings.poolSize = 1;
        return new Store(ConnectionOptions {}, settings);
    }();
    return *store;
}

using ArrayElement = std::optional<QByteArray>; // nullopt: NULL

// A one-dimensional PostgreSQL array literal as the server reads it: {"a","b\"c",NULL,x}.
std::optional<QList<ArrayElement>> readArrayLiteral(const QByteArray &text)
{
    if (text.size() < 2 || !text.startsWith('{') || !text.endsWith('}'))
        return std::nullopt;
    QList<ArrayElement> out;
    const qsizetype end = text.size() - 1;
    qsizetype i = 1;
    if (i == end)
        return out;
    while (true) {
        if (i >= end)
            return std::nullopt;
        if (text.at(i) == '"') {
            QByteArray element;
            for (++i; i < end && text.at(i) != '"'; ++i) {
                if (text.at(i) == '\\' && ++i >= end)
                    return std::nullopt;
                element += text.at(i);
            }
            if (i >= end)
                return std::nullopt;
            ++i;
            out.append(element);
        } else {
            qsizetype j = i;
            while (j < end && text.at(j) != ',' && text.at(j) != '"' && text.at(j) != '{'
                   && text.at(j) != '}' && text.at(j) != '\\')
                ++j;
            const QByteArray bare = text.mid(i, j - i).trimmed();
            if (bare.isEmpty())
                return std::nullopt;
            out.append(bare.compare("NULL", Qt::CaseInsensitive) == 0 ? ArrayElement()
                                                                      : ArrayElement(bare));
            i = j;
        }
        if (i == end)
            return out;
        if (text.at(i) != ',')
            return std::nullopt;
        ++i;
    }
}

// Why the store must refuse the event before sending it, or empty.
QString expectedRefusal(const NewEvent &e)
{
    if (QString why = appendencoding::typeProblem(e.type); !why.isEmpty())
        return why;
    if (e.data.size() + e.metadata.size() > kMaxEventBytes)
        return QStringLiteral("too large");
    if (appendencoding::jsonDepth(e.data) > NewEvent::maxJsonDepth
        || appendencoding::jsonDepth(e.metadata) > NewEvent::maxJsonDepth)
        return QStringLiteral("too deep");
    if (e.data.contains('\0') || e.metadata.contains('\0'))
        return QStringLiteral("a NUL byte");
    return {};
}

} // namespace

Outcome appendValidation(const QByteArray &input)
{
    QList<QByteArray> lines = input.split('\n');
    const QList<QByteArray> head = lines.takeFirst().split('\t');

    // The stream name and the expected version, as the store checks them first.
    const QString stream = QString::fromUtf8(head.at(0));
    const QString streamProblem = StreamName::validate(stream);
    if (streamProblem.isEmpty()
        && (stream.isEmpty() || stream.toUtf8().size() > StreamName::maxBytes
            || std::any_of(stream.begin(), stream.end(), [](QChar c) { return isControl(c); })))
        return violated(false, QStringLiteral("stream name %1 accepted").arg(excerpt(stream)));
    bool headValid = streamProblem.isEmpty();
    if (head.size() > 1) {
        const auto expected = ExpectedVersion::parse(QString::fromUtf8(head.at(1)));
        headValid = headValid && expected.has_value();
        if (expected) {
            if (!expected->isValid())
                return violated(false, QStringLiteral("an invalid expected version parsed"));
            const auto again = ExpectedVersion::parse(expected->toString());
            if (!again || !(*again == *expected))
                return violated(false,
                                QStringLiteral("expected version %1 does not parse back")
                                    .arg(expected->toString()));
        }
    }

    QList<NewEvent> events;
    for (const QByteArray &line : std::as_const(lines)) {
        const QList<QByteArray> fields = line.split('\t');
        NewEvent e;
        e.type = QString::fromUtf8(fields.at(0));
        e.data = fields.value(1);
        e.metadata = fields.mid(2).join('\t');
        events << e;
    }
    if (events.isEmpty())
        return {}; // an append needs at least one event

    QString firstRefusal;
    for (const NewEvent &e : std::as_const(events)) {
        const QString byStore = offlineStore().validateEvent(e);
        if (byStore != appendencoding::typeProblem(e.type))
            return violated(false, QStringLiteral("validateEvent and the append disagree"));
        if (firstRefusal.isEmpty())
            firstRefusal = expectedRefusal(e);
    }

    const QList<QUuid> ids = appendencoding::assignIds(events);
    for (const QUuid &id : ids) {
        if (id.isNull() || (static_cast<unsigned char>(id.toRfc4122().at(6)) >> 4) != 7)
            return violated(false, QStringLiteral("a new event id is not a version 7 UUID"));
    }
    const auto batch = appendencoding::encodeBatch(events, ids, kMaxEventBytes);
    if (!batch) {
        const StoreError::Kind kind = batch.error().kind();
        if (kind != StoreError::Kind::InvalidInput && kind != StoreError::Kind::InvalidJson
            && kind != StoreError::Kind::PayloadTooLarge)
            return violated(false, QStringLiteral("refused as %1").arg(StoreError::kindName(kind)));
        if (firstRefusal.isEmpty())
            return violated(
                false, QStringLiteral("a valid batch refused: %1").arg(batch.error().message()));
        return {};
    }
    if (!firstRefusal.isEmpty())
        return violated(true, QStringLiteral("a batch accepted with %1").arg(firstRefusal));

    // The array parameters read back to exactly the events.
    QList<QList<ArrayElement>> arrays;
    for (const QByteArray &literal : batch.value()) {
        const auto array = readArrayLiteral(literal);
        if (!array || array->size() != events.size())
            return violated(
                true, QStringLiteral("array literal %1 does not read back").arg(excerpt(literal)));
        arrays << *array;
    }
    for (qsizetype i = 0; i < events.size(); ++i) {
        const NewEvent &e = events.at(i);
        const QByteArray payload = e.data.trimmed().isEmpty() ? QByteArray("{}") : e.data;
        const ArrayElement metadata
            = e.metadata.trimmed().isEmpty() ? ArrayElement() : ArrayElement(e.metadata);
        if (arrays.at(0).at(i) != ids.at(i).toByteArray(QUuid::WithoutBraces)
            || arrays.at(1).at(i) != e.type.toUtf8() || arrays.at(2).at(i) != payload
            || arrays.at(3).at(i) != metadata)
            return violated(
                true, QStringLiteral("event %1 does not read back from the arrays").arg(i + 1));
    }

    // When the server refuses the values, the diagnosis names a problem or passes the
    // server's error on.
    const StoreError server(StoreError::Kind::InvalidInput, QStringLiteral("refused"),
                            QStringLiteral("22P02"));
    const StoreError diagnosed = appendencoding::diagnoseBatch(events, server);
    if (diagnosed.sqlState() != server.sqlState()
        || (diagnosed.kind() != StoreError::Kind::InvalidInput
            && diagnosed.kind() != StoreError::Kind::InvalidJson))
        return violated(true, QStringLiteral("the diagnosis lost the server's error"));
    bool allValid = true;
    for (const NewEvent &e : std::as_const(events)) {
        const QByteArray payload = e.data.trimmed().isEmpty() ? QByteArray("{}") : e.data;
        allValid = allValid && oneJsonValue(payload)
            && (e.metadata.trimmed().isEmpty() || oneJsonValue(e.metadata));
    }
    if (!allValid && diagnosed.message() == server.message())
        return violated(true, QStringLiteral("invalid JSON not diagnosed"));
    return {headValid, {}};
}

// ---------------------------------------------------------------- the list

namespace {

// A sequential device over bytes (stdin or a pipe, as `eventium import -` reads), which
// checkImport() reads in one pass like any other.
class SequentialBytes : public QIODevice
{
public:
    explicit SequentialBytes(const QByteArray &bytes)
        : m_bytes(bytes)
    {
        open(QIODevice::ReadOnly);
    }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override
    {
        return m_bytes.size() - m_at + QIODevice::bytesAvailable();
    }

protected:
    qint64 readData(char *data, qint64 max) override
    {
        // A few bytes at a time: the line reader must join the pieces.
        const qint64 n = std::min<qint64>({max, m_bytes.size() - m_at, 7});
        memcpy(data, m_bytes.constData() + m_at, size_t(n));
        m_at += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_bytes;
    qint64 m_at = 0;
};

ImportResult checkBytes(const QByteArray &input, IdMode ids, bool sequential)
{
    ImportOptions options;
    options.ids = ids;
    StoreSettings limits;
    limits.maxEventBytes = 2048; // small, so that sizes are refused too
    if (sequential) {
        SequentialBytes in(input);
        return checkImport(in, options, limits);
    }
    QBuffer in;
    in.setData(input);
    in.open(QIODevice::ReadOnly);
    return checkImport(in, options, limits);
}

QString verdict(const ImportResult &r)
{
    return r.ok() ? QStringLiteral("valid (%1 lines, %2 events)").arg(r.lines).arg(r.events)
                  : r.message;
}

} // namespace

Outcome importInput(const QByteArray &input)
{
    const ImportResult keep = checkBytes(input, IdMode::Keep, false);
    // The same bytes through a pipe give the same verdict.
    const ImportResult piped = checkBytes(input, IdMode::Keep, true);
    if (keep.ok() != piped.ok() || keep.message != piped.message || keep.lines != piped.lines
        || keep.events != piped.events)
        return violated(
            keep.ok(),
            QStringLiteral("from a file: %1; from a pipe: %2").arg(verdict(keep), verdict(piped)));
    // Fresh ids are never stricter than kept ones.
    const ImportResult fresh = checkBytes(input, IdMode::New, false);
    if (keep.ok() && !fresh.ok())
        return violated(true,
                        QStringLiteral("valid with the lines' ids, refused with new "
                                       "ones: %1")
                            .arg(fresh.message));
    if (!keep.ok()) {
        if (keep.status != ImportResult::Status::InvalidInput)
            return violated(
                false, QStringLiteral("refused as %1, not as invalid input").arg(int(keep.status)));
        if (keep.line < 1 || !keep.message.startsWith(QStringLiteral("line %1: ").arg(keep.line))
            || keep.message.size() <= QStringLiteral("line %1: ").arg(keep.line).size())
            return violated(false,
                            QStringLiteral("a refusal that names no line or no reason: "
                                           "%1")
                                .arg(excerpt(keep.message.toUtf8())));
        if (keep.events != 0)
            return violated(false,
                            QStringLiteral("refused, but %1 events counted").arg(keep.events));
        return {};
    }
    // Valid: every line that is not blank is one event, and every line was read.
    const QList<QByteArray> lines = readerLines(input);
    if (keep.events != lines.size())
        return violated(true,
                        QStringLiteral("%1 events in %2 lines that are not blank")
                            .arg(keep.events)
                            .arg(lines.size()));
    const qint64 expectedLines
        = input.count('\n') + (input.isEmpty() || input.endsWith('\n') ? 0 : 1);
    if (keep.lines != expectedLines)
        return violated(true,
                        QStringLiteral("%1 lines read of %2").arg(keep.lines).arg(expectedLines));
    Outcome accepted;
    accepted.accepted = true;
    return accepted;
}

const QList<Target> &targets()
{
    static const QList<Target> all {
        {"connectionoptions", &connectionOptions}, {"stdinevents", &stdinEvents},
        {"searchexpression", &searchExpression},   {"codecs", &codecs},
        {"appendvalidation", &appendValidation},   {"importinput", &importInput},
    };
    return all;
}

int runForFuzzer(Entry entry, const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const Outcome outcome = entry(input);
    if (!outcome.violation.isEmpty()) {
        std::fprintf(stderr, "eventium fuzz: %s\n", outcome.violation.toUtf8().constData());
        std::abort();
    }
    return 0;
}

} // namespace eventium::fuzz
