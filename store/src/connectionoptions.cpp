#include "eventium/connectionoptions.h"

#include <QSqlDatabase>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>

namespace eventium {

namespace {

StoreError invalid(const QString &message)
{
    return StoreError(StoreError::Kind::InvalidInput, message);
}

// Quotes a value for a libpq keyword/value string when it needs it: any white space (tabs,
// line breaks, Unicode spaces: parse() and libpq end an unquoted value there), quotes,
// backslashes, '='.
QString quoteValue(const QString &value)
{
    const bool plain = std::none_of(value.begin(), value.end(), [](QChar c) {
        return c.isSpace() || c == QLatin1Char('\'') || c == QLatin1Char('\\')
            || c == QLatin1Char('=');
    });
    if (!value.isEmpty() && plain)
        return value;
    QString out = QStringLiteral("'");
    for (const QChar c : value) {
        if (c == QLatin1Char('\'') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        out += c;
    }
    out += QLatin1Char('\'');
    return out;
}

} // namespace

Result<ConnectionOptions> ConnectionOptions::parse(const QString &text)
{
    const QString t = text.trimmed();
    if (t.startsWith(QLatin1String("postgres://")) || t.startsWith(QLatin1String("postgresql://")))
        return parseUrl(t);
    return parseKeywords(t);
}

Result<Done> ConnectionOptions::set(const QString &key, const QString &value)
{
    bool ok = true;
    if (key == QLatin1String("host")) {
        host = value; // a comma-separated list for several servers, passed on as it is
    } else if (key == QLatin1String("port")) {
        // One port, or one per host (a comma-separated list, an empty entry meaning the
        // default), which libpq reads itself: kept in `extra`.
        const QStringList ports = value.split(QLatin1Char(','));
        for (const QString &p : ports) {
            const int number = p.isEmpty() ? 0 : p.toInt(&ok);
            if (!ok || number < 0 || number > 65535)
                return invalid(QStringLiteral("invalid port \"%1\"").arg(value));
        }
        if (ports.size() > 1) {
            port = 0;
            extra.insert(key, value);
        } else {
            port = value.isEmpty() ? 0 : value.toInt();
            extra.remove(key);
        }
    } else if (key == QLatin1String("dbname")) {
        dbname = value;
    } else if (key == QLatin1String("user")) {
        user = value;
    } else if (key == QLatin1String("password")) {
        password = value;
    } else if (key == QLatin1String("sslmode")) {
        static const QStringList modes
            = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"};
        if (!modes.contains(value))
            return invalid(QStringLiteral("invalid sslmode \"%1\" (one of %2)")
                               .arg(value, modes.join(QStringLiteral(", "))));
        sslmode = value;
    } else if (key == QLatin1String("connect_timeout")) {
        connectTimeout = value.toInt(&ok);
        if (!ok || connectTimeout < 0)
            return invalid(QStringLiteral("invalid connect_timeout \"%1\"").arg(value));
    } else if (key == QLatin1String("application_name")) {
        applicationName = value;
    } else if (key.isEmpty()) {
        return invalid(QStringLiteral("empty keyword in connection string"));
    } else {
        for (const QChar c : key) {
            if (!(c.isLetterOrNumber() || c == QLatin1Char('_')))
                return invalid(
                    QStringLiteral("invalid keyword \"%1\" in connection string").arg(key));
        }
        extra.insert(key, value);
    }
    return Done {};
}

Result<ConnectionOptions> ConnectionOptions::parseKeywords(const QString &text)
{
    ConnectionOptions o;
    qsizetype i = 0;
    const qsizetype n = text.size();
    auto skipSpace = [&] {
        while (i < n && text.at(i).isSpace())
            ++i;
    };
    while (true) {
        skipSpace();
        if (i >= n)
            break;
        QString key;
        while (i < n && !text.at(i).isSpace() && text.at(i) != QLatin1Char('='))
            key += text.at(i++);
        skipSpace();
        if (i >= n || text.at(i) != QLatin1Char('='))
            return invalid(
                QStringLiteral("missing \"=\" after \"%1\" in connection string").arg(key));
        ++i;
        skipSpace();
        QString value;
        if (i < n && text.at(i) == QLatin1Char('\'')) {
            ++i;
            bool closed = false;
            while (i < n) {
                const QChar c = text.at(i++);
                if (c == QLatin1Char('\\') && i < n) {
                    value += text.at(i++);
                } else if (c == QLatin1Char('\'')) {
                    closed = true;
                    break;
                } else {
                    value += c;
                }
            }
            if (!closed)
                return invalid(QStringLiteral("unterminated quoted value for \"%1\"").arg(key));
        } else {
            while (i < n && !text.at(i).isSpace()) {
                const QChar c = text.at(i++);
                if (c == QLatin1Char('\\') && i < n)
                    value += text.at(i++);
                else
                    value += c;
            }
        }
        auto r = o.set(key, value);
        if (!r)
            return r.error();
    }
    return o;
}

Result<ConnectionOptions> ConnectionOptions::parseUrl(const QString &text)
{
    ConnectionOptions o;
    const qsizetype schemeEnd = text.indexOf(QLatin1String("://"));
    QString rest = text.mid(schemeEnd + 3);

    QString query;
    if (const qsizetype q = rest.indexOf(QLatin1Char('?')); q >= 0) {
        query = rest.mid(q + 1);
        rest.truncate(q);
    }
    QString path;
    if (const qsizetype s = rest.indexOf(QLatin1Char('/')); s >= 0) {
        path = rest.mid(s + 1);
        rest.truncate(s);
    }
    QString hostPort = rest;
    if (const qsizetype at = rest.lastIndexOf(QLatin1Char('@')); at >= 0) {
        const QString userInfo = rest.left(at);
        hostPort = rest.mid(at + 1);
        const qsizetype colon = userInfo.indexOf(QLatin1Char(':'));
        o.user = QUrl::fromPercentEncoding(userInfo.left(colon).toUtf8());
        if (colon >= 0)
            o.password = QUrl::fromPercentEncoding(userInfo.mid(colon + 1).toUtf8());
    }
    // host[:port], or several (host1:p1,host2:p2,[::1]:p3) for libpq to try in turn.
    QStringList hosts, ports;
    for (const QString &entry : hostPort.split(QLatin1Char(','))) {
        QString host = entry, portText;
        if (entry.startsWith(QLatin1Char('['))) {
            const qsizetype close = entry.indexOf(QLatin1Char(']'));
            if (close < 0)
                return invalid(QStringLiteral("unterminated IPv6 address in URL"));
            host = entry.mid(1, close - 1);
            const QString after = entry.mid(close + 1);
            if (after.startsWith(QLatin1Char(':')))
                portText = after.mid(1);
            else if (!after.isEmpty())
                return invalid(
                    QStringLiteral("unexpected \"%1\" after IPv6 address in URL").arg(after));
        } else if (const qsizetype colon = entry.lastIndexOf(QLatin1Char(':')); colon >= 0) {
            portText = entry.mid(colon + 1);
            host = QUrl::fromPercentEncoding(entry.left(colon).toUtf8());
        } else {
            host = QUrl::fromPercentEncoding(entry.toUtf8());
        }
        hosts << host;
        ports << portText;
    }
    o.host
        = hosts.size() == 1 && hosts.first().isEmpty() ? QString() : hosts.join(QLatin1Char(','));
    // One port for all, or one per host when any is given.
    const bool anyPort
        = std::any_of(ports.cbegin(), ports.cend(), [](const QString &p) { return !p.isEmpty(); });
    if (anyPort) {
        if (auto r = o.set(QStringLiteral("port"), ports.join(QLatin1Char(','))); !r)
            return r.error();
    }
    o.dbname = QUrl::fromPercentEncoding(path.toUtf8());

    if (!query.isEmpty()) {
        for (const QString &pair : query.split(QLatin1Char('&'), Qt::SkipEmptyParts)) {
            const qsizetype eq = pair.indexOf(QLatin1Char('='));
            if (eq < 0)
                return invalid(QStringLiteral("URL parameter \"%1\" has no value").arg(pair));
            const QString key = QUrl::fromPercentEncoding(pair.left(eq).toUtf8());
            const QString value = QUrl::fromPercentEncoding(
                pair.mid(eq + 1).replace(QLatin1Char('+'), QLatin1Char(' ')).toUtf8());
            if (auto r = o.set(key, value); !r)
                return r.error();
        }
    }
    return o;
}

void ConnectionOptions::applyTo(QSqlDatabase &db) const
{
    if (!host.isEmpty())
        db.setHostName(host);
    if (port > 0)
        db.setPort(port);
    if (!dbname.isEmpty())
        db.setDatabaseName(dbname);
    if (!user.isEmpty())
        db.setUserName(user);
    if (!password.isEmpty())
        db.setPassword(password);
    QStringList opts;
    if (!sslmode.isEmpty())
        opts << QStringLiteral("sslmode=") + quoteValue(sslmode);
    if (connectTimeout > 0)
        opts << QStringLiteral("connect_timeout=") + QString::number(connectTimeout);
    if (!applicationName.isEmpty())
        opts << QStringLiteral("application_name=") + quoteValue(applicationName);
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        opts << it.key() + QLatin1Char('=') + quoteValue(it.value());
    db.setConnectOptions(opts.join(QLatin1Char(';')));
}

QString ConnectionOptions::toConnInfo() const
{
    QStringList parts;
    auto add = [&](const char *key, const QString &value) {
        if (!value.isEmpty())
            parts << QLatin1String(key) + QLatin1Char('=') + quoteValue(value);
    };
    add("host", host);
    if (port > 0)
        add("port", QString::number(port));
    add("dbname", dbname);
    add("user", user);
    add("password", password);
    add("sslmode", sslmode);
    if (connectTimeout > 0)
        add("connect_timeout", QString::number(connectTimeout));
    add("application_name", applicationName);
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        parts << it.key() + QLatin1Char('=') + quoteValue(it.value());
    return parts.join(QLatin1Char(' '));
}

QString ConnectionOptions::toDisplayString() const
{
    ConnectionOptions masked = *this;
    if (!masked.password.isEmpty())
        masked.password = QStringLiteral("********");
    for (auto it = masked.extra.begin(); it != masked.extra.end(); ++it) {
        if (it.key().contains(QLatin1String("password"))
            || it.key() == QLatin1String("sslpassword"))
            it.value() = QStringLiteral("********");
    }
    return masked.toConnInfo();
}

QString ConnectionOptions::shortDescription() const
{
    auto orEnv = [](const QString &value, const char *env, const QString &fallback) {
        if (!value.isEmpty())
            return value;
        const QString e = qEnvironmentVariable(env);
        return e.isEmpty() ? fallback : e;
    };
    const QString h = orEnv(host, "PGHOST", QStringLiteral("localhost"));
    const QString p = orEnv(port > 0 ? QString::number(port) : extra.value(QStringLiteral("port")),
                            "PGPORT", QStringLiteral("5432"));
    const QString u = orEnv(user, "PGUSER", qEnvironmentVariable("USER"));
    const QString d = orEnv(dbname, "PGDATABASE", u);
    return QStringLiteral("%1@%2:%3/%4").arg(u, h, p, d);
}

} // namespace eventium
