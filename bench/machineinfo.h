#pragma once

#include <QString>

namespace bench {

class PgConnection;

// What the figures were measured on: CPU, cores, RAM, kernel, and the server.
class MachineInfo
{
public:
    static MachineInfo collect(PgConnection *server);
    QString toText() const;

    QString cpuModel;
    int cores = 0;
    qint64 ramBytes = 0;
    QString kernel;
    QString postgresVersion;
    QString serverSettings; // fsync, synchronous_commit, shared_buffers, ...
    QString server; // "embedded (temporary, durable)" or the --db description
};

} // namespace bench
