#include "machineinfo.h"

#include "pgconnection.h"

#include <QFile>
#include <QSysInfo>
#include <QThread>

namespace bench {

namespace {

QString procField(const QString &file, const QString &key)
{
    // /proc files report a size of 0: read them whole rather than testing atEnd().
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.startsWith(key)) {
            const qsizetype colon = line.indexOf(QLatin1Char(':'));
            if (colon > 0)
                return line.mid(colon + 1).trimmed();
        }
    }
    return {};
}

} // namespace

MachineInfo MachineInfo::collect(PgConnection *server)
{
    MachineInfo m;
    m.cpuModel = procField(QStringLiteral("/proc/cpuinfo"), QStringLiteral("model name"));
    if (m.cpuModel.isEmpty())
        m.cpuModel = QSysInfo::currentCpuArchitecture();
    m.cores = QThread::idealThreadCount();
    const QString mem = procField(QStringLiteral("/proc/meminfo"), QStringLiteral("MemTotal"));
    m.ramBytes = mem.section(QLatin1Char(' '), 0, 0).toLongLong() * 1024;
    m.kernel = QSysInfo::kernelType() + QLatin1Char(' ') + QSysInfo::kernelVersion();
    if (server && server->isOk()) {
        eventium::pg::Rows v = server->query(QStringLiteral("SELECT version()"));
        if (v.ok() && v.rows() == 1)
            m.postgresVersion = v.string(0, 0).section(QLatin1Char(','), 0, 0);
        eventium::pg::Rows s = server->query(QStringLiteral(
            "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM "
            "pg_settings "
            "WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', "
            "'wal_sync_method', 'max_connections', 'commit_delay', 'wal_compression', "
            "'max_wal_size', 'checkpoint_timeout', 'effective_cache_size')"));
        if (s.ok() && s.rows() == 1)
            m.serverSettings = s.string(0, 0);
    }
    return m;
}

QString MachineInfo::toText() const
{
    return QStringLiteral("Machine:    %1, %2 cores, %3 GiB RAM, %4\n"
                          "PostgreSQL: %5 (%6)\n"
                          "Settings:   %7\n")
        .arg(cpuModel)
        .arg(cores)
        .arg(double(ramBytes) / double(1 << 30), 0, 'f', 1)
        .arg(kernel, postgresVersion, server, serverSettings);
}

} // namespace bench
