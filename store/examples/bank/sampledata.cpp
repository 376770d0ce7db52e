#include "bank/sampledata.h"

#include "bank/bank.h"

#include <QHash>
#include <QMap>
#include <QRandomGenerator>
#include <QSet>

#include <algorithm>
#include <array>
#include <vector>

namespace eventium::toolkit {

namespace {

using namespace eventium::bank;

constexpr std::array kFirstNames {"Anna",  "Ben",   "Clara", "David", "Elif", "Farid", "Greta",
                                  "Hugo",  "Ines",  "Jonas", "Kira",  "Luca", "Mira",  "Noah",
                                  "Olga",  "Paul",  "Rosa",  "Samir", "Tara", "Umar",  "Vera",
                                  "Wanda", "Yusuf", "Zoe",   "Maya",  "Theo", "Lena",  "Emil"};
constexpr std::array kLastNames {"Schmidt", "Novak",  "Rossi",    "Garcia", "Okafor", "Nguyen",
                                 "Jensen",  "Dubois", "Kowalski", "Silva",  "Yilmaz", "Murphy",
                                 "Tanaka",  "Weber",  "Horvat",   "Larsen", "Moreau", "Costa"};
constexpr std::array kEmployers {"Acme GmbH",    "Northwind Ltd", "Globex",      "Initech",
                                 "City Council", "Harbor Clinic", "Blue Bakery", "Umbrella Labs"};
constexpr std::array kMerchants {"Supermarket",    "Bakery",         "Pharmacy",      "Bookshop",
                                 "Cinema",         "Petrol station", "Online shop",   "Restaurant",
                                 "Hardware store", "Coffee bar",     "Train tickets", "Florist"};
constexpr std::array kUtilities {"Electricity", "Water",     "Mobile phone",
                                 "Internet",    "Insurance", "Gym"};
constexpr std::array kCloseReasons {"customer request", "moved abroad", "account consolidation"};

struct SampleAccount
{
    QString id;
    QString owner;
    QString user;
    QString currency;
    qint64 balance = 0;
    qint64 version = 0; // committed events in the stream
    bool closed = false;
};

class Generator
{
public:
    Generator(Store &store, int events, quint32 seed)
        : m_store(store)
        , m_target(events)
        , m_seed(seed)
        , m_rng(seed)
    {
        m_maxAccounts = qBound(4, events / 25, 2000);
    }

    Result<qint64> run()
    {
        while (m_written < m_target) {
            if (auto r = batch(); !r)
                return r.error();
        }
        return m_written;
    }

private:
    int bounded(int lo, int hi) { return int(m_rng.bounded(lo, hi)); } // [lo, hi)
    qint64 cents(qint64 lo, qint64 hi) { return qint64(m_rng.bounded(double(hi - lo))) + lo; }
    template<typename A> QString pick(const A &items)
    {
        return QString::fromUtf8(items[m_rng.bounded(quint32(items.size()))]);
    }

    QString uuidText()
    {
        const quint32 l = m_rng.generate();
        const quint32 w = m_rng.generate();
        const quint32 b0 = m_rng.generate();
        const quint32 b1 = m_rng.generate();
        const QUuid u(l, ushort(w & 0xffff), ushort(((w >> 16) & 0x0fff) | 0x4000),
                      uchar((b0 & 0x3f) | 0x80), uchar(b0 >> 8), uchar(b0 >> 16), uchar(b0 >> 24),
                      uchar(b1), uchar(b1 >> 8), uchar(b1 >> 16), uchar(b1 >> 24));
        return u.toString(QUuid::WithoutBraces);
    }

    QJsonObject metadata(const QString &user, const QString &channel,
                         const QString &correlationId = {})
    {
        return {
            {QStringLiteral("correlationId"), correlationId.isEmpty() ? uuidText() : correlationId},
            {QStringLiteral("user"), user},
            {QStringLiteral("channel"), channel}};
    }

    // `metadata` naming `cause` as the event's cause.
    static QJsonObject causedBy(QJsonObject metadata, const NewEvent &cause)
    {
        metadata.insert(QStringLiteral("causationId"), cause.id.toString(QUuid::WithoutBraces));
        return metadata;
    }

    // Adds events to a stream of the batch being built.
    void add(const StreamName &stream, ExpectedVersion expected, const NewEvent &event)
    {
        auto it = m_index.find(stream.value());
        if (it == m_index.end()) {
            it = m_index.insert(stream.value(), m_appends.size());
            m_appends.append(StreamAppend {stream, expected, {}});
        }
        m_appends[*it].events.append(event);
        ++m_batchEvents;
    }

    void addToAccount(int index, const NewEvent &event)
    {
        SampleAccount &a = m_accounts[size_t(index)];
        add(accountStream(a.id), ExpectedVersion::exact(a.version), event);
        m_used.insert(index);
    }

    // A random open account not yet used in this batch, or -1.
    int freeAccount(const QString &currency = {})
    {
        if (m_open.empty())
            return -1;
        for (int tries = 0; tries < 12; ++tries) {
            const int i = m_open[m_rng.bounded(quint32(m_open.size()))];
            if (!m_used.contains(i)
                && (currency.isEmpty() || m_accounts[size_t(i)].currency == currency))
                return i;
        }
        return -1;
    }

    bool openAccount(int budget)
    {
        SampleAccount a;
        do {
            a.id = QString::number(bounded(10000000, 99999999));
        } while (m_byId.contains(a.id));
        m_byId.insert(a.id, int(m_accounts.size()));
        const QString first = pick(kFirstNames);
        const QString last = pick(kLastNames);
        a.owner = first + QLatin1Char(' ') + last;
        a.user = first.toLower() + QLatin1Char('.') + last.toLower();
        const int c = bounded(0, 100);
        a.currency = c < 70 ? QStringLiteral("EUR")
            : c < 90        ? QStringLiteral("USD")
                            : QStringLiteral("GBP");
        m_accounts.push_back(a);
        const int index = int(m_accounts.size()) - 1;
        const QString channel = bounded(0, 2) ? QStringLiteral("branch") : QStringLiteral("web");
        const QJsonObject meta = metadata(a.user, channel);
        const StreamName stream = accountStream(a.id);
        const NewEvent opened
            = encodeEvent(AccountOpened {a.id, a.owner, a.currency}, meta, QUuid::createUuid());
        add(stream, ExpectedVersion::noStream(), opened);
        if (budget >= 2) {
            const qint64 amount = cents(1000, 250000);
            add(stream, ExpectedVersion::noStream(),
                encodeEvent(MoneyDeposited {amount, QStringLiteral("Opening deposit")},
                            causedBy(meta, opened)));
            m_accounts.back().balance = amount;
        }
        m_used.insert(index);
        m_open.push_back(index);
        return true;
    }

    void deposit(int index)
    {
        SampleAccount &a = m_accounts[size_t(index)];
        const int kind = bounded(0, 100);
        qint64 amount;
        QString reference;
        QJsonObject meta;
        if (kind < 35) {
            amount = cents(180000, 520000);
            reference = QStringLiteral("Salary ") + pick(kEmployers);
            meta = metadata(QStringLiteral("payroll-import"), QStringLiteral("batch"));
        } else if (kind < 70) {
            amount = cents(20, 500) * 100;
            reference = QStringLiteral("Cash deposit");
            meta = metadata(a.user, QStringLiteral("atm"));
        } else if (kind < 92) {
            amount = cents(500, 15000);
            reference = QStringLiteral("Refund ") + pick(kMerchants);
            meta = metadata(QStringLiteral("card-clearing"), QStringLiteral("batch"));
        } else {
            amount = cents(1, 2000);
            reference = QStringLiteral("Interest");
            meta = metadata(QStringLiteral("interest-job"), QStringLiteral("batch"));
        }
        a.balance += amount;
        addToAccount(index, encodeEvent(MoneyDeposited {amount, reference}, meta));
    }

    // False when the balance is too low for any withdrawal.
    bool withdraw(int index)
    {
        SampleAccount &a = m_accounts[size_t(index)];
        if (a.balance < 100)
            return false;
        const int kind = bounded(0, 100);
        qint64 amount;
        QString reference;
        QJsonObject meta;
        if (kind < 55) {
            amount = cents(150, 25000);
            reference = QStringLiteral("Card payment ") + pick(kMerchants);
            meta = metadata(a.user, QStringLiteral("card"));
        } else if (kind < 75) {
            amount = cents(2, 40) * 1000;
            reference = QStringLiteral("ATM withdrawal");
            meta = metadata(a.user, QStringLiteral("atm"));
        } else if (kind < 85) {
            amount = cents(50000, 150000);
            reference = QStringLiteral("Rent");
            meta = metadata(a.user, QStringLiteral("standing-order"));
        } else {
            amount = cents(2000, 15000);
            reference = QStringLiteral("Direct debit ") + pick(kUtilities);
            meta = metadata(QStringLiteral("sepa-import"), QStringLiteral("batch"));
        }
        amount = qMin(amount, a.balance);
        a.balance -= amount;
        addToAccount(index, encodeEvent(MoneyWithdrawn {amount, reference}, meta));
        return true;
    }

    bool transfer()
    {
        const int from = freeAccount();
        if (from < 0 || m_accounts[size_t(from)].balance < 100)
            return false;
        m_used.insert(from); // so it is not its own target
        const int to = freeAccount(m_accounts[size_t(from)].currency);
        m_used.remove(from);
        if (to < 0)
            return false;
        SampleAccount &a = m_accounts[size_t(from)];
        SampleAccount &b = m_accounts[size_t(to)];
        const qint64 amount = qMax<qint64>(100, cents(100, qMin<qint64>(a.balance, 200000) + 1));
        if (amount > a.balance)
            return false;
        const QString id = uuidText();
        const QJsonObject meta = metadata(
            a.user, bounded(0, 3) ? QStringLiteral("mobile") : QStringLiteral("web"), id);
        a.balance -= amount;
        b.balance += amount;
        const NewEvent sent
            = encodeEvent(TransferSent {id, b.id, amount}, meta, QUuid::createUuid());
        const NewEvent received = encodeEvent(TransferReceived {id, a.id, amount},
                                              causedBy(meta, sent), QUuid::createUuid());
        addToAccount(from, sent);
        addToAccount(to, received);
        add(transferStream(id), ExpectedVersion::noStream(),
            encodeEvent(TransferCompleted {id, a.id, b.id, amount, a.currency},
                        causedBy(meta, received)));
        return true;
    }

    // Empties and closes an account: needs 2 events when the balance is not zero.
    bool close(int index, int budget)
    {
        SampleAccount &a = m_accounts[size_t(index)];
        if (a.balance > 0 && budget < 2)
            return false;
        const QJsonObject meta = metadata(a.user, QStringLiteral("branch"));
        if (a.balance > 0) {
            addToAccount(
                index,
                encodeEvent(MoneyWithdrawn {a.balance, QStringLiteral("Closing payout")}, meta));
            a.balance = 0;
        }
        addToAccount(index, encodeEvent(AccountClosed {pick(kCloseReasons)}, meta));
        a.closed = true;
        m_open.erase(std::find(m_open.begin(), m_open.end(), index));
        return true;
    }

    Result<Done> batch()
    {
        m_appends.clear();
        m_index.clear();
        m_used.clear();
        m_batchEvents = 0;
        const int budget = qMin(m_target - int(m_written), bounded(12, 41));
        int idle = 0;
        while (m_batchEvents < budget && idle < 20) {
            const int left = budget - m_batchEvents;
            bool done = false;
            const int roll = bounded(0, 100);
            if (int(m_accounts.size()) < m_maxAccounts && (m_open.size() < 2 || roll < 12)) {
                done = openAccount(left);
            } else if (roll < 42) {
                const int i = freeAccount();
                if (i >= 0) {
                    deposit(i);
                    done = true;
                }
            } else if (roll < 70) {
                const int i = freeAccount();
                done = i >= 0 && withdraw(i);
            } else if (roll < 99) {
                done = left >= 3 && transfer();
            } else if (int(m_open.size()) > m_maxAccounts / 2 && bounded(0, 3) == 0) {
                const int i = freeAccount();
                done = i >= 0 && close(i, left);
            }
            if (!done && left == 1) { // fill the last slot with something that always fits
                if (const int i = freeAccount(); i >= 0) {
                    deposit(i);
                    done = true;
                } else if (int(m_accounts.size()) < m_maxAccounts * 2) {
                    done = openAccount(1);
                }
            }
            idle = done ? 0 : idle + 1;
        }
        if (m_batchEvents == 0) {
            // Every open account is in use or closed: open one more.
            openAccount(budget);
        }
        auto written = m_store.appendMulti(m_appends);
        if (!written)
            return written.error();
        if (!written->committed) {
            QString streams;
            for (const AppendResult &r : written->results)
                if (r.isConflict())
                    streams += (streams.isEmpty() ? QString() : QStringLiteral(", ")) + r.stream;
            return StoreError(StoreError::Kind::InvalidInput,
                              QStringLiteral("sample data (seed %1) collides with existing "
                                             "streams: %2; use another seed or schema")
                                  .arg(m_seed)
                                  .arg(streams.left(300)));
        }
        for (const StreamAppend &a : std::as_const(m_appends)) {
            const QString name = a.stream.value();
            if (name.startsWith(QLatin1String("account-")))
                m_accounts[size_t(m_byId.value(name.mid(8)))].version += a.events.size();
        }
        m_written += m_batchEvents;
        return Done {};
    }

    Store &m_store;
    int m_target;
    quint32 m_seed;
    QRandomGenerator m_rng;
    int m_maxAccounts = 4;
    qint64 m_written = 0;
    std::vector<SampleAccount> m_accounts;
    std::vector<int> m_open; // indexes of open accounts
    QHash<QString, int> m_byId; // account id -> index
    // The batch being built.
    QList<StreamAppend> m_appends;
    QMap<QString, qsizetype> m_index;
    QSet<int> m_used;
    int m_batchEvents = 0;
};

} // namespace

Result<qint64> generateSampleData(Store &store, int events, quint32 seed)
{
    if (events < 0)
        return StoreError(StoreError::Kind::InvalidInput,
                          QStringLiteral("the number of sample events cannot be negative"));
    return Generator(store, events, seed).run();
}

} // namespace eventium::toolkit
